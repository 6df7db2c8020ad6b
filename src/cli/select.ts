// Which checks a run covers: the union of --check ids and the runbooks of each --page,
// in registry order; all checks when neither is given.

import { relative } from 'node:path';
import type { Check } from '../engine/check.ts';
import { UsageError } from './errors.ts';
import { listPages, pageRunbookIds } from '../site/pages.ts';

export interface Selection {
  checks: readonly string[];
  pages: readonly string[];
}

/** Resolves --check and --page against the registry and the content root. */
export async function selectChecks(all: readonly Check[], selection: Selection, contentDir: string): Promise<Check[]> {
  if (selection.checks.length === 0 && selection.pages.length === 0) return [...all];
  const known = new Set(all.map((c) => c.id));
  const wanted = new Set<string>();
  for (const id of selection.checks) {
    if (!known.has(id))
      throw new UsageError(
        `Unknown check ${JSON.stringify(id)}. Valid ids: ${[...known].join(', ')}. Run "meshbook list" to see them all.`,
      );
    wanted.add(id);
  }
  if (selection.pages.length > 0) {
    const pages = await listPages(contentDir);
    for (const slug of selection.pages) {
      const file = pages.get(slug);
      if (file === undefined) {
        const valid =
          pages.size > 0 ? `Valid pages: ${[...pages.keys()].join(', ')}.` : `No pages were found under ${JSON.stringify(contentDir)}.`;
        throw new UsageError(`Unknown page ${JSON.stringify(slug)}. ${valid}`);
      }
      const ids = await pageRunbookIds(file);
      const shown = relative(process.cwd(), file) || file;
      if (ids.length === 0) throw new UsageError(`Page ${JSON.stringify(slug)} (${shown}) embeds no runbooks.`);
      for (const id of ids) {
        if (!known.has(id)) {
          throw new UsageError(
            `Page ${JSON.stringify(slug)} (${shown}) embeds <Runbook id=${JSON.stringify(id)}>, which is not a registered check. Valid ids: ${[...known].join(', ')}.`,
          );
        }
        wanted.add(id);
      }
    }
  }
  return all.filter((c) => wanted.has(c.id));
}
