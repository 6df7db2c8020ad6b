// `meshbook list`: the registry as a table for people, or JSON for scripts.

import type { Check } from '../engine/check.ts';
import type { ListFormat } from './args.ts';
import { listPages, pageRunbookIds } from '../site/pages.ts';

export interface ListedCheck {
  id: string;
  title: string;
  description: string;
  analyzer?: string;
  /** The guide section that explains the check (site-relative). */
  docs: string;
  inputs: string[];
  needs?: string[];
  /** Slugs of the pages that embed the check (what `--page` would select it with). */
  pages: string[];
}

/** Lists `checks` with the pages under `contentDir` that embed each. */
export async function listChecks(checks: readonly Check[], format: ListFormat, contentDir: string): Promise<string> {
  const embeddedIn = new Map<string, string[]>();
  for (const [slug, file] of await listPages(contentDir)) {
    for (const id of await pageRunbookIds(file)) embeddedIn.set(id, [...(embeddedIn.get(id) ?? []), slug]);
  }
  const rows: ListedCheck[] = checks.map((c) => ({
    id: c.id,
    title: c.title,
    description: c.description,
    ...(c.analyzer === undefined ? {} : { analyzer: c.analyzer }),
    docs: c.docs,
    inputs: [...c.inputs],
    ...(c.needs === undefined ? {} : { needs: [...c.needs] }),
    pages: embeddedIn.get(c.id) ?? [],
  }));
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return textList(rows);
}

/** The width `meshbook list` keeps to: a terminal or a code review's side-by-side view. */
export const LIST_WIDTH = 100;

// Grouped by the guide page that explains them: each check's id and title, then the istioctl
// analyzer it mirrors and its section when the section is not named after the check. Long
// text wraps under its column instead of widening the table.
function textList(rows: readonly ListedCheck[]): string {
  const groups = new Map<string, ListedCheck[]>();
  for (const r of rows) {
    const page = r.docs.replace(/#.*$/, '');
    groups.set(page, [...(groups.get(page) ?? []), r]);
  }
  const idWidth = Math.min(Math.max(...rows.map((r) => r.id.length)), 40);
  const indent = ' '.repeat(2 + idWidth + 2);
  const lines: string[] = [];
  for (const [page, checks] of groups) {
    if (lines.length > 0) lines.push('');
    lines.push(`${page}`);
    for (const c of checks) {
      const text = [c.title];
      const notes = [
        c.analyzer === undefined ? undefined : `istioctl: ${c.analyzer}`,
        c.docs === `${page}#${c.id}` ? undefined : `section: ${c.docs.slice(page.length)}`,
      ].filter((n) => n !== undefined);
      if (notes.length > 0) text.push(notes.join(' · '));
      const wrapped = text.flatMap((t) => wrap(t, LIST_WIDTH - indent.length));
      const head = `  ${c.id.padEnd(idWidth)}  `;
      lines.push(...wrapped.map((w, i) => `${i === 0 ? head : indent}${w}`.trimEnd()));
    }
  }
  return `${lines.join('\n')}\n`;
}

// Words into lines of at most `width` characters; a longer word gets a line of its own.
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
