// The JSON contract (`meshbook check --format json`, docs/cli.md) as a zod schema: a
// projection of the engine's result schema (src/engine/result-schema.ts), not a copy. For
// whoever reads a report back (recorded results for the archive, CI scripts, the tests), and
// the shape the JSON renderer copies key by key. Strict objects, like the schemas it projects:
// a key the contract does not name is an error, so the contract cannot drift silently.
// Left out on purpose: a finding's `params` (already in `message`), its `codeDocs` (always
// /reference/codes/<code in lower case>/, derivable from `code`), its `fixCode` (derived from
// `remediation` by src/engine/fix-code.ts) and the run's `gatherMs`.

import { z } from 'astro/zod';
import {
  checkResultSchema,
  findingSchema,
  readCountSchema,
  runReportSchema,
  runSummarySchema,
  suppressionSchema,
  whatIfSchema,
} from '../engine/result-schema.ts';

const findingJsonSchema = findingSchema.omit({ params: true, codeDocs: true, fixCode: true });

const suppressedJsonSchema = findingJsonSchema.extend({ suppression: suppressionSchema });

const whatIfJsonSchema = whatIfSchema.extend({ added: z.array(findingJsonSchema), fixed: z.array(findingJsonSchema) });

const checkJsonSchema = checkResultSchema.extend({
  findings: z.array(findingJsonSchema),
  suppressed: z.array(suppressedJsonSchema).optional(),
});

/** Validates a parsed `meshbook check --format json` document. */
export const reportJsonSchema = runReportSchema.omit({ gatherMs: true, checks: true }).extend({
  /** What the run read over all its checks' inputs (absent only in records made before it was reported). */
  read: readCountSchema.optional(),
  /** Checks by status, findings by severity, what was read; before the checks, so a reader sees it first (absent only in records made before it was written). */
  summary: runSummarySchema.optional(),
  /** `check --with`: the findings the proposed objects would add and fix. */
  whatIf: whatIfJsonSchema.optional(),
  checks: z.array(checkJsonSchema),
});

export type JsonReport = z.infer<typeof reportJsonSchema>;
export type JsonCheck = z.infer<typeof checkJsonSchema>;
export type JsonFinding = z.infer<typeof findingJsonSchema>;
export type JsonSuppressedFinding = z.infer<typeof suppressedJsonSchema>;
