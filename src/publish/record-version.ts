// A check's version is a short content hash of its source file: a recorded result says
// which text of the check produced it, and the page can say when the check changed since.

import { createHash } from 'node:crypto';

/** The version of a check: `sha256:` and the first 12 hex digits of its source's hash. */
export function checkVersionOf(source: string): string {
  return `sha256:${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
}
