// Every link the checks and the codes registry hand out must land on a page and a heading
// of the book: a check's `docs` field, and every runbook a page embeds must be registered.

import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { runbookIds } from '../../src/site/pages.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');

// Heading ids as Astro generates them (github-slugger) for plain-text headings.
function slug(text: string): string {
  return text
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

async function pages(): Promise<Map<string, string>> {
  const entries = await readdir(CONTENT, { recursive: true, withFileTypes: true });
  const map = new Map<string, string>();
  for (const e of entries) {
    if (!e.isFile() || !/\.mdx?$/.test(e.name)) continue;
    const file = join(e.parentPath, e.name);
    const route = `/${relative(CONTENT, file)
      .split(sep)
      .join('/')
      .replace(/\.mdx?$/, '')
      .replace(/(^|\/)index$/, '')}/`.replace(/\/+/g, '/');
    map.set(route, await readFile(file, 'utf8'));
  }
  return map;
}

function anchorsOf(mdx: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of mdx.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading !== null) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

describe('links into the book', () => {
  it.each(CHECKS.map((c) => [c.id, c.docs] as const))('check %s links to an existing page and heading (%s)', async (_id, docs) => {
    const book = await pages();
    const [path, anchor] = docs.split('#');
    const page = book.get(path!);
    expect(page, `no page at ${path}; pages: ${[...book.keys()].join(', ')}`).toBeDefined();
    if (anchor !== undefined) expect([...anchorsOf(page!)]).toContain(anchor);
  });

  it('every runbook a page embeds is a registered check', async () => {
    const known = new Set(CHECKS.map((c) => c.id));
    for (const [route, mdx] of await pages()) {
      for (const id of runbookIds(mdx)) expect(known.has(id), `${route} embeds unknown runbook ${id}`).toBe(true);
    }
  });

  it('the introduction embeds the four foundation runbooks', async () => {
    const intro = (await pages()).get('/introduction/')!;
    expect(runbookIds(intro)).toEqual(['sidecar-injection', 'control-plane-health', 'gateway-ports', 'service-endpoints']);
  });
});
