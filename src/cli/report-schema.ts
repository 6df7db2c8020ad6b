// The JSON contract as a zod schema, for whoever reads `meshbook check --format json`
// back (recorded results for the archive, CI scripts, the tests). Strict objects: a key
// the contract does not name is an error, so the contract cannot drift silently.

import { z } from 'astro/zod';
import type { JsonReport } from './format-json.ts';

const resource = z.strictObject({
  kind: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string(),
});

const finding = z.strictObject({
  code: z.string().regex(/^(IST|MB)\d{4}$/),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string().min(1),
  resource,
  location: z.strictObject({ file: z.string().min(1), line: z.number().int().positive() }).optional(),
  evidence: z.record(z.string(), z.string()).optional(),
  remediation: z.string().optional(),
  docs: z.string().optional(),
});

const axis = z.strictObject({ id: z.string(), label: z.string() });

const matrixCell = z.strictObject({
  row: z.string(),
  column: z.string(),
  state: z.enum(['allowed', 'blocked', 'partial', 'not-applicable']),
  blockedBy: z.array(resource).optional(),
  detail: z.string().optional(),
});

const attachment = z.strictObject({
  type: z.literal('reachability-matrix'),
  title: z.string(),
  rows: z.array(axis),
  columns: z.array(axis),
  cells: z.array(matrixCell),
});

const check = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  title: z.string().min(1),
  status: z.enum(['pass', 'warn', 'fail', 'error', 'skipped']),
  analyzer: z.string().optional(),
  durationMs: z.number().int().nonnegative(),
  reason: z.string().optional(),
  read: z.strictObject({ kinds: z.number().int().nonnegative(), objects: z.number().int().nonnegative() }).optional(),
  truncated: z.number().int().positive().optional(),
  findings: z.array(finding),
  attachments: z.array(attachment).optional(),
});

const target = z.strictObject({
  type: z.enum(['snapshot', 'live']),
  name: z.string(),
  paths: z.array(z.string()).optional(),
  context: z.string().optional(),
  cluster: z.string().optional(),
  server: z.string().optional(),
});

/** Validates a parsed `meshbook check --format json` document. */
export const reportJsonSchema = z.strictObject({
  target,
  startedAt: z.iso.datetime(),
  read: z.strictObject({ kinds: z.number().int().nonnegative(), objects: z.number().int().nonnegative() }).optional(),
  problem: z
    .strictObject({ reason: z.enum(['not-kubernetes', 'unreachable', 'unauthorized', 'forbidden', 'timeout', 'tls', 'server-error', 'invalid']), message: z.string().min(1) })
    .optional(),
  checks: z.array(check),
});

// Compile-time guard: the schema and the renderer's types describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameShape: Same<z.infer<typeof reportJsonSchema>, JsonReport> = true;
void _sameShape;
