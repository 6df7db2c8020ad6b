// How an object is named in messages and keys. Objects written without a namespace land in
// `default`, as kubectl and the API server place them, so every lookup must agree on that.

/** The namespace an object lives in; objects written without one land in `default`, as with kubectl. */
export function namespaceOf(obj: { metadata: { namespace?: string } }): string {
  return obj.metadata.namespace ?? 'default';
}

/** `ns/name`, the way istioctl prints a namespaced resource's full name. */
export function fullName(obj: { metadata: { namespace?: string; name: string } }): string {
  return `${namespaceOf(obj)}/${obj.metadata.name}`;
}
