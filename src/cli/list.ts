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
  return table([['ID', 'TITLE', 'ANALYZER', 'PAGE'], ...rows.map((r) => [r.id, r.title, r.analyzer ?? '-', r.docs])]);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
