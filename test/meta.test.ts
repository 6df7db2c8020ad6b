// Meta-tests over the check registry and the code registry, in the spirit of istioctl's
// analyzers_test.go: every check file is registered, ids match file names, declared inputs
// equal the kinds a check actually reads, and every code a check reports is registered.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KIND_IDS, type KindId } from '../src/k8s/kinds.ts';
import { Snapshot } from '../src/engine/snapshot.ts';
import { loadObjects } from '../src/cluster/yaml-source.ts';
import { defineCheck, type Check, type CheckContext, type Probes } from '../src/engine/check.ts';
import { CODES, listCodes } from '../src/engine/codes.ts';
import { listFixes, renderFix } from '../src/engine/fixes.ts';
import { runOne } from '../src/engine/runner.ts';
import { CHECKS } from '../runbooks/index.ts';
import { isCaseHeader } from './helpers/fixture-cases.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNBOOKS = join(ROOT, 'runbooks');
// Folders under runbooks/ that hold no checks: shared helpers and the demo snapshot.
const NOT_AREAS = new Set(['lib', 'demo-cluster']);
const FIXTURES = join(ROOT, 'test', 'fixtures');
// End-to-end fixtures belong to the browser tests and may be deliberately odd.
const NOT_CHECK_FIXTURES = new Set(['e2e']);

function walk(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path, keep);
    return e.isFile() && keep(path) ? [path] : [];
  });
}

/** runbooks/<area>/<id>.ts for every check file. */
const checkFiles = readdirSync(RUNBOOKS)
  .filter((area) => !NOT_AREAS.has(area) && statSync(join(RUNBOOKS, area)).isDirectory())
  .flatMap((area) => walk(join(RUNBOOKS, area), (f) => f.endsWith('.ts')));

const fileOf = new Map(checkFiles.map((f) => [basename(f, '.ts'), f]));

describe('the check registry', () => {
  it('registers every check file once, and nothing else', async () => {
    for (const file of checkFiles) {
      const mod = (await import(pathToFileURL(file).href)) as { default?: Check };
      const where = relative(ROOT, file);
      expect(mod.default, `${where} has no default export`).toBeDefined();
      expect(CHECKS.filter((c) => c === mod.default).length, `${where} is not registered exactly once in runbooks/index.ts`).toBe(1);
    }
    expect(CHECKS.length).toBe(checkFiles.length);
  });

  it('has unique ids, each equal to its file name', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`).toBe(ids.length);
    for (const id of ids) expect(fileOf.has(id), `no runbooks/<area>/${id}.ts`).toBe(true);
  });

  it.each(CHECKS.map((c) => [c.id, c] as const))('%s is described, documented and declares inputs', (_id, check) => {
    expect(check.title.trim()).not.toBe('');
    expect(check.description.trim()).not.toBe('');
    expect(check.why.trim()).not.toBe('');
    expect(check.docs).toMatch(/^\/\S*#[a-z0-9-]+$/);
    expect(check.inputs.length).toBeGreaterThan(0);
    expect(new Set(check.inputs).size, 'an input is declared twice').toBe(check.inputs.length);
    if (check.analyzer !== undefined) expect(check.analyzer).toMatch(/^[A-Za-z0-9]+\.[A-Za-z0-9.]+$/);
    for (const code of check.kiali ?? []) expect(code).toMatch(/^KIA\d{4}$/);
  });
});

// Every fixture file written for any check, plus the demo snapshot: together they exercise the
// branches of each check, including the ones that read a kind only in some situations.
const snapshotSources: string[] = [
  ...readdirSync(FIXTURES)
    .filter((d) => !NOT_CHECK_FIXTURES.has(d) && statSync(join(FIXTURES, d)).isDirectory())
    .flatMap((d) => walk(join(FIXTURES, d), (f) => /\.(ya?ml|json)$/.test(f) && !isCaseHeader(f))),
  join(RUNBOOKS, 'demo-cluster'),
];

async function snapshotsOf(paths: readonly string[]): Promise<{ name: string; snapshot: Snapshot }[]> {
  const out: { name: string; snapshot: Snapshot }[] = [];
  for (const path of paths) {
    const loaded = await loadObjects([path]);
    out.push({ name: relative(ROOT, path), snapshot: new Snapshot(loaded.objects, { kinds: KIND_IDS, locations: loaded.locations }) });
  }
  return out;
}

// Live-only checks get probes that allow everything, so they run (and read) over every snapshot.
const allowAll: Probes = {
  accessReview: async () => ({ allowed: true, reason: 'meta test allows all' }),
  proxyGet: async () => ({ status: 200, body: '', truncated: false }),
};

describe('declared inputs', () => {
  it.each(CHECKS.map((c) => [c.id, c] as const))('%s reads exactly the kinds it declares, and never fails', async (_id, check) => {
    const snapshots = await snapshotsOf(snapshotSources);
    const read = new Set<KindId>();
    for (const { name, snapshot } of snapshots) {
      // Reading an undeclared kind throws inside runOne and becomes an error result.
      const result = await runOne(check, snapshot, new AbortController().signal, {
        checkTimeoutMs: 10_000,
        maxFindingsPerCheck: 10_000,
        onRead: (kind) => read.add(kind),
        ...((check.needs ?? []).includes('probes') ? { probes: allowAll } : {}),
      });
      expect(result.status, `${check.id} over ${name}: ${result.reason ?? ''}`).not.toBe('error');
    }
    expect([...read].sort(), 'kinds read across every fixture and the demo cluster').toEqual([...check.inputs].sort());
  });
});

const CODE_LITERAL = /['"`]((?:IST|MB)\d{4})['"`]/g;
const REPORT_CALL = /ctx\.report\(\s*['"`]((?:IST|MB)\d{4})['"`]/g;
const codesIn = (text: string, pattern: RegExp): string[] => [...text.matchAll(pattern)].map((m) => m[1]!);

describe('the code registry', () => {
  const ids = Object.keys(CODES);

  it('is kept in code order', () => {
    expect(ids).toEqual([...ids].sort());
    expect(listCodes().map((c) => c.id)).toEqual(ids);
  });

  it.each(ids)('%s is documented', (id) => {
    const def = listCodes().find((c) => c.id === id)!.def;
    expect(id).toMatch(/^(IST|MB)\d{4}$/);
    for (const field of ['title', 'meaning', 'why', 'fix'] as const) expect(def[field].trim(), `${id}.${field}`).not.toBe('');
    expect(['error', 'warning', 'info']).toContain(def.level);
  });

  it.each(checkFiles.map((f) => [relative(ROOT, f), f] as const))('every code %s reports is registered', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    expect(codesIn(source, REPORT_CALL).length, 'reports no code through ctx.report').toBeGreaterThan(0);
    for (const code of codesIn(source, CODE_LITERAL)) expect(ids, `${code} is not in src/engine/codes.ts`).toContain(code);
  });

  it('has no code that nothing reports', () => {
    const emitters = [...checkFiles, ...walk(join(RUNBOOKS, 'lib'), (f) => f.endsWith('.ts')), join(ROOT, 'src', 'engine', 'runner.ts')];
    const used = new Set(emitters.flatMap((f) => codesIn(readFileSync(f, 'utf8'), CODE_LITERAL)));
    expect(ids.filter((id) => !used.has(id))).toEqual([]);
  });
});

/** The text of each `ctx.report(…)` call in a source file (to its matching parenthesis). */
function reportCalls(source: string): string[] {
  const calls: string[] = [];
  for (const m of source.matchAll(/ctx\.report\(/g)) {
    let depth = 0;
    let end = m.index;
    for (; end < source.length; end++) {
      if (source[end] === '(') depth++;
      else if (source[end] === ')' && --depth === 0) break;
    }
    calls.push(source.slice(m.index, end + 1));
  }
  return calls;
}

/** `CODE/fix-name` for every fix template a file's report calls name. */
function fixesNamedIn(source: string): string[] {
  return reportCalls(source).flatMap((call) => {
    const code = /ctx\.report\(\s*['"`]((?:IST|MB)\d{4})['"`]/.exec(call)?.[1];
    return [...call.matchAll(/\bfix: '([a-z0-9-]+)'/g)].map((f) => `${code ?? '(no code)'}/${f[1]!}`);
  });
}

describe('the fix templates', () => {
  const emitters = [...checkFiles, ...walk(join(RUNBOOKS, 'lib'), (f) => f.endsWith('.ts'))];
  const named = new Set(emitters.flatMap((f) => fixesNamedIn(readFileSync(f, 'utf8'))));
  const registered = listFixes().map((f) => `${f.code}/${f.name}`);

  it('exist for every fix a check names', () => {
    expect([...named].filter((n) => !registered.includes(n)).sort()).toEqual([]);
  });

  it('are each named by some check', () => {
    expect(registered.filter((n) => !named.has(n))).toEqual([]);
  });

  it('belong to registered codes, with kebab-case names, and render text', () => {
    for (const { code, name } of listFixes()) {
      expect(Object.keys(CODES), code).toContain(code);
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      // Every param a template reads is a string, number or boolean; placeholders show up in its text.
      const text = renderFix(code, name, new Proxy({}, { get: (_t, key) => `<${String(key)}>` }));
      expect(text?.trim(), `${code}/${name}`).toMatch(/\S/);
      expect(text, `${code}/${name}`).not.toMatch(/undefined|\[object /);
    }
  });

  it.each(checkFiles.map((f) => [relative(ROOT, f), f] as const))('%s writes no remediation prose', (_name, file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(/\bremediation\s*:/);
  });

  it("are rendered into the finding by the runner, and an unnamed fix gives the code's general one", async () => {
    const check = defineCheck({
      id: 'fix-rendering',
      title: 'Fix rendering',
      description: 'Reports one finding with a named fix and one without.',
      why: 'Exercises the runner.',
      inputs: ['v1/Pod'],
      docs: '/x/',
      analyze(ctx) {
        const resource = { kind: 'Gateway', namespace: 'shop', name: 'web' };
        ctx.report(
          'IST0101',
          resource,
          { kind: 'credentialName', ref: 'a' },
          { evidence: { x: 1 }, fix: 'create-secret', fixParams: { namespace: 'shop', secret: 'web-cert' } },
        );
        ctx.report('IST0101', resource, { kind: 'credentialName', ref: 'b' }, { evidence: { x: 1 } });
      },
    });
    const result = await runOne(check, new Snapshot([], { kinds: ['v1/Pod'] }), new AbortController().signal, {
      checkTimeoutMs: 10_000,
      maxFindingsPerCheck: 10,
    });
    expect(result.findings.map((f) => f.remediation)).toEqual([
      "Create the Secret in the gateway pods' namespace: kubectl create -n shop secret tls web-cert --cert=… --key=…, or point credentialName at an existing TLS Secret there.",
      CODES.IST0101.fix,
    ]);
  });
});

// Compile-time only (tsc, not vitest): a fix name the code does not have, a template without its
// params, or free remediation prose does not type-check.
export function fixTypes(ctx: CheckContext<'v1/Pod'>): void {
  const r = { kind: 'Gateway', name: 'web' };
  const p = { kind: 'selector', ref: 'x' };
  // @ts-expect-error: IST0101 has no template named no-such-fix
  ctx.report('IST0101', r, p, { fix: 'no-such-fix' });
  // @ts-expect-error: create-secret needs its params
  ctx.report('IST0101', r, p, { fix: 'create-secret' });
  // @ts-expect-error: create-secret needs namespace and secret
  ctx.report('IST0101', r, p, { fix: 'create-secret', fixParams: { namespace: 'shop' } });
  // @ts-expect-error: a template of another code
  ctx.report('IST0101', r, p, { fix: 'oom-killed' });
  // @ts-expect-error: remediation prose belongs in src/engine/fixes.ts
  ctx.report('IST0101', r, p, { remediation: 'Do something.' });
  ctx.report('IST0101', r, p, { fix: 'gateway-selector-matches-nothing' });
}
