// One grid for every check, as istioctl's analyzers_test.go: each case file under
// test/fixtures/<check-id>/ states in its header (test/fixtures/README.md) the exact multiset of
// (code, resource) the check reports over it, and the grid runs it through the real runner and
// the snapshot source. Assertions about wording, evidence and attachments live beside the
// check's id in test/runbooks/<check-id>.test.ts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/engine/codes.ts';
import { CHECKS, getCheck } from '../../runbooks/index.ts';
import {
  caseDirs,
  caseFolders,
  casesOf,
  fixtureFiles,
  headerOf,
  isDirective,
  loadCases,
  NOT_CASE_FOLDERS,
  parseHeader,
  type FixtureCase,
} from '../helpers/fixture-cases.ts';
import { FIXTURES, pairs, runFixtureCase } from '../helpers/run-fixtures.ts';

const REPO = join(import.meta.dirname, '..', '..');

/**
 * Checks that only a live cluster can answer (`needs: ['probes']`): over a snapshot they are
 * skipped, so no fixture can show a finding. Each names the test that covers it instead.
 */
const LIVE_ONLY: Readonly<Record<string, { why: string; test: string }>> = {
  'proxy-sync': { why: "reads istiod's /debug/syncz from each replica", test: 'test/live/proxy-sync.fake.test.ts' },
  'istiod-registry': { why: "reads istiod's /debug/registryz", test: 'test/live/istiod-registry.fake.test.ts' },
  'istiod-permissions-live': {
    why: 'asks the API server SubjectAccessReviews for istiod',
    test: 'test/cluster/istiod-permissions-live.test.ts',
  },
  'webhook-path': { why: "asks the API server to proxy a GET to istiod's webhook port", test: 'test/live/webhook-path.fake.test.ts' },
};

const { cases, errors } = loadCases();

/** A case without problems to show: nothing reported, or only info findings on a passing check. */
const isNegative = (c: FixtureCase): boolean => c.expected.length === 0 || c.status === 'pass';
const isPositive = (c: FixtureCase): boolean => c.expected.length > 0 && c.status !== 'pass';

describe('fixture headers', () => {
  it('all parse', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('name only registered codes', () => {
    const unknown = cases.flatMap((c) => c.expected.filter(([code]) => !(code in CODES)).map(([code]) => `${c.name}: ${code}`));
    expect(unknown).toEqual([]);
  });

  it('leave no old-style `# expected` comment anywhere a test reads fixtures', () => {
    const folders = [...caseFolders(), ...caseFolders().flatMap(caseDirs), 'shared'];
    const stale = folders.flatMap(fixtureFiles).filter((f) => /^#\s*expected\b/im.test(readFileSync(join(FIXTURES, f), 'utf8')));
    expect(stale).toEqual([]);
  });

  it('put no directive in a shared preamble, and every preamble is used', () => {
    const shared = fixtureFiles('shared');
    const withDirectives = shared.filter((f) => headerOf(readFileSync(join(FIXTURES, f), 'utf8')).some(isDirective));
    expect(withDirectives, 'a preamble is not a case: its expectations would never be read').toEqual([]);
    const used = new Set(cases.flatMap((c) => c.files));
    expect(
      shared.filter((f) => !used.has(f)),
      'preambles no case includes',
    ).toEqual([]);
  });
});

describe('case folders (one file per cluster)', () => {
  const header = '# expect: IST0103 Pod east:shop/cart\n# expect: IST0102 Namespace legacy ×2\n# why: two clusters.\n';

  it('name the cluster of a finding, and only a cluster the folder has', () => {
    expect(parseHeader(header, 'c/two/case.yaml', ['east', 'west'])[0]!.expected).toEqual([
      ['IST0102', 'Namespace legacy'],
      ['IST0102', 'Namespace legacy'],
      ['IST0103', 'Pod east:shop/cart'],
    ]);
    expect(() => parseHeader(header, 'c/two/case.yaml', ['north', 'south'])).toThrow(
      'test/fixtures/c/two/case.yaml:1: no cluster "east" in this case folder (its clusters: north, south)',
    );
    expect(() => parseHeader(header, 'c/one.yaml')).toThrow(/c\/one\.yaml:1: a cluster .* is named only in a case folder/);
  });

  it('run each cluster from its own file, preambles before each', () => {
    const folders = caseFolders().flatMap(caseDirs);
    expect(folders).toContain('sidecar-injection/two-clusters');
    const [two] = casesOf('sidecar-injection/two-clusters');
    expect(two).toMatchObject({
      name: 'sidecar-injection/two-clusters',
      clusters: [
        { name: 'east', files: ['sidecar-injection/two-clusters/east.yaml'] },
        { name: 'west', files: ['sidecar-injection/two-clusters/west.yaml'] },
      ],
    });
  });
});

describe('fixture folders', () => {
  it('are each named after a registered check', () => {
    expect(
      caseFolders().filter((folder) => getCheck(folder) === undefined),
      `folders that are no check id (folders without cases: ${Object.keys(NOT_CASE_FOLDERS).join(', ')})`,
    ).toEqual([]);
  });

  it('hold, for every check a snapshot can answer, a case without findings and a case with some', () => {
    const missing = CHECKS.filter((c) => !(c.id in LIVE_ONLY)).flatMap((check) => {
      const own = cases.filter((c) => c.check === check.id);
      return [
        ...(own.some(isNegative) ? [] : [`${check.id}: no negative case`]),
        ...(own.some(isPositive) ? [] : [`${check.id}: no case with findings`]),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('list exactly the live-only checks as exceptions, each covered by a live test', () => {
    const needsProbes = CHECKS.filter((c) => (c.needs ?? []).includes('probes')).map((c) => c.id);
    expect(Object.keys(LIVE_ONLY).sort()).toEqual(needsProbes.sort());
    for (const { test } of Object.values(LIVE_ONLY)) expect(existsSync(join(REPO, test)), test).toBe(true);
  });
});

describe.each(cases)('$name', (c) => {
  it('reports exactly the expected findings, each with evidence, a remediation and a link to its guide', async () => {
    const check = getCheck(c.check);
    expect(check, `no check ${c.check}`).toBeDefined();
    const result = await runFixtureCase(c);
    if (c.status === undefined) expect(result.status, result.reason).not.toBe('error');
    else expect(result.status, result.reason).toBe(c.status);
    expect(pairs(result)).toEqual(c.expected);
    const page = check!.docs.split('#')[0];
    for (const f of result.findings) {
      const what = `${f.code} ${f.resource.name}`;
      expect(Object.keys(f.evidence ?? {}).length, `${what} has no evidence`).toBeGreaterThan(0);
      expect(f.remediation, `${what} has no remediation`).toMatch(/\S/);
      expect(f.docs, `${what} links nowhere in the guide`).toMatch(/^\/\S*#[a-z0-9-]+$/);
      expect(f.docs?.split('#')[0], `${what} links away from its check's page`).toBe(page);
    }
  });
});
