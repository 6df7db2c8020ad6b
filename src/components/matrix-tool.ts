// The reachability matrix as a tool, on the page: arrow keys move between cells (one tab stop,
// the grid pattern), the focused or hovered cell is said in words under the grid and its row
// and column headers light up, "Sources in" / "Destinations in" filter by namespace, and a click
// (or Enter/Space) on a blocked or partly blocked cell opens its explanation: the finding it
// links to, and the verdict chain when the page can ask the dev server (explain endpoint).
// Plain DOM over the figure matrix-svg.ts drew; every cluster value is set as text.

import { explainLines } from '../reachability/explain-text.ts';
import { printable } from '../engine/display-text.ts';
import type { ExplainAnswer } from '../reachability/explain-query.ts';

/** Asks for the explanation of one cell: `from` a row id (`ns/workload`), `to` a column id (`ns/service:port`). */
export type Explainer = (from: string, to: string, signal: AbortSignal) => Promise<ExplainAnswer>;

const CELL = 'td.mb-mx-pair';
const EXPLAINABLE = new Set(['blocked', 'partial']);
const WORKLOAD_ROW = /^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*$/;
const PORT_COLUMN = /^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*:[a-z0-9][-a-z0-9]*$/;

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, className: string | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className !== null) el.className = className;
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return el;
}

/** Makes a drawn matrix figure interactive; `explain` is absent where no server can answer (the published site). */
export function enhanceMatrix(figure: HTMLElement, explain?: Explainer): void {
  if (figure.dataset.enhanced !== undefined) return;
  figure.dataset.enhanced = '';
  const table = figure.querySelector<HTMLTableElement>('table.mb-matrix-grid');
  const status = figure.querySelector<HTMLElement>('.mb-matrix-status');
  if (table === null) return;
  const grid: HTMLTableElement = table;
  const panel = h('section', 'mb-matrix-explain');
  panel.hidden = true;
  panel.setAttribute('aria-label', 'Explanation of the selected cell');
  (status ?? table.parentElement!).after(panel);
  let pending: AbortController | undefined;

  const cells = (): HTMLTableCellElement[] =>
    [...table.querySelectorAll<HTMLTableCellElement>(CELL)].filter((c) => !c.hidden && !(c.parentElement as HTMLElement).hidden);
  // One tab stop: the cell last focused (links inside cells are reached through it).
  const focusCell = (cell: HTMLTableCellElement): void => {
    for (const c of table.querySelectorAll<HTMLElement>(`${CELL}[tabindex="0"]`)) c.tabIndex = -1;
    cell.tabIndex = 0;
    cell.focus();
  };
  // The status line names the focused or clicked cell. Hovering only marks the crosshair: rewriting
  // the status as the pointer moves changes its height, which moves the grid under the pointer
  // onto another cell, and so on (a hovered cell's words are in its tooltip).
  const mark = (cell: HTMLTableCellElement | null, describe = true): void => {
    for (const el of table.querySelectorAll('.mb-mx-cross')) el.classList.remove('mb-mx-cross');
    if (cell === null) return;
    cell.parentElement?.querySelector('th')?.classList.add('mb-mx-cross');
    for (const th of table.querySelectorAll<HTMLElement>('th.mb-mx-column'))
      if (th.dataset.column === cell.dataset.column) th.classList.add('mb-mx-cross');
    if (status !== null && describe) status.textContent = cell.title;
  };

  table.addEventListener('focusin', (e) => mark((e.target as Element).closest<HTMLTableCellElement>(CELL)));
  table.addEventListener('mouseover', (e) => {
    const cell = (e.target as Element).closest<HTMLTableCellElement>(CELL);
    if (cell !== null) mark(cell, false);
  });
  table.addEventListener('keydown', (e) => {
    const cell = (e.target as Element).closest<HTMLTableCellElement>(CELL);
    if (cell === null) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(cell);
      return;
    }
    const next = neighbour(cell, e.key, e.ctrlKey);
    if (next === undefined) return;
    e.preventDefault();
    if (next !== null) focusCell(next);
  });
  table.addEventListener('click', (e) => {
    const cell = (e.target as Element).closest<HTMLTableCellElement>(CELL);
    if (cell === null) return;
    // A cell's link goes to its finding; with the tool, the panel shows the finding link and the explanation.
    if (EXPLAINABLE.has(cell.dataset.state ?? '')) e.preventDefault();
    focusCell(cell);
    mark(cell);
    open(cell);
  });

  // The cell an arrow key (Home/End, Ctrl+Home/End) moves to: null at an edge, undefined for other keys.
  function neighbour(cell: HTMLTableCellElement, key: string, ctrl: boolean): HTMLTableCellElement | null | undefined {
    const visible = cells();
    const rows = [...new Set(visible.map((c) => c.parentElement!))];
    const rowCells = (row: Element): HTMLTableCellElement[] => visible.filter((c) => c.parentElement === row);
    const row = cell.parentElement!;
    const inRow = rowCells(row);
    const at = inRow.indexOf(cell);
    const r = rows.indexOf(row);
    const sameColumn = (target: Element | undefined): HTMLTableCellElement | null =>
      target === undefined
        ? null
        : (rowCells(target).find((c) => c.dataset.column === cell.dataset.column) ??
          rowCells(target)[Math.min(at, rowCells(target).length - 1)] ??
          null);
    switch (key) {
      case 'ArrowRight':
        return inRow[at + 1] ?? null;
      case 'ArrowLeft':
        return inRow[at - 1] ?? null;
      case 'ArrowDown':
        return sameColumn(rows[r + 1]);
      case 'ArrowUp':
        return sameColumn(rows[r - 1]);
      case 'Home':
        return ctrl ? (visible[0] ?? null) : (inRow[0] ?? null);
      case 'End':
        return ctrl ? (visible.at(-1) ?? null) : (inRow.at(-1) ?? null);
      default:
        return undefined;
    }
  }

  function open(cell: HTMLTableCellElement): void {
    pending?.abort();
    pending = undefined;
    const state = cell.dataset.state ?? '';
    for (const c of grid.querySelectorAll('.mb-mx-selected')) c.classList.remove('mb-mx-selected');
    if (!EXPLAINABLE.has(state)) {
      panel.hidden = true;
      return;
    }
    cell.classList.add('mb-mx-selected');
    const from = cell.dataset.row ?? '';
    const to = cell.dataset.column ?? '';
    const close = h('button', 'mb-explain-close', 'Close');
    close.type = 'button';
    close.addEventListener('click', () => {
      pending?.abort();
      panel.hidden = true;
      cell.classList.remove('mb-mx-selected');
      focusCell(cell);
    });
    const findingHref = cell.querySelector('a.mb-mx-link')?.getAttribute('href') ?? undefined;
    const finding = findingHref === undefined ? null : h('a', 'mb-explain-finding', 'Go to the finding about it');
    if (finding !== null) finding.setAttribute('href', findingHref!);
    const body = h('div', 'mb-explain-body');
    panel.replaceChildren(
      h('p', 'mb-explain-head', h('strong', null, 'Why? '), h('span', 'mb-explain-pair', cell.title)),
      h('p', 'mb-explain-actions', finding, close),
      body,
    );
    panel.dataset.row = from;
    panel.dataset.column = to;
    panel.hidden = false;
    const cli = `npx meshbook explain --from ${from} --to ${to}`;
    if (!WORKLOAD_ROW.test(from) || !PORT_COLUMN.test(to)) {
      body.append(
        h(
          'p',
          'mb-explain-note',
          'This cell stands for a whole namespace; explain one workload and Service port from a terminal, e.g. ',
          h('code', null, 'npx meshbook explain --from NS/POD --to NS/SERVICE:PORT'),
          '.',
        ),
      );
      return;
    }
    if (explain === undefined) {
      body.append(
        h(
          'p',
          'mb-explain-note',
          'The verdict chain (which policy selects each end, which rule misses, and the rule that would allow it) comes from the CLI: ',
          h('code', null, cli),
        ),
      );
      return;
    }
    body.append(h('p', 'mb-explain-note', 'Asking which policies decide it…'));
    panel.setAttribute('aria-busy', 'true');
    const controller = new AbortController();
    pending = controller;
    explain(from, to, controller.signal)
      .then((answer) => {
        if (controller.signal.aborted) return;
        body.replaceChildren(
          ...(answer.ok
            ? renderLines(answer)
            : [
                h(
                  'p',
                  'mb-explain-note',
                  printable(`${answer.message}${answer.nearby.length > 0 ? ` Nearby: ${answer.nearby.join(', ')}.` : ''}`),
                ),
              ]),
        );
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        body.replaceChildren(
          h(
            'p',
            'mb-explain-note',
            printable(`No explanation: ${error instanceof Error ? error.message : String(error)}. From a terminal: `),
            h('code', null, cli),
          ),
        );
      })
      .finally(() => panel.removeAttribute('aria-busy'));
  }

  for (const select of filters(table)) figure.querySelector('.mb-matrix-scroll')?.before(select);
}

// One element per line; a run of code lines (the YAML rule, the kubectl command) is one <pre>, so it reads as a block.
function renderLines(answer: Extract<ExplainAnswer, { ok: true }>): HTMLElement[] {
  const list = h('div', 'mb-explain-lines');
  list.dataset.verdict = answer.report.verdict;
  let pre: HTMLPreElement | undefined;
  for (const line of explainLines(answer.report)) {
    if (line.tone === 'code') {
      if (pre === undefined) {
        pre = h('pre', 'mb-explain-code');
        pre.style.setProperty('--depth', String(line.depth));
        list.append(pre);
      } else pre.append('\n');
      pre.append(h('span', 'mb-explain-line', line.text));
      continue;
    }
    pre = undefined;
    const el = h('div', 'mb-explain-line', line.text);
    el.dataset.tone = line.tone;
    el.style.setProperty('--depth', String(line.depth));
    list.append(el);
  }
  return [list];
}

// "Sources in [namespace]" and "Destinations in [namespace]": hide the rows and the columns of other namespaces.
function filters(table: HTMLTableElement): HTMLElement[] {
  const rowNs = [...new Set([...table.querySelectorAll<HTMLElement>('tbody tr')].map((r) => r.dataset.ns ?? ''))].sort();
  const columnNs = [...new Set([...table.querySelectorAll<HTMLElement>('th.mb-mx-column')].map((c) => c.dataset.ns ?? ''))].sort();
  if (rowNs.length < 2 && columnNs.length < 2) return [];
  const box = h('div', 'mb-matrix-filters');
  const chosen = { rows: '', columns: '' };
  const apply = (): void => {
    for (const tr of table.querySelectorAll<HTMLElement>('tbody tr')) tr.hidden = chosen.rows !== '' && tr.dataset.ns !== chosen.rows;
    for (const th of table.querySelectorAll<HTMLElement>('th.mb-mx-column'))
      th.hidden = chosen.columns !== '' && th.dataset.ns !== chosen.columns;
    for (const td of table.querySelectorAll<HTMLElement>(CELL)) td.hidden = chosen.columns !== '' && td.dataset.columnNs !== chosen.columns;
    // The tab stop must stay on a visible cell.
    const stop = table.querySelector<HTMLElement>(`${CELL}[tabindex="0"]`);
    if (stop !== null && (stop.hidden || (stop.parentElement as HTMLElement).hidden)) {
      stop.tabIndex = -1;
      const first = [...table.querySelectorAll<HTMLElement>(CELL)].find((c) => !c.hidden && !(c.parentElement as HTMLElement).hidden);
      if (first !== undefined) first.tabIndex = 0;
    }
  };
  for (const [key, words, names] of [
    ['rows', 'Sources in', rowNs],
    ['columns', 'Destinations in', columnNs],
  ] as const) {
    const select = h('select', null, h('option', null, 'every namespace'));
    (select.firstChild as HTMLOptionElement).value = '';
    for (const ns of names) {
      const option = h('option', null, ns);
      option.value = ns;
      select.append(option);
    }
    select.dataset.filter = key;
    select.addEventListener('change', () => {
      chosen[key] = select.value;
      apply();
    });
    box.append(h('label', null, `${words} `, select));
  }
  return [box];
}
