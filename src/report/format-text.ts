// The renderer for people at a terminal: one line per check, one line per finding under it
// (severity, code, resource, message), and a summary; `verbose` adds each finding's file and
// line, evidence, what to do and links. Cluster data is printed with its control characters
// made visible, so a crafted name or annotation cannot drive the terminal.

import { styleText } from 'node:util';
import {
  STATUS_WORDS,
  type CheckResult,
  type CheckStatus,
  type Finding,
  type ReachabilityMatrix,
  type ReadCount,
  type RunReport,
  type Severity,
  type WhatIf,
} from '../engine/types.ts';
import { codeDocsPath } from '../engine/codes.ts';
import { matrixCounts, problemPairs, reachabilityMatrices } from '../engine/reachability-matrix.ts';
import { count, friendlyName } from './display.ts';
import { siteLink } from './site-url.ts';
import { printable } from '../engine/display-text.ts';

export interface TextOptions {
  /** ANSI colour; main decides from the TTY, NO_COLOR and FORCE_COLOR. */
  color: boolean;
  /** Each finding's location, evidence, what to do and links, and every blocked pair of a matrix. */
  verbose?: boolean;
  /** The published guide's URL: links become full URLs under it (site-relative paths otherwise). */
  siteUrl?: string;
}

type Style = Parameters<typeof styleText>[0];

const STATUS_STYLE: Record<CheckStatus, Style> = {
  pass: 'green',
  warn: 'yellow',
  fail: 'red',
  error: ['magenta', 'bold'],
  skipped: 'gray',
};

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

const STATUS_WIDTH = 7; // "Warning", "Skipped"
const CODE_WIDTH = 7; // IST0101; MB codes are one shorter
const DETAIL_INDENT = ' '.repeat(2 + STATUS_WIDTH + 2);

/** Renders a run report for a terminal or a log. */
export function formatText(report: RunReport, options: TextOptions): string {
  const paint = (style: Style, text: string): string => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const lines: string[] = [];
  const t = report.target;
  lines.push(`${paint('bold', 'Target:')} ${printable(t.name)} ${paint('dim', `(${t.type === 'live' ? 'live cluster' : 'snapshot'})`)}`);
  // Which cluster a live run read, so a report is never mistaken for another context's.
  if (t.type === 'live')
    lines.push(
      `${paint('dim', 'context:')} ${printable(t.context ?? t.name)}  ${paint('dim', 'cluster:')} ${printable(t.cluster ?? '?')}  ${paint('dim', 'server:')} ${printable(t.server ?? '?')}`,
    );
  // A run over several clusters: each on its line, and one that could not be read said once, here.
  for (const c of report.clusters ?? []) {
    const kind = paint('dim', `(${c.target.type === 'live' ? 'live cluster' : 'snapshot'})`);
    const state =
      c.problem === undefined
        ? paint('dim', `read ${readPhrase(c.read)}`)
        : `${paint(STATUS_STYLE.error, 'cannot read it:')} ${printable(c.problem.message)}`;
    lines.push(`  ${paint('bold', `${printable(c.name)}:`)} ${printable(c.target.name)} ${kind} — ${state}`);
  }
  // A source that could not be read is said once, here, not again under every check.
  if (report.problem !== undefined)
    lines.push(`${paint(STATUS_STYLE.error, 'Cannot read the cluster:')} ${printable(report.problem.message)}`);
  // An expired rule suppresses nothing: say so before the findings it lets through.
  for (const e of report.expiredSuppressions ?? [])
    lines.push(
      `${paint('yellow', 'Expired suppression:')} ${printable(`${e.code}=${e.resource}`)} ended ${printable(e.until)} (${printable(e.reason)}); its findings are reported again.`,
    );
  lines.push('');

  const verbose = options.verbose === true;
  const link = (path: string): string => printable(siteLink(path, options.siteUrl));
  if (report.whatIf !== undefined) lines.push(...whatIfLines(report.whatIf, paint, verbose ? link : undefined));
  for (const check of report.checks) {
    const word = paint(STATUS_STYLE[check.status], STATUS_WORDS[check.status].padEnd(STATUS_WIDTH));
    const read = check.read === undefined ? '' : `  ${paint('dim', `(read ${readPhrase(check.read)})`)}`;
    lines.push(`${word}  ${paint('bold', printable(check.id))} — ${printable(check.title)}${read}`);
    const reason = check.reason === report.problem?.message ? undefined : check.reason;
    if (reason !== undefined) lines.push(`${DETAIL_INDENT}${printable(reason)}`);
    for (const finding of check.findings) lines.push(...(verbose ? findingLines(finding, paint, link) : [findingLine(finding, paint)]));
    const suppressed = check.suppressed ?? [];
    if (suppressed.length > 0) {
      lines.push(`${DETAIL_INDENT}${paint('dim', `${suppressed.length} suppressed${verbose ? ':' : ' (--verbose lists them)'}`)}`);
      if (verbose)
        for (const f of suppressed)
          lines.push(`${findingHead(f, paint)} — ${paint('dim', `suppressed by ${printable(f.suppression.reason)}`)}`);
    }
    if (check.truncated !== undefined && check.truncated > 0) {
      lines.push(`${DETAIL_INDENT}${paint('dim', `… ${count(check.truncated, 'more finding')} not shown (output bound reached)`)}`);
    }
    const matrices = reachabilityMatrices(check.attachments);
    for (const matrix of matrices) lines.push(...(verbose ? matrixLines(matrix, paint) : matrixLines(matrix, paint).slice(0, 1)));
    // One link per check in the short form: the guide section that explains its findings.
    const docs = check.findings.find((f) => f.docs !== undefined)?.docs;
    if (!verbose && docs !== undefined) lines.push(`${DETAIL_INDENT}${paint('dim', `guide: ${link(docs)}`)}`);
    if (verbose && (check.findings.length > 0 || reason !== undefined || matrices.length > 0)) lines.push('');
  }
  if (lines.at(-1) !== '') lines.push('');
  const detailed = report.checks.some((c) => c.findings.length > 0 || reachabilityMatrices(c.attachments).length > 0);
  if (!verbose && detailed) lines.push(paint('dim', "Each finding's evidence, what to do and links: add --verbose."));
  lines.push(
    paint(
      report.problem === undefined ? 'dim' : STATUS_STYLE.error,
      report.problem === undefined ? `Read ${readPhrase(report.read)}.` : 'Read nothing: the cluster could not be read (see the top).',
    ),
  );
  const suppressedTotal = report.checks.reduce((n, c) => n + (c.suppressed?.length ?? 0), 0);
  lines.push(paint('bold', `${summaryLine(report.checks)}${suppressedTotal > 0 ? `, ${suppressedTotal} suppressed` : ''}`));
  return `${lines.join('\n')}\n`;
}

// What the proposed objects change, before the run with them: the answer the user asked for.
function whatIfLines(whatIf: WhatIf, paint: (style: Style, text: string) => string, link?: (path: string) => string): string[] {
  const files = whatIf.files.map(printable).join(', ');
  const lines = [
    `${paint('bold', `What-if: ${whatIf.added.length} added, ${whatIf.fixed.length} fixed`)} ${paint('dim', `(applying ${files})`)}`,
  ];
  const list = (word: string, style: Style, findings: readonly Finding[]): void => {
    if (findings.length === 0) return;
    lines.push(`${paint(style, word)}`);
    for (const f of findings) lines.push(...(link === undefined ? [findingLine(f, paint)] : findingLines(f, paint, link)));
  };
  list('Added by the change:', 'red', whatIf.added);
  list('Fixed by the change:', 'green', whatIf.fixed);
  if (whatIf.added.length === 0 && whatIf.fixed.length === 0) lines.push(paint('dim', 'The change adds and fixes no finding.'));
  lines.push('', paint('dim', 'The checks with the change applied:'), '');
  return lines;
}

// The short form: severity, code, resource and message on one line.
function findingLine(f: Finding, paint: (style: Style, text: string) => string): string {
  return `${findingHead(f, paint)} — ${printable(f.message)}`;
}

function findingHead(f: Finding, paint: (style: Style, text: string) => string): string {
  return `  ${paint(SEVERITY_STYLE[f.severity], f.severity.padEnd(STATUS_WIDTH))}  ${paint('bold', printable(f.code).padEnd(CODE_WIDTH))}  ${printable(friendlyName(f.resource))}`;
}

function findingLines(f: Finding, paint: (style: Style, text: string) => string, link: (path: string) => string): string[] {
  const lines = [findingHead(f, paint)];
  const detail = (text: string): void => {
    lines.push(`${DETAIL_INDENT}${text}`);
  };
  detail(printable(f.message));
  if (f.location !== undefined) detail(paint('dim', `at ${printable(f.location.file)}:${f.location.line}`));
  const evidence = Object.entries(f.evidence ?? {});
  if (evidence.length > 0) {
    detail(paint('dim', 'evidence:'));
    for (const [field, value] of evidence) detail(`  ${printable(field)}: ${printable(value)}`);
  }
  if (f.remediation !== undefined) detail(`${paint('dim', 'what to do:')} ${printable(f.remediation)}`);
  const links = [f.docs === undefined ? undefined : `docs: ${link(f.docs)}`, `code: ${link(codeDocsPath(f.code))}`].filter(
    (l) => l !== undefined,
  );
  detail(paint('dim', links.join(' · ')));
  return lines;
}

// Blocked pairs listed per matrix; the JSON output has every cell.
const MAX_MATRIX_PAIRS = 10;

/** A reachability matrix in a few lines: counts, then the first blocked pairs. */
export function matrixLines(matrix: ReachabilityMatrix, paint: (style: Style, text: string) => string = (_, t) => t): string[] {
  const counts = matrixCounts(matrix);
  const applicable = matrix.cells.length - counts['not-applicable'];
  const head = `Reachability: ${counts.blocked} of ${applicable} source → destination pairs blocked, ${counts.partial} partly blocked`;
  const lines = [`${DETAIL_INDENT}${paint('bold', head)} ${paint('dim', `(${printable(matrix.title)})`)}`];
  const pairs = problemPairs(matrix);
  for (const p of pairs.slice(0, MAX_MATRIX_PAIRS)) {
    const mark = p.cell.state === 'blocked' ? paint('red', '✕') : paint('yellow', '/');
    const detail = p.cell.detail === undefined ? '' : ` — ${printable(p.cell.detail)}`;
    lines.push(`${DETAIL_INDENT}  ${mark} ${printable(p.rowLabel)} → ${printable(p.columnLabel)}${detail}`);
  }
  if (pairs.length > MAX_MATRIX_PAIRS)
    lines.push(
      `${DETAIL_INDENT}  ${paint('dim', `… ${count(pairs.length - MAX_MATRIX_PAIRS, 'more blocked pair')} (--format json has every cell)`)}`,
    );
  return lines;
}

/** `412 objects of 5 kinds`. */
export function readPhrase(read: ReadCount): string {
  return `${count(read.objects, 'object')} of ${count(read.kinds, 'kind')}`;
}

/** `5 checks: 2 passed, 1 warning, 2 failed — 7 findings (3 errors, 4 warnings)`. */
export function summaryLine(checks: readonly CheckResult[]): string {
  const by = (s: CheckStatus): number => checks.filter((c) => c.status === s).length;
  const statuses = [
    [by('pass'), 'passed', 'passed'],
    [by('warn'), 'warning', 'warnings'],
    [by('fail'), 'failed', 'failed'],
    [by('error'), 'errored', 'errored'],
    [by('skipped'), 'skipped', 'skipped'],
  ] as const;
  const parts = statuses.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  const findings = checks.flatMap((c) => c.findings);
  const bySeverity = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const severities = [
    [bySeverity('error'), 'error', 'errors'],
    [bySeverity('warning'), 'warning', 'warnings'],
    [bySeverity('info'), 'info', 'info'],
  ] as const;
  const found =
    findings.length === 0
      ? 'no findings'
      : `${count(findings.length, 'finding')} (${severities
          .filter(([n]) => n > 0)
          .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
          .join(', ')})`;
  const head = `${count(checks.length, 'check')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  return `${head} — ${found}`;
}

/** Data made safe for a terminal (shared with the page): control and bidi characters become visible escapes. */
export { printable } from '../engine/display-text.ts';
