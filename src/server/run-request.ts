// The body of a run request: which registered checks to run, against which target.
// Checks are named by id only; a request can never carry code or a path.

import { z } from 'astro/zod';
import { parseWithFriendlyErrors, type Parsed } from '../site/validation.ts';

/** The largest what-if YAML a request may carry, in characters: far above a pull request's policies. */
export const MAX_WITH_YAML = 256 * 1024;

export const RunRequestSchema = z
  .object({
    /** Registered check ids, as they appear in `<Runbook id="…">`. */
    checks: z.array(z.string().min(1).max(100)).min(1).max(200),
    /** A target id from the page's selector, e.g. `demo` or `context:kind-mesh`. */
    target: z.string().min(1).max(300),
    /** For `context:` targets: the context fingerprint the page saw when it loaded. */
    fingerprint: z.string().min(1).max(200).optional(),
    /** Read the cluster again instead of serving cached kinds (live targets). */
    refresh: z.boolean().optional(),
    /** What-if: proposed objects as YAML text (multi-document, `kind: List`), applied over the target for this run only. */
    withYaml: z.string().min(1).max(MAX_WITH_YAML).optional(),
  })
  .strict();

export type RunRequest = z.infer<typeof RunRequestSchema>;

/** Validates a parsed JSON body against the schema and the known check and target ids. */
export function parseRunRequest(body: unknown, known: { checks: ReadonlySet<string>; targets: ReadonlySet<string> }): Parsed<RunRequest> {
  const parsed = parseWithFriendlyErrors(RunRequestSchema, body, 'run request');
  if (!parsed.ok) return parsed;
  const unknownChecks = [...new Set(parsed.value.checks.filter((id) => !known.checks.has(id)))];
  if (unknownChecks.length > 0) {
    return {
      ok: false,
      message: `Unknown check id${unknownChecks.length > 1 ? 's' : ''}: ${unknownChecks.map((id) => JSON.stringify(id)).join(', ')}`,
    };
  }
  if (!known.targets.has(parsed.value.target)) {
    return {
      ok: false,
      message: `Unknown target ${JSON.stringify(parsed.value.target)}; known: ${[...known.targets].map((t) => JSON.stringify(t)).join(', ')}`,
    };
  }
  if (parsed.value.target.startsWith('context:') && parsed.value.fingerprint === undefined) {
    return {
      ok: false,
      message: `A run against ${JSON.stringify(parsed.value.target)} needs the context fingerprint the page saw (field "fingerprint"); reload the page.`,
    };
  }
  // The same check named twice runs once.
  const value: RunRequest = { checks: [...new Set(parsed.value.checks)], target: parsed.value.target };
  if (parsed.value.fingerprint !== undefined) value.fingerprint = parsed.value.fingerprint;
  if (parsed.value.refresh !== undefined) value.refresh = parsed.value.refresh;
  if (parsed.value.withYaml !== undefined) value.withYaml = parsed.value.withYaml;
  return { ok: true, value };
}
