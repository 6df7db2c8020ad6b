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
}

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
  context: { type: 'string' },
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
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const SNAPSHOT_OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  context: { type: 'string' },
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
  if (values.with !== undefined) {
    // A record is what the cluster is; a what-if run describes a cluster that does not exist.
    if (command.record !== undefined)
      throw new UsageError('--record saves the cluster as it is; it cannot be combined with --with, which checks a proposed change.');
    command.with = nonEmpty(values.with, '--with');
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

// --snapshot, or a live cluster chosen with --context / --kubeconfig (never both).
function sourceOptions(values: { snapshot?: string[]; context?: string; kubeconfig?: string; 'allow-empty'?: boolean }): SourceOptions {
  const source: SourceOptions = { snapshots: nonEmpty(values.snapshot ?? [], '--snapshot') };
  if (values['allow-empty'] === true) {
    if (source.snapshots.length === 0) throw new UsageError('--allow-empty applies to --snapshot paths; a live cluster is never empty.');
    source.allowEmpty = true;
  }
  for (const flag of ['context', 'kubeconfig'] as const) {
    const value = values[flag];
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
  return {
    command: 'explain',
    source: sourceOptions(values),
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
