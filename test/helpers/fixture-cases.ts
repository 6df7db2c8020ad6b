// Reads the expectation header of the check fixtures (test/fixtures/README.md): the cases the
// grid in test/checks/grid.test.ts runs. A header that does not parse is an error, never a
// comment: an expectation nothing reads drifts from what the check does.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { CheckStatus } from '../../src/engine/types.ts';
import { times } from './times.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Folders under test/fixtures/ that hold no cases, and why. */
export const NOT_CASE_FOLDERS: Readonly<Record<string, string>> = {
  shared: 'preambles that cases include with `# with:`',
  e2e: 'snapshots for the browser tests (test/e2e), deliberately odd',
};

const STATUSES: readonly CheckStatus[] = ['pass', 'warn', 'fail', 'error', 'skipped'];
const OPTIONS = ['read-secrets'] as const;
type CaseOption = (typeof OPTIONS)[number];
const DIRECTIVE = /^# (case|with|options|status|expect|why):(?: (.*))?$/;
// `#` alone, or `#` and at least two spaces: a continuation of the `why` above it.
const CONTINUATION = /^#(?: {2,}.*)?$/;
const FINDING = /^((?:IST|MB)\d{4}) ([A-Z][A-Za-z]*) (\S+?)(?: ×([1-9]\d*))?$/;
// `east:ns/name`: the cluster of a finding in a case over several clusters (Kubernetes names hold no colon).
const CLUSTER_PREFIX = /^([a-z0-9][a-z0-9-]*):(.+)$/;

/** The file of a case folder that holds its header (the other files are one cluster each). */
export const CASE_HEADER = 'case.yaml';

/** One cluster of a case over several: its name and the files it is read from (preambles first). */
export interface FixtureCluster {
  name: string;
  files: string[];
}

/** One run of a check: the case file (after its `with` files) in, exactly `expected` out. */
export interface FixtureCase {
  /** The check, named by the folder. */
  check: string;
  /** The case file, relative to test/fixtures/. */
  file: string;
  /** `file`, or `file [case name]` for a further case of the same file. */
  name: string;
  /** Every file the run reads, relative to test/fixtures/: preambles first, the case file last (every cluster's, for a case folder). */
  files: string[];
  /** A case folder: the clusters of the run, in name order, each with its files. */
  clusters?: FixtureCluster[];
  options: CaseOption[];
  /** The result status when the case is about it; otherwise anything but error. */
  status?: CheckStatus;
  /** (code, `Kind ns/name`) pairs, sorted: a multiset. */
  expected: [code: string, resource: string][];
  why: string;
}

/** A case as its header states it: `with` names the preambles, relative to test/fixtures/, not yet resolved. */
export interface ParsedCase extends Omit<FixtureCase, 'files' | 'clusters'> {
  with: string[];
}

/** A header line that does not parse, with where it is. */
export class HeaderError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`test/fixtures/${file}:${line}: ${message}`);
  }
}

interface Draft {
  name?: string;
  line: number;
  with: string[];
  options: CaseOption[];
  status?: CheckStatus;
  expected: [string, string][];
  nothing: boolean;
  why: string[];
}

/** The leading `#` lines of a fixture: its header. */
export function headerOf(text: string): string[] {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('#'));
  return lines.slice(0, end < 0 ? lines.length : end);
}

/**
 * The cases the header of `file` (relative to test/fixtures/) states; throws a HeaderError when a
 * line does not parse. `clusters`: the cluster names of a case folder, which expectations may name.
 */
export function parseHeader(text: string, file: string, clusters?: readonly string[]): ParsedCase[] {
  return parseDrafts(text, file, clusters).map((d) => toCase(d, file));
}

function parseDrafts(text: string, file: string, clusters?: readonly string[]): Draft[] {
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  let inWhy = false;
  const fresh = (line: number, name?: string): Draft => ({
    ...(name === undefined ? {} : { name }),
    line,
    with: [],
    options: [],
    expected: [],
    nothing: false,
    why: [],
  });
  headerOf(text).forEach((raw, i) => {
    const line = i + 1;
    const fail = (message: string): never => {
      throw new HeaderError(file, line, `${message}: ${JSON.stringify(raw)}`);
    };
    const directive = DIRECTIVE.exec(raw);
    if (directive === null) {
      if (!CONTINUATION.test(raw))
        fail('not a directive (case, with, options, status, expect, why) nor a continuation of `why` (indent by two spaces)');
      if (raw.trim() !== '#') {
        if (!inWhy) fail('a continuation line must follow `why`');
        current!.why.push(raw.slice(1).trim());
      }
      return;
    }
    const key = directive[1]!;
    const value = (directive[2] ?? '').trim();
    inWhy = key === 'why';
    if (key === 'case') {
      if (current === undefined) fail('the first case is the file itself: `case` starts a further one');
      if (!/^[a-z0-9][a-z0-9-]*$/.test(value)) fail('a case name is kebab-case');
      if (drafts.some((d) => d.name === value)) fail('a case name is used twice');
      drafts.push((current = fresh(line, value)));
      return;
    }
    if (current === undefined) drafts.push((current = fresh(line)));
    const draft = current;
    if (value === '') fail(`\`${key}\` needs a value`);
    switch (key) {
      case 'with':
        draft.with.push(...value.split(/\s+/));
        break;
      case 'options':
        for (const option of value.split(/\s+/)) {
          if (!(OPTIONS as readonly string[]).includes(option)) fail(`unknown option "${option}" (known: ${OPTIONS.join(', ')})`);
          draft.options.push(option as CaseOption);
        }
        break;
      case 'status':
        if (draft.status !== undefined) fail('a case has one status');
        if (!(STATUSES as readonly string[]).includes(value)) fail(`unknown status "${value}" (known: ${STATUSES.join(', ')})`);
        draft.status = value as CheckStatus;
        break;
      case 'expect': {
        if (value === 'nothing') {
          draft.nothing = true;
          break;
        }
        const finding = FINDING.exec(value);
        if (finding === null)
          fail('an expectation is `nothing` or `CODE Kind namespace/name` (or `CODE Kind name`), optionally followed by ×N');
        const [, code, kind, name, count] = finding!;
        const cluster = CLUSTER_PREFIX.exec(name!)?.[1];
        if (cluster !== undefined && clusters === undefined)
          fail('a cluster (`east:ns/name`) is named only in a case folder with one file per cluster');
        if (cluster !== undefined && !clusters!.includes(cluster))
          fail(`no cluster "${cluster}" in this case folder (its clusters: ${clusters!.join(', ')})`);
        draft.expected.push(...times(Number(count ?? 1), [code!, `${kind} ${name}`] as [string, string]));
        break;
      }
      case 'why':
        draft.why.push(value);
        break;
    }
  });
  if (drafts.length === 0) throw new HeaderError(file, 1, 'no header: a case file starts with `# expect:` lines and a `# why:`');
  for (const d of drafts) {
    const where = (message: string): HeaderError =>
      new HeaderError(file, d.line, `${d.name === undefined ? 'the case' : `case ${d.name}`}: ${message}`);
    if (d.nothing && d.expected.length > 0) throw where('`expect: nothing` and findings at once');
    if (!d.nothing && d.expected.length === 0) throw where('no `expect:` line (write `# expect: nothing` for a case without findings)');
    if (d.why.join(' ').trim() === '') throw where('no `why:`: say what the case shows');
  }
  return drafts;
}

function toCase(d: Draft, file: string): ParsedCase {
  return {
    check: file.split('/')[0]!,
    file,
    name: d.name === undefined ? file : `${file} [${d.name}]`,
    with: d.with.map((w) => relative(FIXTURES, join(FIXTURES, dirname(file), w))),
    options: d.options,
    ...(d.status === undefined ? {} : { status: d.status }),
    expected: [...d.expected].sort(),
    why: d.why.join(' ').trim(),
  };
}

/** Every `.yaml` file of a folder under test/fixtures/, relative to test/fixtures/. */
export function fixtureFiles(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${folder}/${f}`);
}

/** Every case folder (a case over several clusters) of a check's folder, relative to test/fixtures/. */
export function caseDirs(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURES, folder, e.name, CASE_HEADER)))
    .map((e) => `${folder}/${e.name}`)
    .sort();
}

/** Whether a path (absolute, or relative to test/fixtures/) is the header of a case folder: no snapshot, only directives. */
export function isCaseHeader(path: string): boolean {
  return basename(path) === CASE_HEADER && relative(FIXTURES, resolve(FIXTURES, path)).split(/[\\/]/).length === 3;
}

/** The folders under test/fixtures/ that hold cases: one per check. */
export function caseFolders(): string[] {
  return readdirSync(FIXTURES)
    .filter(
      (d) =>
        !(d in NOT_CASE_FOLDERS) && statSync(join(FIXTURES, d)).isDirectory() && (fixtureFiles(d).length > 0 || caseDirs(d).length > 0),
    )
    .sort();
}

/**
 * The cases of one case file or case folder (relative to test/fixtures/), with `with` resolved
 * (transitively, preambles first; in a folder, before each cluster's file).
 */
export function casesOf(file: string): FixtureCase[] {
  if (statSync(join(FIXTURES, file)).isDirectory()) return folderCasesOf(file);
  return parseHeader(readFileSync(join(FIXTURES, file), 'utf8'), file).map(({ with: preambles, ...rest }) => ({
    ...rest,
    files: [...resolveWith(preambles, [file]), file],
  }));
}

// A case folder: `case.yaml` states the cases, every other `.yaml` file is one cluster.
function folderCasesOf(dir: string): FixtureCase[] {
  const header = `${dir}/${CASE_HEADER}`;
  const names = fixtureFiles(dir)
    .filter((f) => f !== header)
    .map((f) => basename(f, '.yaml'));
  if (names.length < 2) throw new HeaderError(header, 1, `a case folder holds one file per cluster, at least two (found ${names.length})`);
  const text = readFileSync(join(FIXTURES, header), 'utf8');
  if (text.split('\n').some((l) => l.trim() !== '' && !l.startsWith('#')))
    throw new HeaderError(header, 1, 'holds only the header: the objects go in the files of the clusters');
  return parseHeader(text, header, names).map(({ with: preambles, name, file: _file, ...rest }) => {
    const before = resolveWith(preambles, [header]);
    const clusters = names.map((n) => ({ name: n, files: [...before, `${dir}/${n}.yaml`] }));
    return {
      ...rest,
      file: dir,
      name: name === header ? dir : name.replace(header, dir),
      files: [...before, ...clusters.map((c) => c.files.at(-1)!)],
      clusters,
    };
  });
}

/** Every case of every case folder, and the files whose header does not parse. */
export function loadCases(): { cases: FixtureCase[]; errors: Error[] } {
  const cases: FixtureCase[] = [];
  const errors: Error[] = [];
  for (const file of caseFolders().flatMap((folder) => [...fixtureFiles(folder), ...caseDirs(folder)])) {
    try {
      cases.push(...casesOf(file));
    } catch (error) {
      errors.push(error as Error);
    }
  }
  return { cases, errors };
}

// A preamble may itself be a case file with preambles of its own: those come first. Shared
// preambles carry no directives, so they include nothing.
function resolveWith(files: readonly string[], seen: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    if (seen.includes(file)) throw new Error(`test/fixtures/${seen[0]}: \`with\` goes round in a circle through ${file}`);
    let text: string;
    try {
      text = readFileSync(join(FIXTURES, file), 'utf8');
    } catch (cause) {
      throw new Error(`test/fixtures/${seen[0]}: \`with\` names ${file}, which cannot be read`, { cause });
    }
    const nested = headerOf(text).some((l) => DIRECTIVE.test(l)) ? (parseDrafts(text, file)[0]?.with ?? []) : [];
    const resolved = nested.map((w) => relative(FIXTURES, join(FIXTURES, dirname(file), w)));
    for (const f of [...resolveWith(resolved, [...seen, file]), file]) if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Whether a header line is a directive: shared preambles and other files must carry none. */
export function isDirective(line: string): boolean {
  return DIRECTIVE.test(line);
}
