// Seeded mutations of the demo snapshot and the check fixtures (types swapped, fields removed,
// numbers out of range): every run must end in findings or a clear InputError, never a check
// that crashed (MB0001) and never an exception out of the source or the runner.
// MESHBOOK_FUZZ_SEED and MESHBOOK_FUZZ_RUNS widen the search locally.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { kindIdOf } from '../../src/k8s/kinds.ts';
import { InputError } from '../../src/engine/source.ts';
import { YamlSource, loadObjects } from '../../src/cluster/yaml-source.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { mulberry32 } from '../../scripts/lib/seeded.ts';

const REPO = join(import.meta.dirname, '..', '..');
const SEED = Number(process.env.MESHBOOK_FUZZ_SEED ?? 20260828);
const RUNS = Number(process.env.MESHBOOK_FUZZ_RUNS ?? 300);

// What a field becomes: every JSON/YAML type, empty and odd values, numbers out of any range.
const REPLACEMENTS: readonly unknown[] = [
  '80',
  '',
  'a string',
  '*',
  ['x'],
  [1],
  [null],
  [{}],
  [['x']],
  [],
  { a: 'b' },
  { port: 80 },
  {},
  [{ name: 1, port: 'x', number: -1, key: 'k', operator: 'Bogus' }],
  { matchLabels: 'x', matchExpressions: {} },
  42,
  0,
  -1,
  65536,
  70000,
  1.5,
  -0.5,
  1e21,
  2 ** 53,
  null,
  true,
  false,
];

interface Corpus {
  name: string;
  objects: KubeObject[];
}

type Path = (string | number)[];

let tmp: string;
let corpora: Corpus[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-fuzz-'));
  corpora = [{ name: 'demo', objects: (await loadObjects([join(REPO, 'runbooks', 'demo-cluster')])).objects }];
  const fixtures = join(REPO, 'test', 'fixtures');
  for (const dir of (await readdir(fixtures, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const file of (await readdir(join(fixtures, dir.name))).filter((f) => f.endsWith('.yaml')).sort()) {
      const path = join(fixtures, dir.name, file);
      corpora.push({ name: `${dir.name}/${file}`, objects: (await loadObjects([path], { allowEmpty: true })).objects });
    }
  }
});

afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Every path to a value inside `value` (objects and lists), depth first. */
function pathsIn(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (typeof value !== 'object' || value === null || value instanceof Date) return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    const path = [...at, key];
    out.push(path);
    pathsIn(v, path, out);
  }
  return out;
}

function mutate(object: Record<string, unknown>, random: () => number): string {
  // Mostly the fields checks read (spec, status, data…), sometimes metadata and the header.
  const all = pathsIn(object);
  const body = all.filter((p) => p[0] !== 'metadata');
  const paths = body.length > 0 && random() < 0.8 ? body : all;
  const path = paths[Math.floor(random() * paths.length)]!;
  let parent: unknown = object;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const key = path[path.length - 1]!;
  const holder = parent as Record<string | number, unknown>;
  const old = holder[key];
  if (random() < 0.15) {
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key];
    return `${path.join('.')} removed`;
  }
  // Numbers mostly go out of range; anything else becomes another type.
  const next =
    typeof old === 'number' && random() < 0.5
      ? [-1, 0, 65536, 1e9, 0.5, -(2 ** 31)][Math.floor(random() * 6)]
      : REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
  holder[key] = structuredClone(next);
  return `${path.join('.')}: ${JSON.stringify(old)?.slice(0, 40)} → ${JSON.stringify(next)}`;
}

describe('snapshot fuzzer', () => {
  it(`${RUNS} seeded mutations end in findings or an input error, never a crashed check`, async () => {
    const random = mulberry32(SEED);
    const failures: string[] = [];
    let inputErrors = 0;
    for (let run = 0; run < RUNS; run++) {
      // Half the runs mutate the demo (every check reads it), half a fixture.
      const corpus = random() < 0.5 ? corpora[0]! : corpora[1 + Math.floor(random() * (corpora.length - 1))]!;
      if (corpus.objects.length === 0) continue;
      const objects = structuredClone(corpus.objects);
      const changes: string[] = [];
      const kinds = new Set<string>();
      for (let n = random() < 0.3 ? 2 : 1; n > 0; n--) {
        const target = objects[Math.floor(random() * objects.length)]!;
        kinds.add(kindIdOf(String(target.apiVersion), String(target.kind)) ?? '');
        changes.push(`${target.kind} ${target.metadata?.name}: ${mutate(target as Record<string, unknown>, random)}`);
      }
      const what = `run ${run} (seed ${SEED}) on ${corpus.name}: ${changes.join('; ')}`;
      const file = join(tmp, `run-${run}.yaml`);
      await writeFile(file, objects.map((o) => yaml.dump(o, { noRefs: true })).join('---\n'));
      const source = new YamlSource([file], undefined, { allowEmpty: true });
      try {
        await source.load();
      } catch (error) {
        if (error instanceof InputError && !/is not a function|Cannot read properties|is not iterable/.test(error.message)) inputErrors++;
        else failures.push(`${what}: load threw ${String(error)}`);
        continue;
      }
      // The checks that read a mutated kind (the demo's other checks saw no change).
      const checks = CHECKS.filter((c) => c.inputs.some((k) => kinds.has(k)));
      try {
        const report = await runChecks(checks, source, { checkTimeoutMs: 5_000 });
        for (const r of report.checks) {
          if (r.findings.some((f) => f.code === 'MB0001')) failures.push(`${what}: ${r.id} crashed: ${r.reason}`);
        }
      } catch (error) {
        failures.push(`${what}: runChecks threw ${String(error)}`);
      }
      await rm(file);
    }
    expect(failures).toEqual([]);
    // The mutations do reach the validator (a fuzzer whose every run passes proves little).
    expect(inputErrors).toBeGreaterThan(RUNS / 10);
  }, 120_000);
});
