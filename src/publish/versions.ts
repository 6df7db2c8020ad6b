// The versions file (publish/versions.json): every archived version of the book, which the
// version menu lists on every page, current and archived alike. scripts/archive.ts adds to it.

import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'astro/zod';
import { VERSION_PATTERN, versionBase } from './mode.ts';

export const versionsSchema = z.strictObject({
  /** Archived versions, any order; the menu sorts them newest first. */
  archived: z.array(
    z.strictObject({
      /** @example "1.0" */
      version: z.string().regex(VERSION_PATTERN),
      /** @example "2026-11-25" */
      archivedOn: z.iso.date(),
    }),
  ),
});

export type VersionsFile = z.infer<typeof versionsSchema>;
export type ArchivedVersion = VersionsFile['archived'][number];

/** Reads the versions file; a missing file means no archives yet. */
export async function readVersions(file: string): Promise<VersionsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { archived: [] };
    throw new Error(`Cannot read the versions file ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new Error(`The versions file ${JSON.stringify(file)} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = versionsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The versions file ${JSON.stringify(file)} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** The file with `entry` added (replacing an archive of the same version). */
export function withVersion(file: VersionsFile, entry: ArchivedVersion): VersionsFile {
  return { archived: sortVersions([...file.archived.filter((v) => v.version !== entry.version), entry]) };
}

/** Writes the versions file, sorted and pretty-printed. */
export async function writeVersions(path: string, file: VersionsFile): Promise<void> {
  await writeFile(path, `${JSON.stringify({ archived: sortVersions(file.archived) }, null, 2)}\n`);
}

/** Newest version first (numeric parts compared as numbers). */
export function sortVersions(list: readonly ArchivedVersion[]): ArchivedVersion[] {
  const key = (v: string): number[] => v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
  return [...list].sort((a, b) => {
    const [x, y] = [key(a.version), key(b.version)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (y[i] ?? 0) - (x[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface MenuInput {
  versions: VersionsFile;
  /** The version this page belongs to: `current` or an archived version. */
  here: string;
  /** The page's path within its version, without leading slash (`concepts/gateways/`). */
  page: string;
  /** Whether a version has this page; when it does not, the entry links to that version's home. */
  has?: (version: string, page: string) => boolean;
}

/**
 * The version menu's inner HTML: a <details> disclosure, so it works without JavaScript.
 * Rendered by VersionMenu.astro and again after the build, when every version's pages are
 * known, so each entry can link to the same page in that version.
 */
export function renderVersionMenu({ versions, here, page, has }: MenuInput): string {
  const entries = [{ version: 'current', label: 'Latest (current)' }, ...sortVersions(versions.archived).map((v) => ({ version: v.version, label: `${v.version} (archived ${v.archivedOn})` }))];
  const summary = here === 'current' ? 'Latest' : here;
  const items = entries.map(({ version, label }) => {
    const base = versionBase(version);
    const href = has !== undefined && has(version, page) ? `${base}${page}` : base;
    const current = version === here ? ' aria-current="page"' : '';
    return `<li><a href="${escapeHtml(href)}" data-version="${escapeHtml(version)}"${current}>${escapeHtml(label)}</a></li>`;
  });
  return `<details class="mb-versions"><summary><span class="sr-only">Version: </span>${escapeHtml(summary)}</summary><ul>${items.join('')}</ul></details>`;
}
