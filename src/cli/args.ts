// Turns argv into one typed command. node:util parseArgs in strict mode rejects unknown
// flags and stray positionals; the values it cannot check (enums, names) are checked here,
// and every complaint is a UsageError that quotes what was received.

import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { FORMATS, type Format } from '../report/formats.ts';
import { FAIL_ON, type FailOn } from '../report/threshold.ts';
import { parseSuppressFlag } from '../engine/suppress.ts';

export const LIST_FORMATS = ['text', 'json'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** Where the cluster data comes from: snapshots, else the kubeconfig's (current or chosen) context. */
export interface SourceOptions {
  /** --snapshot values as given: files, directories, or `demo`. */
  snapshots: string[];
  /** --context NAME: a kubeconfig context instead of current-context (live only). */
  context?: string;
  /** --kubeconfig PATH: read only this kubeconfig file (live only). */
  kubeconfig?: string;
  /** --read-secrets (check only): read Secret payloads, to validate gateway certificates (IST0161). */
  readSecrets?: boolean;
  /** --allow-empty: a snapshot path that holds no objects is an empty cluster, not an input error. */
  allowEmpty?: boolean;
  /**
   * A run over several clusters of one mesh: `--context a --context b` (live, each named after its
   * context) or `--snapshot east=PATH --snapshot west=PATH`. Absent for a one-cluster run.
   */
  clusters?: ClusterOption[];
}

/** One named cluster of a run over several: a kubeconfig context, or snapshot paths. */
export type ClusterOption = { name: string; context: string } | { name: string; snapshots: string[] };

export interface CheckCommand {
  command: 'check';
  source: SourceOptions;
  /** --check ids, split on commas, in the order given. */
  checks: string[];
  /** --page slugs. */
  pages: string[];
  format: Format;
  failOn: FailOn;
  /** --verbose: text output with each finding's details. */
  verbose?: boolean;
  namespace?: string;
  output?: string;
  /** --record FILE: also save the run as a recorded result for the published site. */
  record?: string;
  /** --suppress "CODE=Kind name[.namespace]" values, as given (istioctl's syntax). */
  suppress?: string[];
  /** --config FILE: the project config instead of ./meshbook.yaml. */
  config?: string;
  /** --with FILE|DIR values: proposed objects to apply over the source (what-if). */
  with?: string[];
  /** --mesh-config FILE: a MeshConfig read instead of the `mesh` key of ConfigMap istio-system/istio. */
  meshConfig?: string;
  /** --mesh-networks FILE: a MeshNetworks read instead of that ConfigMap's `meshNetworks` key. */
  meshNetworks?: string;
}

/** `meshbook snapshot`: write what the selected checks read to YAML files in a directory. */
export interface SnapshotCommand {
  command: 'snapshot';
  source: SourceOptions;
  checks: string[];
  pages: string[];
  namespace?: string;
  /** --output DIR (required). */
  output: string;
}

export const EXPLAIN_FORMATS = ['text', 'json'] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

/** `meshbook explain`: why a pod can or cannot open a connection to a Service port. */
export interface ExplainCommand {
  command: 'explain';
  source: SourceOptions;
  /** --from NS/POD (a pod name, or a workload name as the matrix rows show). */
  from: { namespace: string; name: string };
  /** --to NS/SERVICE:PORT (the Service port, by number or name). */
  to: { namespace: string; service: string; port: string };
  format: ExplainFormat;
}

export interface ListCommand {
  command: 'list';
  format: ListFormat;
}

export type Command =
  CheckCommand | SnapshotCommand | ListCommand | ExplainCommand | { command: 'help'; topic?: HelpTopic } | { command: 'version' };

/** The commands `meshbook help TOPIC` knows. */
export type HelpTopic = 'check' | 'snapshot' | 'list' | 'explain';

const CHECK_OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  context: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  check: { type: 'string', multiple: true },
  page: { type: 'string', multiple: true },
  format: { type: 'string', short: 'f' },
  'fail-on': { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  record: { type: 'string' },
  'read-secrets': { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  verbose: { type: 'boolean' },
  suppress: { type: 'string', multiple: true, short: 'S' },
  config: { type: 'string' },
  with: { type: 'string', multiple: true },
  'mesh-config': { type: 'string' },
  'mesh-networks': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const SNAPSHOT_OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  context: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  check: { type: 'string', multiple: true },
  page: { type: 'string', multiple: true },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  'allow-empty': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const EXPLAIN_OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string', short: 'f' },
  'allow-empty': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const LIST_OPTIONS = {
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

// A Kubernetes namespace name is a DNS-1123 label.
const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses the whole argv (without node and the script) into a command. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      throw new UsageError('No command given. Run "meshbook --help" for usage.');
    case '-h':
    case '--help':
      return { command: 'help' };
    case 'help':
      return helpFor(rest[0]);
    case '-v':
    case '--version':
      return { command: 'version' };
    case 'check':
      return parseCheck(rest);
    case 'snapshot':
      return parseSnapshot(rest);
    case 'list':
      return parseList(rest);
    case 'explain':
      return parseExplain(rest);
    default:
      throw new UsageError(
        `Unknown command ${JSON.stringify(first)}. Commands: check, snapshot, explain, list, help. Run "meshbook --help" for usage.`,
      );
  }
}

function helpFor(topic: string | undefined): Command {
  if (topic === undefined) return { command: 'help' };
  if (topic === 'check' || topic === 'snapshot' || topic === 'list' || topic === 'explain') return { command: 'help', topic };
  throw new UsageError(`No help for ${JSON.stringify(topic)}. Topics: check, snapshot, explain, list.`);
}

function parseCheck(args: string[]): Command {
  const { values } = parseStrict(args, CHECK_OPTIONS, 'check');
  if (values.help === true) return { command: 'help', topic: 'check' };
  const source = sourceOptions(values);
  if (values['read-secrets'] === true) source.readSecrets = true;
  const checks = nonEmpty(
    (values.check ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()),
    '--check',
  );
  const pages = nonEmpty(values.page ?? [], '--page');
  const command: CheckCommand = {
    command: 'check',
    source,
    checks,
    pages,
    format: oneOf(values.format ?? 'text', FORMATS, '--format'),
    failOn: oneOf(values['fail-on'] ?? 'error', FAIL_ON, '--fail-on'),
  };
  if (values.suppress !== undefined) command.suppress = values.suppress.map(suppressValue);
  if (values.verbose === true) command.verbose = true;
  if (values.config !== undefined) {
    if (values.config === '') throw new UsageError('--config needs a file name, received "".');
    command.config = values.config;
  }
  if (values.namespace !== undefined) command.namespace = namespaceOf(values.namespace);
  if (values.output !== undefined) {
    if (values.output === '') throw new UsageError('--output needs a file name, received "".');
    command.output = values.output;
  }
  if (values.record !== undefined) {
    if (values.record === '') throw new UsageError('--record needs a file name, received "".');
    command.record = values.record;
  }
  if (source.clusters !== undefined) {
    // Both read one cluster: a record is one cluster's results, a what-if one cluster's change.
    for (const flag of ['record', 'with'] as const)
      if (values[flag] !== undefined)
        throw new UsageError(
          `--${flag} works on one cluster; it cannot be combined with a run over several (${source.clusters.map((c) => c.name).join(', ')}).`,
        );
  }
  if (values.with !== undefined) {
    // A record is what the cluster is; a what-if run describes a cluster that does not exist.
    if (command.record !== undefined)
      throw new UsageError('--record saves the cluster as it is; it cannot be combined with --with, which checks a proposed change.');
    command.with = nonEmpty(values.with, '--with');
  }
  for (const flag of ['mesh-config', 'mesh-networks'] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    if (value === '') throw new UsageError(`--${flag} needs a file name, received "".`);
    // A record is what the cluster is; these flags describe a meshConfig it does not have.
    if (command.record !== undefined)
      throw new UsageError(
        `--record saves the cluster as it is; it cannot be combined with --${flag}, which replaces the cluster's meshConfig.`,
      );
    if (flag === 'mesh-config') command.meshConfig = value;
    else command.meshNetworks = value;
  }
  return command;
}

// istioctl's form: exactly one `=` between a code and a resource name.
function suppressValue(value: string): string {
  const rule = parseSuppressFlag(value);
  if (rule === undefined || rule.code === '' || rule.resource === '')
    throw new UsageError(
      `--suppress takes CODE=RESOURCE, e.g. --suppress "IST0102=Namespace frod" or "IST0107=Pod *.baz", received ${JSON.stringify(value)}.`,
    );
  return value;
}

function parseSnapshot(args: string[]): Command {
  const { values } = parseStrict(args, SNAPSHOT_OPTIONS, 'snapshot');
  if (values.help === true) return { command: 'help', topic: 'snapshot' };
  if (values.output === undefined || values.output === '') {
    throw new UsageError(
      `meshbook snapshot needs --output DIR (a new or empty directory to write the YAML files to)${values.output === '' ? ', received ""' : ''}.`,
    );
  }
  const command: SnapshotCommand = {
    command: 'snapshot',
    source: sourceOptions(values),
    checks: nonEmpty(
      (values.check ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()),
      '--check',
    ),
    pages: nonEmpty(values.page ?? [], '--page'),
    output: values.output,
  };
  if (values.namespace !== undefined) command.namespace = namespaceOf(values.namespace);
  return command;
}

// --snapshot, or a live cluster chosen with --context / --kubeconfig (never both); several
// --context flags or named --snapshot values make a run over several clusters.
function sourceOptions(values: {
  snapshot?: string[];
  context?: string | string[];
  kubeconfig?: string;
  'allow-empty'?: boolean;
}): SourceOptions {
  const contexts = values.context === undefined ? [] : [values.context].flat();
  const named = namedSnapshots(nonEmpty(values.snapshot ?? [], '--snapshot'));
  const source: SourceOptions = { snapshots: named === undefined ? (values.snapshot ?? []) : named.flatMap((c) => c.snapshots) };
  if (named !== undefined) source.clusters = named;
  if (contexts.length > 1) {
    const seen = contexts.find((c, i) => contexts.indexOf(c) !== i);
    if (seen !== undefined) throw new UsageError(`--context ${JSON.stringify(seen)} is given twice; each cluster is read once.`);
    if (source.snapshots.length > 0)
      throw new UsageError(
        `--context selects live clusters and --snapshot snapshots; pass one or the other (received --context ${JSON.stringify(contexts[0])} and --snapshot ${JSON.stringify(values.snapshot![0])}).`,
      );
    source.clusters = contexts.map((context) => ({ name: context, context }));
  }
  if (values['allow-empty'] === true) {
    if (source.snapshots.length === 0) throw new UsageError('--allow-empty applies to --snapshot paths; a live cluster is never empty.');
    source.allowEmpty = true;
  }
  for (const flag of ['context', 'kubeconfig'] as const) {
    const value = flag === 'context' ? (contexts.length === 1 ? contexts[0] : undefined) : values[flag];
    if (value === undefined) continue;
    if (value.trim() === '') throw new UsageError(`--${flag} needs a value, received ${JSON.stringify(value)}.`);
    if (source.snapshots.length > 0) {
      throw new UsageError(
        `--${flag} selects a live cluster and --snapshot a snapshot; pass one or the other (received --${flag} ${JSON.stringify(value)} and --snapshot ${JSON.stringify(source.snapshots[0])}).`,
      );
    }
    source[flag] = value;
  }
  return source;
}

// `east=PATH`: a cluster name (a DNS label, or a context-like name) then `=`. A path that would
// read as one is written `./east=PATH`.
const NAMED_SNAPSHOT = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/;

// Named snapshot values as clusters (in the order first named; a name given twice adds paths),
// undefined when none is named. Mixing named and unnamed values is an error: which cluster
// would the unnamed paths belong to?
function namedSnapshots(values: readonly string[]): { name: string; snapshots: string[] }[] | undefined {
  const parsed = values.map((v) => ({ value: v, match: NAMED_SNAPSHOT.exec(v) }));
  if (parsed.every((p) => p.match === null)) return undefined;
  const unnamed = parsed.find((p) => p.match === null);
  if (unnamed !== undefined) {
    const first = parsed.find((p) => p.match !== null)!;
    throw new UsageError(
      `--snapshot values are all named (NAME=PATH, one cluster each) or none is: received ${JSON.stringify(first.value)} and ${JSON.stringify(unnamed.value)}. Name every cluster (e.g. --snapshot east=./east --snapshot west=./west); a path that itself holds "=" is written with a leading ./ (./a=b.yaml).`,
    );
  }
  const clusters: { name: string; snapshots: string[] }[] = [];
  for (const p of parsed) {
    const [, name, path] = p.match!;
    if (path === '') throw new UsageError(`--snapshot ${JSON.stringify(p.value)} names cluster ${name} but no path.`);
    const known = clusters.find((c) => c.name === name);
    if (known === undefined) clusters.push({ name: name!, snapshots: [path!] });
    else known.snapshots.push(path!);
  }
  return clusters;
}

function namespaceOf(value: string): string {
  if (!NAMESPACE_PATTERN.test(value)) {
    throw new UsageError(
      `--namespace must be a Kubernetes namespace name (lower-case letters, digits and '-', at most 63 characters), received ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

// Object names are DNS-1123 subdomains (pods) or labels (Services); a port is a number or an IANA-style name.
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const PORT = /^([1-9][0-9]{0,4}|[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?)$/;

function parseExplain(args: string[]): Command {
  const { values } = parseStrict(args, EXPLAIN_OPTIONS, 'explain');
  if (values.help === true) return { command: 'help', topic: 'explain' };
  if (values.from === undefined || values.to === undefined) {
    throw new UsageError(
      `meshbook explain needs --from NS/POD and --to NS/SERVICE:PORT (missing ${values.from === undefined ? '--from' : '--to'}). Run "meshbook explain --help" for usage.`,
    );
  }
  const from = /^([^/]*)\/([^/]*)$/.exec(values.from);
  if (from === null || !NAMESPACE_PATTERN.test(from[1]!) || !OBJECT_NAME.test(from[2]!)) {
    throw new UsageError(
      `--from must be NAMESPACE/POD (or NAMESPACE/WORKLOAD), e.g. bookinfo/productpage-v1; received ${JSON.stringify(values.from)}.`,
    );
  }
  const to = /^([^/]*)\/([^/:]*):([^/:]*)$/.exec(values.to);
  if (to === null || !NAMESPACE_PATTERN.test(to[1]!) || !OBJECT_NAME.test(to[2]!) || !PORT.test(to[3]!)) {
    throw new UsageError(
      `--to must be NAMESPACE/SERVICE:PORT (a port number or name), e.g. bookinfo/ratings:9080; received ${JSON.stringify(values.to)}.`,
    );
  }
  const source = sourceOptions(values);
  // A connection runs inside one cluster: explain reads one.
  if (source.clusters !== undefined && source.clusters.length > 1)
    throw new UsageError('meshbook explain reads one cluster; pass one --snapshot or --context.');
  return {
    command: 'explain',
    source,
    from: { namespace: from[1]!, name: from[2]! },
    to: { namespace: to[1]!, service: to[2]!, port: to[3]! },
    format: oneOf(values.format ?? 'text', EXPLAIN_FORMATS, '--format'),
  };
}

function parseList(args: string[]): Command {
  const { values } = parseStrict(args, LIST_OPTIONS, 'list');
  if (values.help === true) return { command: 'help', topic: 'list' };
  return { command: 'list', format: oneOf(values.format ?? 'text', LIST_FORMATS, '--format') };
}

// parseArgs throws TypeErrors with codes; they become usage errors pointing at the help.
function parseStrict<T extends ParseArgsOptionsConfig>(args: string[], options: T, command: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`${message} Run "meshbook ${command} --help" for usage.`, { cause });
  }
}

function oneOf<const T extends readonly string[]>(value: string, allowed: T, flag: string): T[number] {
  if ((allowed as readonly string[]).includes(value)) return value as T[number];
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; received ${JSON.stringify(value)}.`);
}

function nonEmpty(values: string[], flag: string): string[] {
  if (values.some((v) => v === '')) throw new UsageError(`${flag} needs a value, received "".`);
  return values;
}
