// A finding's fix as code a reader copies. Fix templates (fixes.ts) write a fix as one sentence,
// and those that change an object quote the change as one-line JSON and the `kubectl patch
// --type=json` command that applies it: the terminal and the JSON report keep that sentence as it
// is. For renderers that can show code blocks, the runner adds the same fix as data: the rule as
// YAML, the command as shell, and the sentence with "below" where they stood. Pure string work,
// so the finding carries it and no renderer parses prose.

import type { FixBlock, FixCode } from './types.ts';

interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

// A code span holding a JSON-patch command: `kubectl … --type=json -p '[…]'`.
const PATCH_SPAN = /`(kubectl [^`]*?--type=json -p '(\[[^`]*\])')`/g;

/** A fix sentence as words and code blocks; undefined when the sentence quotes no patch command. */
export function fixCodeOf(remediation: string): FixCode | undefined {
  const blocks: FixBlock[] = [];
  const lifted: string[] = [];
  let sentence = remediation;
  for (const match of remediation.matchAll(PATCH_SPAN)) {
    const [span, command = '', json = ''] = match;
    const ops = parsePatch(json);
    if (ops === undefined) continue;
    const yaml = yamlBlocks(ops);
    blocks.push(...yaml, { lang: 'sh', title: 'Command that applies it', code: command });
    // The command first: it quotes the rule too, and only the sentence's own quote is replaced.
    sentence = sentence.replace(
      new RegExp(`(?: — |: )?${escapeRegExp(span)}`),
      yaml.length > 0 ? '; apply it with the command below' : ': the command below',
    );
    // The rule quoted in the sentence, longest first so a list is replaced before its items.
    const quoted = jsonCandidates(ops).sort((a, b) => b.length - a.length);
    const text = quoted.find((t) => sentence.includes(t));
    if (text !== undefined) {
      sentence = sentence.includes(`: ${text}`) ? sentence.replace(`: ${text}`, ' (YAML below)') : sentence.replace(text, '(YAML below)');
      lifted.push(text);
    }
  }
  return blocks.length === 0 ? undefined : { text: sentence, blocks, quoted: lifted };
}

function parsePatch(json: string): PatchOp[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const ops: PatchOp[] = [];
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { op, path } = item as Record<string, unknown>;
    if (typeof op !== 'string' || typeof path !== 'string') return undefined;
    ops.push(item as PatchOp);
  }
  return ops;
}

// "/spec/ingress/-" → "spec.ingress": where the value goes, as the sentence names it.
function dotted(path: string): string {
  return path
    .replace(/\/-$/, '')
    .split('/')
    .filter((p) => p !== '')
    .join('.');
}

// One YAML block per place the patch adds to: appended items as a list, a set value as itself.
function yamlBlocks(ops: PatchOp[]): FixBlock[] {
  const byPath = new Map<string, unknown[]>();
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'replace') continue;
    byPath.set(op.path, [...(byPath.get(op.path) ?? []), op.value]);
  }
  return [...byPath].map(([path, values]) => {
    const where = dotted(path) || 'the object';
    const append = path.endsWith('/-');
    const value = values.length > 1 ? values : values[0];
    const title = append ? `${values.length === 1 ? 'Rule' : 'Rules'} to append to ${where}` : `Value to set at ${where}`;
    return { lang: 'yaml' as const, title, code: toYaml(value) };
  });
}

// The one-line JSON texts a sentence may quote for these ops: each value, all of them as a
// list, and the items of a value that is a list or a one-key object holding a list.
function jsonCandidates(ops: PatchOp[]): string[] {
  const values = ops.filter((o) => 'value' in o).map((o) => o.value);
  const out = new Set<string>([JSON.stringify(values)]);
  const add = (v: unknown): void => {
    out.add(JSON.stringify(v));
    if (Array.isArray(v)) {
      if (v.length === 1) add(v[0]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.values(v);
      if (entries.length === 1 && Array.isArray(entries[0])) add(entries[0]);
    }
  };
  for (const v of values) add(v);
  return [...out].filter((t) => t.length > 2);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Words YAML would read as something other than a string.
const RESERVED = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  const plain = /^[A-Za-z_/][\w./-]*$/.test(text) && !RESERVED.test(text);
  return plain ? text : JSON.stringify(text);
}

function isBlock(value: unknown): value is object {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function lines(value: unknown, pad: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (!isBlock(item)) return [`${pad}- ${scalar(item)}`];
      const inner = lines(item, `${pad}  `);
      return [`${pad}- ${inner[0]!.slice(pad.length + 2)}`, ...inner.slice(1)];
    });
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, v]) => {
      if (!isBlock(v)) return [`${pad}${scalar(key)}: ${Array.isArray(v) ? '[]' : typeof v === 'object' && v !== null ? '{}' : scalar(v)}`];
      return [`${pad}${scalar(key)}:`, ...lines(v, Array.isArray(v) ? pad : `${pad}  `)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

/** JSON-shaped data as block-style YAML (the shape `kubectl` and editors show). */
export function toYaml(value: unknown): string {
  return lines(value, '').join('\n');
}
