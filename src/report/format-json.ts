// The machine contract (docs/cli.md), rendered. The report is copied into the contract's shape
// by a projection compiled from its schema (report-schema.ts): only the keys the contract names,
// in its order, so a field added to the engine's result does not leak into the output
// unannounced, and there is no second list of keys to keep in step. `docs` stays a
// site-relative path: the guide has no single canonical host (dev server, archives).

import { z } from 'astro/zod';
import type { RunReport } from '../engine/types.ts';
import { reportJsonSchema, type JsonReport } from './report-schema.ts';
import { summarizeRun, type RunSummary } from './summary.ts';

export type { JsonCheck, JsonFinding, JsonReport } from './report-schema.ts';

/** The report as the JSON contract's object. */
export function toJsonReport(report: RunReport): JsonReport {
  // The projection copies exactly the schema's keys, so the result has the contract's type.
  return projectReport(withSummary(report), eager) as JsonReport;
}

/** Renders the report as pretty-printed JSON, one trailing newline. */
export function formatJson(report: RunReport): string {
  return [...formatJsonChunks(report)].join('');
}

/**
 * The text of formatJson, in pieces, byte for byte: a large report (a reachability matrix
 * holds one cell per source and destination, hundreds of megabytes as JSON on a big mesh) is
 * never built as one string, nor copied whole into the contract's shape: each check, finding
 * and cell is converted and rendered as it is written.
 */
export function* formatJsonChunks(report: RunReport): Generator<string> {
  yield* prettyChunks(projectReport(withSummary(report), lazy), '', 0);
  yield '\n';
}

// The summary is computed, not held by the engine's report: it is added here, where the
// contract is written.
function withSummary(report: RunReport): RunReport & { summary: RunSummary } {
  return { ...report, summary: summarizeRun(report) };
}

// A list mapped item by item while it is rendered (only the streaming renderer makes them).
// Below STREAM_DEPTH it is rendered item by item; deeper, JSON.stringify maps it via toJSON.
class Lazy {
  constructor(
    readonly items: readonly unknown[],
    readonly map: (item: unknown) => unknown,
  ) {}

  toJSON(): unknown[] {
    return this.items.map((item) => this.map(item));
  }
}

type ListOf = (items: readonly unknown[], map: (item: unknown) => unknown) => unknown;
const eager: ListOf = (items, map) => items.map((item) => map(item));
const lazy: ListOf = (items, map) => new Lazy(items, map);

type Projection = (value: unknown, list: ListOf) => unknown;

// Values the engine may hold for "none" where the contract has no key at all (its optional
// lists and counts are never empty).
const ABSENT: Readonly<Record<string, (value: unknown) => boolean>> = {
  truncated: (v) => v === 0,
  attachments: (v) => Array.isArray(v) && v.length === 0,
  suppressed: (v) => Array.isArray(v) && v.length === 0,
  expiredSuppressions: (v) => Array.isArray(v) && v.length === 0,
};

/** The contract's projection of a value of `schema`'s engine counterpart: objects copy the schema's keys in its order, lists map item by item, records are copied, scalars pass. */
function projection(schema: z.ZodType): Projection {
  if (schema instanceof z.ZodOptional) return projection(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape as Record<string, z.ZodType>).map(
      ([key, field]) => [key, projection(field), ABSENT[key]] as const,
    );
    return (value, list) => {
      const from = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, project, absent] of fields) {
        const v = from[key];
        if (v !== undefined && absent?.(v) !== true) out[key] = project(v, list);
      }
      return out;
    };
  }
  if (schema instanceof z.ZodArray) {
    const item = projection(schema.element as z.ZodType);
    return (value, list) => list(value as readonly unknown[], (v) => item(v, list));
  }
  if (schema instanceof z.ZodRecord) return (value) => ({ ...(value as Record<string, unknown>) });
  if (['string', 'number', 'boolean', 'enum', 'literal'].includes(schema.type)) return (value) => value;
  // A union or another composite needs a rule for which branch to copy: decide it here.
  throw new Error(`The JSON projection has no rule for a ${schema.type} schema.`);
}

const projectReport = projection(reportJsonSchema);

// Below this depth containers are rendered key by key; deeper values (a finding's fields, one
// cell) with one JSON.stringify call each.
const STREAM_DEPTH = 6;

// JSON.stringify(value, null, 2), as chunks, for the values the contract holds. Pretty-printed
// JSON has a raw newline only between tokens (strings escape theirs), so a nested value's own
// rendering is indented by replacing its newlines.
function* prettyChunks(value: unknown, indent: string, depth: number): Generator<string> {
  if (value instanceof Lazy) {
    yield* listChunks(value.items.length, (i) => value.map(value.items[i]), indent, depth);
    return;
  }
  if (depth >= STREAM_DEPTH || typeof value !== 'object' || value === null || !isPlainData(value)) {
    yield stringifyAt(value, indent);
    return;
  }
  if (Array.isArray(value)) {
    yield* listChunks(value.length, (i) => value[i] as unknown, indent, depth);
    return;
  }
  const inner = `${indent}  `;
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* prettyChunks(v, inner, depth + 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}

function* listChunks(length: number, at: (i: number) => unknown, indent: string, depth: number): Generator<string> {
  if (length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  for (let i = 0; i < length; i++) {
    yield `${i === 0 ? '[' : ','}\n${inner}`;
    const v = at(i);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') yield 'null';
    else yield* prettyChunks(v, inner, depth + 1);
  }
  yield `\n${indent}]`;
}

// Arrays and plain objects without toJSON: what the renderer may walk itself.
function isPlainData(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function stringifyAt(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return indent === '' || !text.includes('\n') ? text : text.replaceAll('\n', `\n${indent}`);
}
