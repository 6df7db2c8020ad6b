// Runs istioctl's analyzer test grid through Meshbook: for each upstream case, the checks that
// mirror its analyzer (their `analyzer` field) over the case's input files, with its mesh files
// in place of the cluster's meshConfig, and the findings compared with the case's expected
// (IST code, resource) multiset. Input is prepared as the upstream harness prepares it
// (analyzers_test.go setupAnalyzerForCase): objects in the namespaces istioctl ignores are
// dropped, and the dummy ingress gateway Pod and Service it adds are added.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { CHECKS } from '../../runbooks/index.ts';
import type { Check } from '../../src/engine/check.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { Snapshot } from '../../src/engine/snapshot.ts';
import { InputError, type ClusterSource, type GatherOptions } from '../../src/engine/source.ts';
import type { Finding, SourceLocation } from '../../src/engine/types.ts';
import { kindIdOf, type KindId } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { parseSnapshotText } from '../../src/cluster/yaml-source.ts';
import { isSecret, withSecretContents } from '../../src/cluster/secret-contents.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { loadMeshFiles, MeshConfigSource } from '../../src/cli/mesh-config-source.ts';
import { ANALYZERS_DIR, analyzerTypes, messageCodes, type AnalyzerInfo } from './analyzer-metadata.ts';
import { mirrors, SCHEMA_FAMILY } from './mirrors.ts';
import { parseGrid, type GridCase } from './parse-grid.ts';

/** A (code, resource) pair as the grid writes it: `IST0101 Gateway ns/name` (no namespace: the default one). */
export type Pair = string;

export type CaseOutcome =
  | { status: 'agree' }
  | { status: 'disagree'; missing: Pair[]; unexpected: Pair[]; errors: string[] }
  | { status: 'not-mirrored' }
  | { status: 'not-loadable'; reason: string };

export interface CaseResult {
  index: number;
  name: string;
  /** The analyzer's Metadata().Name. */
  analyzer: string;
  /** Check ids that mirror it. */
  checks: string[];
  expected: Pair[];
  outcome: CaseOutcome;
  /**
   * Objects our loader refused and that the case ran without (lenient mode): `file:line: reason`.
   * A case with any is still compared, but its agreement rests on partial input.
   */
  dropped: string[];
  /** `apiVersion kind` of input objects Meshbook has no kind for: no check sees them. */
  unknownKinds: string[];
}

export interface GridOptions {
  /** Only cases of this analyzer (its Metadata name or the grid's pkg.Type). */
  analyzer?: string;
  /** Treat a case whose files our loader refuses in part as not loadable, instead of running it without those objects. */
  strict?: boolean;
  checks?: readonly Check[];
}

/** Namespaces istioctl's file source never hands to analyzers (inject.IgnoredNamespaces). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Every case of the grid (optionally one analyzer's), run and compared. */
export async function runGrid(istioDir: string, options: GridOptions = {}): Promise<CaseResult[]> {
  const analyzersDir = join(istioDir, ANALYZERS_DIR);
  const cases = parseGrid(readFileSync(join(analyzersDir, 'analyzers_test.go'), 'utf8'));
  const types = analyzerTypes(istioDir);
  const codes = messageCodes(istioDir);
  const checks = options.checks ?? CHECKS;
  const out: CaseResult[] = [];
  // An analyzer's codes: what its own file constructs, plus what the grid expects of it (helpers
  // in other files of its package construct some).
  const emits = new Map<string, Set<string>>();
  const named = cases.map((c) => ({ c, analyzer: analyzerName(c, types) }));
  for (const { c, analyzer } of named) {
    // The schema analyzers of every kind are one Go type, schema.ValidationAnalyzer.
    const info = types.get(analyzer.startsWith(`${SCHEMA_FAMILY}.`) ? SCHEMA_FAMILY : `${c.analyzerDir}.${c.analyzerType.split('.')[1]}`);
    const set = emits.get(analyzer) ?? new Set(info?.messages.map((m) => codeOf(m, codes)));
    for (const e of c.expected) set.add(codeOf(e.message, codes));
    emits.set(analyzer, set);
  }
  for (const { c, analyzer } of named) {
    if (options.analyzer !== undefined && options.analyzer !== analyzer && options.analyzer !== c.analyzerType) continue;
    const mirroring = checks.filter((k) => mirrors(k, analyzer));
    const expected = c.expected.map((e) => pair(codeOf(e.message, codes), e.origin)).sort();
    const base = {
      index: c.index,
      name: c.name,
      analyzer,
      checks: mirroring.map((k) => k.id),
      expected,
      dropped: [] as string[],
      unknownKinds: [] as string[],
    };
    if (mirroring.length === 0) {
      out.push({ ...base, outcome: { status: 'not-mirrored' } });
      continue;
    }
    out.push(await runCase(c, analyzersDir, mirroring, emits.get(analyzer)!, expected, base, options.strict === true));
  }
  return out;
}

function analyzerName(c: GridCase, types: Map<string, AnalyzerInfo>): string {
  if (c.analyzerType.startsWith('schema.ValidationAnalyzer.')) return c.analyzerType;
  const info = types.get(`${c.analyzerDir}.${c.analyzerType.split('.')[1]}`) ?? types.get(c.analyzerType);
  if (info === undefined) throw new Error(`testGrid[${c.index}] (${c.name}): no Metadata() found for ${c.analyzerType}`);
  return info.name;
}

function codeOf(message: string, codes: Map<string, string>): string {
  const code = codes.get(message);
  if (code === undefined) throw new Error(`msg.${message} is not in messages.yaml`);
  return code;
}

/** `IST0101 Gateway ns/name`, with the default namespace left out as the grid leaves it out. */
function pair(code: string, origin: string): Pair {
  const [kind, ref] = origin.split(' ', 2) as [string, string | undefined];
  const slash = ref?.indexOf('/') ?? -1;
  const ns = slash === -1 ? '' : ref!.slice(0, slash);
  const name = slash === -1 ? (ref ?? '') : ref!.slice(slash + 1);
  return `${code} ${kind} ${ns === '' || ns === 'default' ? '' : `${ns}/`}${name}`;
}

function findingPair(f: Finding): Pair {
  const ns = f.resource.namespace;
  return pair(f.code, `${f.resource.kind} ${ns === undefined || ns === '' ? '' : `${ns}/`}${f.resource.name}`);
}

async function runCase(
  c: GridCase,
  analyzersDir: string,
  checks: readonly Check[],
  emits: ReadonlySet<string>,
  expected: Pair[],
  base: Omit<CaseResult, 'outcome'>,
  strict: boolean,
): Promise<CaseResult> {
  const objects: KubeObject[] = [];
  const locations = new WeakMap<object, SourceLocation>();
  const dropped: string[] = [];
  for (const file of c.inputFiles) {
    let text;
    try {
      text = readFileSync(join(analyzersDir, file), 'utf8');
    } catch (cause) {
      return { ...base, outcome: { status: 'not-loadable', reason: `${file}: ${(cause as Error).message}` } };
    }
    const loaded = loadLeniently(text, file, dropped);
    loaded.objects.forEach((o, i) => {
      objects.push(o);
      locations.set(o, { file, line: loaded.lines[i] ?? 1 });
    });
  }
  if (strict && dropped.length > 0) return { ...base, dropped, outcome: { status: 'not-loadable', reason: dropped.join('; ') } };

  let meshText: string | undefined;
  const meshFiles = {
    ...(c.meshConfigFile === undefined ? {} : { meshConfig: join(analyzersDir, c.meshConfigFile) }),
    ...(c.meshNetworksFile === undefined ? {} : { meshNetworks: join(analyzersDir, c.meshNetworksFile) }),
  };
  let mesh;
  try {
    mesh = await loadMeshFiles(meshFiles);
    meshText = mesh?.override.mesh;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { ...base, dropped, outcome: { status: 'not-loadable', reason: error.message } };
  }
  const kept = objects.filter((o) => !ignoredNamespace(o));
  const unknownKinds = [
    ...new Set(kept.filter((o) => kindIdOf(o.apiVersion, o.kind) === undefined).map((o) => `${o.apiVersion} ${o.kind}`)),
  ];
  kept.push(...defaultResources(meshText));
  const files: ClusterSource = new ObjectsSource(kept, locations, c.name);
  const source = mesh === undefined ? files : new MeshConfigSource(files, mesh);

  const report = await runChecks(checks, source, { checkTimeoutMs: 30_000 });
  const errors = report.checks.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason ?? 'error'}`);
  const got = report.checks
    .flatMap((r) => r.findings)
    .filter((f) => emits.has(f.code))
    .map(findingPair)
    .sort();
  const [missing, unexpected] = multisetDiff(expected, got);
  const outcome: CaseOutcome =
    missing.length === 0 && unexpected.length === 0 && errors.length === 0
      ? { status: 'agree' }
      : { status: 'disagree', missing, unexpected, errors };
  return { ...base, dropped, unknownKinds, outcome };
}

/**
 * The objects of one file, parsed and validated as a snapshot is; a document our loader refuses
 * is left out and its problem recorded, so one partial upstream object (the grid's files need only
 * the fields their analyzer reads) does not hide the rest of the case.
 */
function loadLeniently(text: string, file: string, dropped: string[]): { objects: KubeObject[]; lines: number[] } {
  try {
    return withSecrets(parseSnapshotText(text, file));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
  }
  const objects: KubeObject[] = [];
  const lines: number[] = [];
  const src = text.split('\n');
  let start = 0;
  for (let i = 0; i <= src.length; i++) {
    if (i < src.length && !/^---(\s|$)/.test(src[i]!)) continue;
    const doc = src.slice(start, i).join('\n');
    const offset = start;
    try {
      const parsed = withSecrets(parseSnapshotText(doc, file));
      objects.push(...parsed.objects);
      lines.push(...parsed.lines.map((l) => l + offset));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // The loader numbers lines from the document's start: shift them to the file's.
      dropped.push(
        error.message.replaceAll(`${file}:`, '\u0000').replace(/\u0000(\d+):/g, (_, n: string) => `${file}:${Number(n) + offset}:`),
      );
    }
    start = i + 1;
  }
  return { objects, lines };
}

// istioctl's analyzers read Secret contents from files: so do the mirroring checks here.
function withSecrets(parsed: { objects: KubeObject[]; lines: number[] }): { objects: KubeObject[]; lines: number[] } {
  const objects = parsed.objects.map((o) =>
    isSecret(o)
      ? withSecretContents(o, (message) => {
          throw new InputError(message);
        })
      : o,
  );
  return { objects, lines: parsed.lines };
}

function ignoredNamespace(o: KubeObject): boolean {
  const ns = o.kind === 'Namespace' && o.apiVersion === 'v1' ? o.metadata.name : o.metadata.namespace;
  return ns !== undefined && IGNORED_NAMESPACES.has(ns);
}

/**
 * The stand-in ingress gateway istioctl's harness adds to every case (local/defaults.go) unless
 * meshConfig turns the ingress controller off: a Service named after meshConfig.ingressService
 * (istio-ingressgateway by default) with the http2/https/tcp/tls ports, and a pod it selects.
 */
function defaultResources(meshText: string | undefined): KubeObject[] {
  let mesh: Record<string, unknown> = {};
  if (meshText !== undefined) {
    const parsed = yaml.load(meshText);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) mesh = parsed as Record<string, unknown>;
  }
  if (mesh.ingressControllerMode === 'OFF') return [];
  const service = typeof mesh.ingressService === 'string' && mesh.ingressService !== '' ? mesh.ingressService : 'istio-ingressgateway';
  const labels = { istio: 'ingressgateway' };
  const port = (name: string, port: number, nodePort: number): Record<string, unknown> => ({
    name,
    port,
    targetPort: port,
    nodePort,
    protocol: 'TCP',
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${service}-dummypod`, namespace: ISTIO_NAMESPACE, labels },
      spec: { containers: [{ name: 'istio-proxy' }] },
    } as KubeObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace: ISTIO_NAMESPACE },
      spec: {
        selector: labels,
        ports: [port('http2', 80, 31380), port('https', 443, 31390), port('tcp', 31400, 31400), port('tls', 15443, 31447)],
      },
    } as KubeObject,
  ];
}

/** Left: in `a` and not `b`; right: in `b` and not `a` (multisets). */
function multisetDiff(a: readonly string[], b: readonly string[]): [string[], string[]] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const onlyA: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else onlyA.push(x);
  }
  const onlyB = [...counts].flatMap(([x, n]) => Array<string>(n).fill(x));
  return [onlyA, onlyB.sort()];
}

// The case's objects as a snapshot source: every kind gathered is held (an empty list is "none").
class ObjectsSource implements ClusterSource {
  readonly live = false;
  readonly target;

  constructor(
    readonly objects: readonly KubeObject[],
    readonly locations: WeakMap<object, SourceLocation>,
    name: string,
  ) {
    this.target = { type: 'snapshot' as const, name: `istio grid: ${name}`, paths: [] };
  }

  gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    options.signal.throwIfAborted();
    return Promise.resolve(new Snapshot(this.objects, { kinds, locations: this.locations }));
  }
}

/** Per analyzer: how many cases, and how many of each outcome. */
export interface AnalyzerRow {
  analyzer: string;
  cases: number;
  agree: number;
  disagree: number;
  notMirrored: number;
  notLoadable: number;
  /** Cases run without some of their objects (lenient loading). */
  partial: number;
}

export function tabulate(results: readonly CaseResult[]): { rows: AnalyzerRow[]; total: AnalyzerRow } {
  const rows = new Map<string, AnalyzerRow>();
  const empty = (analyzer: string): AnalyzerRow => ({
    analyzer,
    cases: 0,
    agree: 0,
    disagree: 0,
    notMirrored: 0,
    notLoadable: 0,
    partial: 0,
  });
  const total = empty('total');
  for (const r of results) {
    const row = rows.get(r.analyzer) ?? empty(r.analyzer);
    rows.set(r.analyzer, row);
    for (const x of [row, total]) {
      x.cases++;
      if (r.dropped.length > 0 && r.outcome.status !== 'not-loadable') x.partial++;
      if (r.outcome.status === 'agree') x.agree++;
      else if (r.outcome.status === 'disagree') x.disagree++;
      else if (r.outcome.status === 'not-mirrored') x.notMirrored++;
      else x.notLoadable++;
    }
  }
  return { rows: [...rows.values()].sort((a, b) => a.analyzer.localeCompare(b.analyzer)), total };
}

/** The table as text, then each case that did not agree with why. */
export function renderGrid(results: readonly CaseResult[], istioDir: string): string {
  const { rows, total } = tabulate(results);
  const header = ['analyzer', 'cases', 'agree', 'disagree', 'not mirrored', 'not loadable', 'partial load'];
  const cells = [...rows, total].map((r) =>
    [r.analyzer, r.cases, r.agree, r.disagree, r.notMirrored, r.notLoadable, r.partial].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  const lines = [`istio grid: ${relative(process.cwd(), istioDir) || istioDir}`, line(header)];
  for (const c of cells.slice(0, -1)) lines.push(line(c));
  lines.push(line(cells.at(-1)!));
  for (const r of results) {
    const o = r.outcome;
    if (o.status === 'agree' && r.dropped.length === 0 && r.unknownKinds.length === 0) continue;
    if (o.status === 'not-mirrored') continue;
    lines.push('', `#${r.index} ${r.name} [${r.analyzer}] ${o.status}${r.checks.length > 0 ? ` (${r.checks.join(', ')})` : ''}`);
    if (o.status === 'not-loadable') lines.push(`  ${o.reason}`);
    if (o.status === 'disagree') {
      for (const m of o.missing) lines.push(`  - expected, not reported: ${m}`);
      for (const u of o.unexpected) lines.push(`  + reported, not expected: ${u}`);
      for (const e of o.errors) lines.push(`  ! ${e}`);
    }
    for (const d of r.dropped) lines.push(`  dropped: ${d}`);
    if (r.unknownKinds.length > 0) lines.push(`  kinds Meshbook does not read: ${r.unknownKinds.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
