// One way to validate input against a zod schema and say what was wrong in words a person
// can act on: the field path, what was expected, and the value received.

import type { z } from 'astro/zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates `value`; on failure returns one message naming each bad field and the value received. */
export function parseWithFriendlyErrors<S extends z.ZodType>(schema: S, value: unknown, what: string): Parsed<z.infer<S>> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    const path =
      issue.path.length === 0
        ? '(root)'
        : issue.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '');
    const received = 'input' in issue && issue.input !== undefined ? `, received ${preview(issue.input)}` : '';
    return `${path}: ${issue.message}${received}`;
  });
  return { ok: false, message: `Invalid ${what}: ${problems.join('; ')}` };
}

// A short, single-line rendering of a received value for an error message.
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
