/** `n` copies of `item`: a finding reported several times on one resource is a multiset entry. */
export function times<T>(n: number, item: T): T[] {
  return Array.from({ length: n }, () => item);
}
