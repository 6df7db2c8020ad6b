// The guide's pages: a slug per MDX file under the content root, and the runbook ids each
// page embeds. The CLI (`--page SLUG` runs what the page would run), the components and
// publishing read the book through this one module.

import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InputError } from '../engine/source.ts';

/** The repository root (this file is src/site/pages.ts). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** Where the book's MDX lives; MESHBOOK_CONTENT_DIR overrides it (tests, other books). */
export function contentRoot(env: Readonly<Record<string, string | undefined>>): string {
  const override = env.MESHBOOK_CONTENT_DIR;
  return override !== undefined && override !== '' ? override : join(REPO_ROOT, 'content');
}

/** Every page under `root`, slug → file, sorted by slug; empty when there is no content yet. */
export async function listPages(root: string): Promise<Map<string, string>> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new InputError(`Cannot read the content directory ${JSON.stringify(root)}: ${(cause as Error).message}`, { cause });
  }
  const pages = new Map<string, string>();
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.mdx'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    const slug = slugOf(relative(root, file));
    // content/<slug>.mdx wins over content/<slug>/index.mdx, as documented for --page.
    if (!pages.has(slug) || !file.endsWith(`${sep}index.mdx`)) pages.set(slug, file);
  }
  return new Map([...pages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `concepts/gateways.mdx` and `concepts/gateways/index.mdx` → `concepts/gateways`. */
export function slugOf(relativePath: string): string {
  const parts = relativePath
    .split(sep)
    .join('/')
    .replace(/\.mdx$/, '')
    .split('/');
  if (parts.length > 1 && parts.at(-1) === 'index') parts.pop();
  return parts.join('/');
}

/** The runbook ids a page embeds (`<Runbook id="…"`), in order, without duplicates. */
export function runbookIds(mdx: string): string[] {
  const ids: string[] = [];
  // Examples of the syntax inside code or comments are not embeds.
  const text = stripComments(stripInlineCode(stripFences(mdx)));
  for (const tag of text.matchAll(/<Runbook\b([^>]*)>/g)) {
    const attr = /(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag[1] ?? '');
    const id = attr?.[1] ?? attr?.[2];
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Reads a page and returns the runbook ids it embeds. */
export async function pageRunbookIds(file: string): Promise<string[]> {
  try {
    return runbookIds(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new InputError(`Cannot read page ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
  }
}

// Removes ``` and ~~~ fenced blocks (CommonMark: a fence closes with the same character, at least as long).
function stripFences(text: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker !== undefined) fence = marker;
      else out.push(line);
    } else if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
      fence = undefined;
    }
  }
  return out.join('\n');
}

function stripInlineCode(text: string): string {
  return text.replace(/`[^`\n]*`/g, '');
}

// MDX comments are JS comments inside an expression: {/* … */}.
function stripComments(text: string): string {
  return text.replace(/\{\s*\/\*[\s\S]*?\*\/\s*\}/g, '');
}
