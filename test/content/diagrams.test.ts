// The book's diagrams are inlined SVG: each must carry its own text alternative, and draw only in
// the page's text colour and Starlight's accent so that it reads in the light and the dark theme.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIAGRAMS = join(import.meta.dirname, '..', '..', 'src', 'assets', 'diagrams');
const files = (await readdir(DIAGRAMS)).filter((f) => f.endsWith('.svg'));

describe.each(files)('diagram %s', (file) => {
  const read = async () => readFile(join(DIAGRAMS, file), 'utf8');

  it('is an image labelled by its own title and description', async () => {
    const svg = await read();
    const labelledBy = /<svg[^>]*\brole="img"[^>]*\baria-labelledby="([^"]+)"/.exec(svg)?.[1];
    expect(labelledBy, 'role="img" and aria-labelledby on the root').toBeDefined();
    for (const id of labelledBy!.split(/\s+/)) {
      const text = new RegExp(`<(title|desc) id="${id}">([^<]+)</\\1>`).exec(svg)?.[2] ?? '';
      expect(text.trim().length, `text of #${id}`).toBeGreaterThan(20);
    }
  });

  it('uses no colour of its own but the accent fallback', async () => {
    const svg = await read();
    const colours = [...svg.matchAll(/#[0-9a-fA-F]{3,6}\b|rgba?\(/g)].map((m) => m[0]);
    expect(colours.every((c) => c === '#6d5bd0')).toBe(true);
    expect(svg).not.toMatch(/\b(fill|stroke)="(?!none|currentColor|url\()[a-z]/);
  });

  it('keeps its ids unique to the file, so two diagrams can share a page', async () => {
    const svg = await read();
    const prefix = file.replace(/\.svg$/, '');
    for (const [, id] of svg.matchAll(/\bid="([^"]+)"/g)) expect(id!.startsWith(prefix), id).toBe(true);
  });
});

it('finds the diagrams', () => {
  expect(files).toEqual(expect.arrayContaining(['mesh-planes.svg', 'ambient-data-plane.svg']));
});
