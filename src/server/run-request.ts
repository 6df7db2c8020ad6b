// The body of a run request: which registered checks to run, against which target.
// Checks are named by id only; a request can never carry code or a path.

import { z } from 'astro/zod';
import { parseWithFriendlyErrors, type Parsed } from './validation.ts';

export const RunRequestSchema = z
  .object({
    /** Registered check ids, as they appear in `<Runbook id="…">`. */
    checks: z.array(z.string().min(1).max(100)).min(1).max(200),
    /** A target id from the page's selector, e.g. `demo`. */
    target: z.string().min(1).max(200),
  })
  .strict();

export type RunRequest = z.infer<typeof RunRequestSchema>;

/** Validates a parsed JSON body against the schema and the known check and target ids. */
export function parseRunRequest(
  body: unknown,
  known: { checks: ReadonlySet<string>; targets: ReadonlySet<string> },
): Parsed<RunRequest> {
  const parsed = parseWithFriendlyErrors(RunRequestSchema, body, 'run request');
  if (!parsed.ok) return parsed;
  const unknownChecks = [...new Set(parsed.value.checks.filter((id) => !known.checks.has(id)))];
  if (unknownChecks.length > 0) {
    return { ok: false, message: `Unknown check id${unknownChecks.length > 1 ? 's' : ''}: ${unknownChecks.map((id) => JSON.stringify(id)).join(', ')}` };
  }
  if (!known.targets.has(parsed.value.target)) {
    return { ok: false, message: `Unknown target ${JSON.stringify(parsed.value.target)}; known: ${[...known.targets].map((t) => JSON.stringify(t)).join(', ')}` };
  }
  // The same check named twice runs once.
  return { ok: true, value: { checks: [...new Set(parsed.value.checks)], target: parsed.value.target } };
}
