// Result types: what a check produces, inferred from the schemas in result-schema.ts (the one
// definition of the shape). Renderers (terminal, JSON, JUnit, the page) read only these;
// nothing here carries markup or colour. Type-only imports: the page's island imports this
// module, and zod must not reach the browser.

import type { z } from 'astro/zod';
import type {
  attachmentSchema,
  checkResultSchema,
  checkStatusSchema,
  clusterRunSchema,
  expiredSuppressionSchema,
  findingSchema,
  fixBlockSchema,
  fixCodeSchema,
  matrixCellSchema,
  reachabilityMatrixSchema,
  readCountSchema,
  resourceRefSchema,
  runProblemSchema,
  runReportSchema,
  severitySchema,
  sourceLocationSchema,
  suppressedFindingSchema,
  suppressionSchema,
  targetInfoSchema,
  whatIfSchema,
} from './result-schema.ts';

export type Severity = z.infer<typeof severitySchema>;

export type CheckStatus = z.infer<typeof checkStatusSchema>;

/** The word people see for a status, on the page and in the CLI's text. */
export const STATUS_WORDS: Readonly<Record<CheckStatus, string>> = {
  pass: 'Passed',
  warn: 'Warning',
  fail: 'Failed',
  error: 'Error',
  skipped: 'Skipped',
};

/** The cluster object a finding is about. */
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/** Where in a snapshot file an object came from. */
export type SourceLocation = z.infer<typeof sourceLocationSchema>;

export type Finding = z.infer<typeof findingSchema>;

/** One code block of a fix: YAML to apply, or the command that applies it. */
export type FixBlock = z.infer<typeof fixBlockSchema>;

/** A fix as code to copy: the sentence pointing below, and the blocks. */
export type FixCode = z.infer<typeof fixCodeSchema>;

/** Why a finding was set aside. */
export type Suppression = z.infer<typeof suppressionSchema>;

/** A finding set aside by a suppression rule, with why. */
export type SuppressedFinding = z.infer<typeof suppressedFindingSchema>;

/** A config-file suppression past its date. */
export type ExpiredSuppression = z.infer<typeof expiredSuppressionSchema>;

/** How much a check (or a run) read: the kinds it could read and the objects in them. */
export type ReadCount = z.infer<typeof readCountSchema>;

/** A run that could not read its source at all: said once, and no check passes. */
export type RunProblem = z.infer<typeof runProblemSchema>;

export type CheckResult = z.infer<typeof checkResultSchema>;

/** One cell of a reachability matrix: can traffic from the row reach the column? */
export type MatrixCell = z.infer<typeof matrixCellSchema>;

/** A grid of sources (rows) × destinations (columns), e.g. namespaces × Service ports. */
export type ReachabilityMatrix = z.infer<typeof reachabilityMatrixSchema>;

/** Data a check attaches for renderers to draw; plain data, never markup. */
export type Attachment = z.infer<typeof attachmentSchema>;

/** What the checks ran against. */
export type TargetInfo = z.infer<typeof targetInfoSchema>;

export type RunReport = z.infer<typeof runReportSchema>;

/** One cluster of a run over several clusters. */
export type ClusterRun = z.infer<typeof clusterRunSchema>;

/** What `check --with` found the proposed objects would add and fix. */
export type WhatIf = z.infer<typeof whatIfSchema>;

/** Counts of results by status, for summaries. */
export function summarize(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
