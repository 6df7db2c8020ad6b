// Reads the expectation header of the check fixtures (test/fixtures/README.md): the cases the
// grid in test/checks/grid.test.ts runs. A header that does not parse is an error, never a
// comment: an expectation nothing reads drifts from what the check does.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/** One run of a check: the case file (after its `with` files) in, exactly `expected` out. */
export interface FixtureCase {
  /** The check, named by the folder. */
  check: string;
  /** The case file, relative to test/fixtures/. */
  file: string;
  /** `file`, or `file [case name]` for a further case of the same file. */
  name: string;
  /** Every file the run reads, relative to test/fixtures/: preambles first, the case file last. */
  files: string[];
  options: CaseOption[];
  /** The result status when the case is about it; otherwise anything but error. */
  status?: CheckStatus;
  /** (code, `Kind ns/name`) pairs, sorted: a multiset. */
  expected: [code: string, resource: string][];
  why: string;
}

/** A case as its header states it: `with` names the preambles, relative to test/fixtures/, not yet resolved. */
export interface ParsedCase extends Omit<FixtureCase, 'files'> {
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

/** The cases the header of `file` (relative to test/fixtures/) states; throws a HeaderError when a line does not parse. */
export function parseHeader(text: string, file: string): ParsedCase[] {
  return parseDrafts(text, file).map((d) => toCase(d, file));
}

function parseDrafts(text: string, file: string): Draft[] {
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

/** The folders under test/fixtures/ that hold cases: one per check. */
export function caseFolders(): string[] {
  return readdirSync(FIXTURES)
    .filter((d) => !(d in NOT_CASE_FOLDERS) && statSync(join(FIXTURES, d)).isDirectory() && fixtureFiles(d).length > 0)
    .sort();
}

/** The cases of one case file (relative to test/fixtures/), with `with` resolved (transitively, preambles first). */
export function casesOf(file: string): FixtureCase[] {
  return parseHeader(readFileSync(join(FIXTURES, file), 'utf8'), file).map(({ with: preambles, ...rest }) => ({
    ...rest,
    files: [...resolveWith(preambles, [file]), file],
  }));
}

/** Every case of every case folder, and the files whose header does not parse. */
export function loadCases(): { cases: FixtureCase[]; errors: Error[] } {
  const cases: FixtureCase[] = [];
  const errors: Error[] = [];
  for (const file of caseFolders().flatMap(fixtureFiles)) {
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
