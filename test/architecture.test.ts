// The layers of docs/architecture.md, enforced: every relative import between top-level folders
// (src/<folder>, runbooks, scripts, tools, test) must be an edge the map allows, and the folder
// graph must have no cycle. `import type` counts: a cycle made of types is still two layers that
// cannot be understood, moved or tested apart. Dynamic `import('…')` counts too (a lazy load is a
// dependency all the same).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SCANNED = ['src', 'runbooks', 'scripts', 'tools', 'test'];

/** Which folders each folder may import; keep in step with the table in docs/architecture.md. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'src/k8s': [],
  'src/engine': ['src/k8s'],
  'src/istio': ['src/k8s'],
  'src/mesh': ['src/k8s', 'src/engine', 'src/istio'],
  'src/reachability': ['src/k8s', 'src/engine', 'src/istio', 'src/mesh'],
  'src/cluster': ['src/k8s', 'src/engine'],
  'src/report': ['src/k8s', 'src/engine'],
  'src/site': ['src/engine'],
  runbooks: ['src/k8s', 'src/engine', 'src/istio', 'src/mesh', 'src/reachability'],
  'src/server': ['src/k8s', 'src/engine', 'src/istio', 'src/mesh', 'src/reachability', 'src/cluster', 'src/report', 'src/site', 'runbooks'],
  'src/publish': [
    'src/k8s',
    'src/engine',
    'src/istio',
    'src/mesh',
    'src/reachability',
    'src/cluster',
    'src/report',
    'src/site',
    'runbooks',
  ],
  'src/components': ['src/k8s', 'src/engine', 'src/reachability', 'src/report', 'src/site', 'src/server', 'src/publish', 'runbooks'],
  'src/pages': ['src/k8s', 'src/engine', 'src/site', 'src/publish', 'src/components', 'runbooks'],
  'src/integration': ['src/k8s', 'src/engine', 'src/cluster', 'src/report', 'src/site', 'src/server', 'src/publish', 'runbooks'],
  'src/cli': [
    'src/k8s',
    'src/engine',
    'src/istio',
    'src/mesh',
    'src/reachability',
    'src/cluster',
    'src/report',
    'src/site',
    'src/publish',
    'runbooks',
  ],
  tools: ['src', 'runbooks'],
  scripts: ['src', 'runbooks', 'tools'],
  test: ['src', 'runbooks', 'scripts', 'tools'],
};

interface Edge {
  from: string;
  to: string;
  /** `file:line` of the import, relative to the repository root. */
  at: string;
}

// `import … from '…'` and `export … from '…'` (also across lines), `import '…'`, `import('…')`.
const IMPORT =
  /^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The layer a path belongs to: `src/<folder>` under src/, else its top-level folder (`src` for files directly in src/). */
function layerOf(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : 'src';
  return parts[0] ?? '';
}

/** Relative imports in `text` as [specifier, 1-based line]; package imports are not layers. */
function importsOf(text: string): [string, number][] {
  const found: [string, number][] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec === undefined || !spec.startsWith('.')) continue;
    const offset = m.index + m[0].lastIndexOf(spec);
    found.push([spec, text.slice(0, offset).split('\n').length]);
  }
  return found;
}

/** The first cycle in the folder graph, as the edges that form it, or undefined. */
function findCycle(edges: readonly Edge[]): Edge[] | undefined {
  const out = new Map<string, Edge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const state = new Map<string, 'open' | 'done'>();
  const path: Edge[] = [];
  const visit = (node: string): Edge[] | undefined => {
    state.set(node, 'open');
    for (const e of out.get(node) ?? []) {
      if (state.get(e.to) === 'open') {
        const start = path.findIndex((p) => p.from === e.to);
        return [...path.slice(start === -1 ? path.length : start), e];
      }
      if (state.get(e.to) === undefined) {
        path.push(e);
        const cycle = visit(e.to);
        if (cycle !== undefined) return cycle;
        path.pop();
      }
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...out.keys()].sort()) {
    if (state.get(node) !== undefined) continue;
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter(
      (e) => e.isFile() && /\.(?:ts|mts|tsx|astro|mjs)$/.test(e.name) && !join(e.parentPath, e.name).includes(`${sep}node_modules${sep}`),
    )
    .map((e) => join(e.parentPath, e.name));
}

/** Every import that crosses from one layer into another. */
function crossLayerEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of SCANNED.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const from = layerOf(file);
    for (const [spec, line] of importsOf(readFileSync(file, 'utf8'))) {
      const to = layerOf(resolve(dirname(file), spec));
      if (to !== from) edges.push({ from, to, at: `${relative(ROOT, file)}:${line}` });
    }
  }
  return edges;
}

const show = (e: Edge): string => `${e.from} -> ${e.to} (${e.at})`;

/** Whether `to` is inside one of the allowed layers (`src` allows every `src/<folder>`). */
function allowed(from: string, to: string): boolean {
  return (ALLOWED[from] ?? []).some((a) => to === a || to.startsWith(`${a}/`));
}

describe('layers', () => {
  const edges = crossLayerEdges();

  it('reads imports of every form, across lines, with their line numbers', () => {
    // Spelled in two parts so that this file's own scan does not read the sample as an import.
    const dynamicImport = 'import';
    const text = [
      "import { a } from '../engine/a.ts';",
      "import type { B } from '../k8s/b.ts';",
      'import {',
      '  c,',
      "} from '../cluster/c.ts';",
      "export { d } from './d.ts';",
      "export type * from '../report/e.ts';",
      "import '../site/f.ts';",
      `const g = await ${dynamicImport}('../server/g.ts');`,
      "import yaml from 'js-yaml';",
      "// import { h } from '../cli/h.ts';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      ['../engine/a.ts', 1],
      ['../k8s/b.ts', 2],
      ['../cluster/c.ts', 5],
      ['./d.ts', 6],
      ['../report/e.ts', 7],
      ['../site/f.ts', 8],
      ['../server/g.ts', 9],
    ]);
  });

  it('finds a cycle and names its edges', () => {
    const cycle = findCycle([
      { from: 'src/k8s', to: 'x', at: 'k:1' },
      { from: 'src/engine', to: 'src/k8s', at: 'e:1' },
      { from: 'src/cluster', to: 'src/engine', at: 'c:1' },
      { from: 'src/engine', to: 'src/cluster', at: 'e:2' },
    ]);
    expect(cycle?.map(show)).toEqual(['src/cluster -> src/engine (c:1)', 'src/engine -> src/cluster (e:2)']);
    expect(findCycle([{ from: 'a', to: 'b', at: 'a:1' }])).toBeUndefined();
  });

  it('sees the real tree (the scan is not empty)', () => {
    expect(edges.some((e) => e.from === 'src/cluster' && e.to === 'src/engine')).toBe(true);
    expect(edges.some((e) => e.from === 'runbooks' && e.to === 'src/k8s')).toBe(true);
  });

  it('has no import cycle between top-level folders', () => {
    const cycle = findCycle(edges);
    expect(cycle === undefined ? 'no cycle' : `import cycle: ${cycle.map(show).join(' ; ')}`).toBe('no cycle');
  });

  it('keeps src/k8s a leaf and the engine on src/k8s alone', () => {
    const bad = edges.filter((e) => e.from === 'src/k8s' || (e.from === 'src/engine' && e.to !== 'src/k8s'));
    expect(bad.map(show)).toEqual([]);
  });

  it('imports only along the edges docs/architecture.md allows', () => {
    const bad = edges.filter((e) => !allowed(e.from, e.to));
    // New edge on purpose? Add it to ALLOWED and to the table in docs/architecture.md.
    expect(bad.map(show)).toEqual([]);
  });
});
