// The "Run all" panel's scoreboard: what the page's run found, at a glance. Checks by status,
// findings by severity, every runbook that did not pass linked (worst first), the passed ones on
// one line, and a severity filter that hides lesser findings page-wide. Text nodes only: titles
// are the page's own, but they travel through the DOM like everything else here.

import type { CheckStatus, Severity } from '../engine/types.ts';

/** One runbook's line on the board. */
export interface BoardEntry {
  id: string;
  title: string;
  status: CheckStatus | 'not-run';
  bySeverity: Partial<Record<Severity, number>>;
  /** Findings set aside by suppressions (listed under the runbook, not in `bySeverity`). */
  suppressed?: number;
}

/** Which findings the page shows: every one, or only those at least this severe. */
export type SeverityFilter = 'all' | 'warning' | 'error';

// Worst first, as an operator reads a summary.
const ORDER: readonly (CheckStatus | 'not-run')[] = ['fail', 'error', 'not-run', 'warn', 'skipped', 'pass'];
const STATUS_TEXT: Record<CheckStatus | 'not-run', string> = {
  fail: 'failed',
  error: 'errored',
  'not-run': 'not run',
  warn: 'warned',
  skipped: 'skipped',
  pass: 'passed',
};
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const SEVERITY_TEXT: Record<Severity, [string, string]> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  info: ['info', 'info'],
};
const FILTERS: readonly [SeverityFilter, string][] = [
  ['all', 'All'],
  ['warning', 'Errors and warnings'],
  ['error', 'Errors only'],
];

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string | null,
  ...children: (Node | string | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className !== null) el.className = className;
  for (const child of children) if (child !== false) el.append(child);
  return el;
}

function severityText(counts: Partial<Record<Severity, number>>): string {
  return SEVERITIES.filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${SEVERITY_TEXT[s][(counts[s] ?? 0) === 1 ? 0 : 1]}`)
    .join(', ');
}

function total(counts: Partial<Record<Severity, number>>): number {
  return SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

function runbookLink(entry: BoardEntry): HTMLAnchorElement {
  const a = h('a', null, entry.title);
  a.href = `#runbook-${entry.id}`;
  return a;
}

/** The board for `entries` (in page order); `filter` is the severity shown now. */
export function renderScoreboard(
  entries: readonly BoardEntry[],
  filter: SeverityFilter,
  onFilter: (filter: SeverityFilter) => void,
): HTMLElement {
  const byStatus = new Map<BoardEntry['status'], BoardEntry[]>();
  for (const e of entries) byStatus.set(e.status, [...(byStatus.get(e.status) ?? []), e]);
  const severities: Partial<Record<Severity, number>> = {};
  for (const e of entries) for (const s of SEVERITIES) severities[s] = (severities[s] ?? 0) + (e.bySeverity[s] ?? 0);

  const board = h('div', 'mb-board');
  board.dataset.scoreboard = '';
  const counts = h('p', 'mb-board-counts');
  for (const status of ORDER) {
    const n = byStatus.get(status)?.length ?? 0;
    if (n === 0) continue;
    const chip = h('span', 'mb-board-chip', `${n} ${STATUS_TEXT[status]}`);
    chip.dataset.status = status;
    counts.append(chip);
  }
  const found = total(severities);
  const findings = h(
    'p',
    'mb-board-findings',
    found === 0 ? 'No findings.' : `${found} finding${found === 1 ? '' : 's'}: ${severityText(severities)}.`,
  );
  findings.dataset.findings = String(found);
  const suppressed = entries.reduce((n, e) => n + (e.suppressed ?? 0), 0);
  if (suppressed > 0) {
    findings.append(` ${suppressed} suppressed, not counted (listed under their runbooks).`);
    findings.dataset.suppressed = String(suppressed);
  }
  board.append(counts, findings);

  const attention = ORDER.filter((s) => s !== 'pass').flatMap((s) => byStatus.get(s) ?? []);
  if (attention.length > 0) {
    const list = h('ul', 'mb-board-list');
    for (const e of attention) {
      const detail = total(e.bySeverity) === 0 ? '' : ` · ${severityText(e.bySeverity)}`;
      const li = h('li', null, h('span', 'mb-board-status', STATUS_TEXT[e.status]), ' ', runbookLink(e), detail);
      li.dataset.status = e.status;
      li.dataset.check = e.id;
      list.append(li);
    }
    board.append(list);
  }
  const passed = byStatus.get('pass') ?? [];
  if (passed.length > 0) {
    // Passed checks are good news, not work: one line, each still a link.
    const line = h('p', 'mb-board-passed', `${passed.length} passed: `);
    line.dataset.passed = String(passed.length);
    passed.forEach((e, i) => line.append(...(i === 0 ? [] : [', ']), runbookLink(e)));
    board.append(line);
  }

  if (found > 0) {
    const group = h('fieldset', 'mb-board-filter', h('legend', null, 'Show findings'));
    for (const [value, label] of FILTERS) {
      const input = h('input', null);
      input.type = 'radio';
      input.name = 'mb-severity-filter';
      input.value = value;
      input.checked = value === filter;
      input.addEventListener('change', () => input.checked && onFilter(value));
      group.append(h('label', null, input, ` ${label}`));
    }
    board.append(group);
  }
  return board;
}

/** Applies a severity filter page-wide (meshbook.css hides the lesser findings). */
export function applySeverityFilter(filter: SeverityFilter): void {
  if (filter === 'all') delete document.documentElement.dataset.mbSeverity;
  else document.documentElement.dataset.mbSeverity = filter;
}
