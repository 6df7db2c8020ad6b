// The JSON contract's key sets, written out by hand (independently of the renderer and of
// src/report/report-schema.ts) so a change to either fails a test that names the keys.

import { expect } from 'vitest';
import { reportJsonSchema } from '../../../src/report/report-schema.ts';

const TOP = {
  required: ['target', 'startedAt', 'read', 'summary', 'checks'],
  optional: ['clusters', 'problem', 'expiredSuppressions', 'whatIf'],
};
const CLUSTER = { required: ['name', 'target', 'read'], optional: ['problem'] };
const WHAT_IF = { required: ['added', 'fixed', 'files'], optional: [] };
const READ = { required: ['kinds', 'objects'], optional: [] };
const SUMMARY = { required: ['checks', 'findings', 'read', 'suppressed'], optional: [] };
const SUMMARY_CHECKS = { required: ['total', 'pass', 'warn', 'fail', 'error', 'skipped'], optional: [] };
const SUMMARY_FINDINGS = { required: ['total', 'error', 'warning', 'info'], optional: [] };
const PROBLEM = { required: ['reason', 'message'], optional: [] };
const TARGET = { required: ['type', 'name'], optional: ['paths', 'context', 'cluster', 'server'] };
const CHECK = {
  required: ['id', 'title', 'status', 'durationMs', 'findings'],
  optional: ['analyzer', 'kiali', 'reason', 'read', 'truncated', 'suppressed', 'attachments'],
};
const FINDING = { required: ['code', 'severity', 'message', 'resource'], optional: ['location', 'evidence', 'remediation', 'docs'] };
const SUPPRESSED = { required: [...FINDING.required, 'suppression'], optional: FINDING.optional };
const SUPPRESSION = { required: ['by', 'reason'], optional: ['until'] };
const EXPIRED = { required: ['code', 'resource', 'reason', 'until'], optional: [] };
const RESOURCE = { required: ['kind', 'name'], optional: ['namespace', 'cluster'] };
const LOCATION = { required: ['file', 'line'], optional: [] };
const MATRIX = { required: ['type', 'title', 'rows', 'columns', 'cells'], optional: [] };
const AXIS = { required: ['id', 'label'], optional: [] };
const CELL = { required: ['row', 'column', 'state'], optional: ['blockedBy', 'detail'] };

function keys(value: unknown, shape: { required: string[]; optional: string[] }, where: string): Record<string, unknown> {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `${where} is an object`).toBe(true);
  const obj = value as Record<string, unknown>;
  const present = Object.keys(obj);
  for (const k of shape.required) expect(present, `${where} has ${k}`).toContain(k);
  for (const k of present) expect([...shape.required, ...shape.optional], `${where} has no key ${k}`).toContain(k);
  return obj;
}

/** Asserts `text` is one JSON document with exactly the contract's keys; returns it parsed. */
export function assertJsonContract(text: string): ReturnType<typeof reportJsonSchema.parse> {
  const doc = keys(JSON.parse(text), TOP, 'report');
  keys(doc.target, TARGET, 'target');
  keys(doc.read, READ, 'read');
  const summary = keys(doc.summary, SUMMARY, 'summary');
  keys(summary.checks, SUMMARY_CHECKS, 'summary.checks');
  keys(summary.findings, SUMMARY_FINDINGS, 'summary.findings');
  keys(summary.read, READ, 'summary.read');
  if (doc.problem !== undefined) keys(doc.problem, PROBLEM, 'problem');
  for (const [i, c] of ((doc.clusters ?? []) as unknown[]).entries()) {
    const cluster = keys(c, CLUSTER, `clusters[${i}]`);
    keys(cluster.target, TARGET, `clusters[${i}].target`);
    keys(cluster.read, READ, `clusters[${i}].read`);
    if (cluster.problem !== undefined) keys(cluster.problem, PROBLEM, `clusters[${i}].problem`);
  }
  for (const [i, e] of ((doc.expiredSuppressions ?? []) as unknown[]).entries()) keys(e, EXPIRED, `expiredSuppressions[${i}]`);
  if (doc.whatIf !== undefined) {
    const whatIf = keys(doc.whatIf, WHAT_IF, 'whatIf');
    for (const list of ['added', 'fixed'] as const)
      for (const [j, f] of (whatIf[list] as unknown[]).entries()) {
        const finding = keys(f, FINDING, `whatIf.${list}[${j}]`);
        keys(finding.resource, RESOURCE, `whatIf.${list}[${j}].resource`);
        if (finding.location !== undefined) keys(finding.location, LOCATION, `whatIf.${list}[${j}].location`);
      }
  }
  expect(Array.isArray(doc.checks)).toBe(true);
  for (const [i, c] of (doc.checks as unknown[]).entries()) {
    const check = keys(c, CHECK, `checks[${i}]`);
    if (check.read !== undefined) keys(check.read, READ, `checks[${i}].read`);
    for (const [j, f] of (check.findings as unknown[]).entries()) {
      const finding = keys(f, FINDING, `checks[${i}].findings[${j}]`);
      keys(finding.resource, RESOURCE, `checks[${i}].findings[${j}].resource`);
      if (finding.location !== undefined) keys(finding.location, LOCATION, `checks[${i}].findings[${j}].location`);
    }
    for (const [j, f] of ((check.suppressed ?? []) as unknown[]).entries()) {
      const finding = keys(f, SUPPRESSED, `checks[${i}].suppressed[${j}]`);
      keys(finding.resource, RESOURCE, `checks[${i}].suppressed[${j}].resource`);
      keys(finding.suppression, SUPPRESSION, `checks[${i}].suppressed[${j}].suppression`);
    }
    for (const [j, a] of ((check.attachments ?? []) as unknown[]).entries()) {
      const where = `checks[${i}].attachments[${j}]`;
      const matrix = keys(a, MATRIX, where);
      for (const axis of [...(matrix.rows as unknown[]), ...(matrix.columns as unknown[])]) keys(axis, AXIS, `${where} row/column`);
      for (const [k, c] of (matrix.cells as unknown[]).entries()) {
        const cell = keys(c, CELL, `${where}.cells[${k}]`);
        for (const r of (cell.blockedBy ?? []) as unknown[]) keys(r, RESOURCE, `${where}.cells[${k}].blockedBy`);
      }
    }
  }
  return reportJsonSchema.parse(doc);
}
