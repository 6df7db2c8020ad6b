// One run over several clusters from the terminal: named snapshots and several contexts are
// parsed into clusters, every output names the cluster of each finding, and `meshbook snapshot`
// writes one snapshot per cluster that checks the same way back.

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/args.ts';
import { assertJsonContract } from './helpers/json-contract.ts';
import { readJunit } from './helpers/junit.ts';
import { runCli } from './helpers/run-cli.ts';
import { assertSarif } from './helpers/sarif.ts';

const CASE = 'test/fixtures/sidecar-injection/two-clusters';
const TWO = ['--snapshot', `east=${CASE}/east.yaml`, '--snapshot', `west=${CASE}/west.yaml`, '--check', 'sidecar-injection'];

describe('parsing clusters', () => {
  it('makes each --context a cluster named after it, and keeps one --context a one-cluster run', () => {
    expect(parseCommand(['check', '--context', 'east', '--context', 'west', '--kubeconfig', 'k.yaml'])).toMatchObject({
      source: {
        snapshots: [],
        kubeconfig: 'k.yaml',
        clusters: [
          { name: 'east', context: 'east' },
          { name: 'west', context: 'west' },
        ],
      },
    });
    const one = parseCommand(['check', '--context', 'east']);
    expect(one).toMatchObject({ source: { context: 'east' } });
    expect((one as { source: object }).source).not.toHaveProperty('clusters');
  });

  it('makes named snapshots clusters (a name given twice adds a path) and keeps unnamed ones one cluster', () => {
    expect(parseCommand(['check', '--snapshot', 'east=a.yaml', '--snapshot', 'west=b', '--snapshot', 'east=c.yaml'])).toMatchObject({
      source: {
        snapshots: ['a.yaml', 'c.yaml', 'b'],
        clusters: [
          { name: 'east', snapshots: ['a.yaml', 'c.yaml'] },
          { name: 'west', snapshots: ['b'] },
        ],
      },
    });
    const unnamed = parseCommand(['check', '--snapshot', 'a.yaml', '--snapshot', './x=y.yaml']);
    expect(unnamed).toMatchObject({ source: { snapshots: ['a.yaml', './x=y.yaml'] } });
    expect((unnamed as { source: object }).source).not.toHaveProperty('clusters');
  });

  it.each([
    [
      ['check', '--snapshot', 'east=a.yaml', '--snapshot', 'b.yaml'],
      /--snapshot values are all named \(NAME=PATH.*received "east=a.yaml" and "b.yaml"/,
    ],
    [['check', '--context', 'a', '--context', 'a'], /--context "a" is given twice/],
    [['check', '--context', 'a', '--context', 'b', '--snapshot', 'x'], /--context selects live clusters and --snapshot snapshots/],
    [['check', '--context', 'a', '--context', 'b', '--record', 'r.json'], /--record works on one cluster.*\(a, b\)/],
    [['check', '--snapshot', 'e=a', '--snapshot', 'w=b', '--with', 'x.yaml'], /--with works on one cluster/],
    [['check', '--snapshot', 'east='], /names cluster east but no path/],
    [['explain', '--snapshot', 'e=a', '--snapshot', 'w=b', '--from', 'a/b', '--to', 'a/c:80'], /explain reads one cluster/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('meshbook check over two named snapshots', () => {
  it('names the cluster of each finding in text, and each cluster in the header', async () => {
    const r = await runCli(['check', ...TWO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  east: ${CASE}/east.yaml (snapshot) — read 3 objects of 3 kinds\n`);
    expect(r.stdout).toContain(`  west: ${CASE}/west.yaml (snapshot) — read 4 objects of 3 kinds\n`);
    expect(r.stdout).toContain('  warning  IST0103  west: Pod shop/cart-7c9d8f6b5-xk2lp — The pod shop/cart-7c9d8f6b5-xk2lp is missing');
    expect(r.stdout).toContain('  info     IST0102  west: Namespace legacy — ');
    expect(r.stdout).not.toContain('east: Pod');
  });

  it('writes each finding’s cluster into the JSON contract, and the clusters of the run', async () => {
    const doc = assertJsonContract((await runCli(['check', ...TWO, '--format', 'json'])).stdout);
    expect(doc.clusters?.map((c) => [c.name, c.read.objects, c.problem])).toEqual([
      ['east', 3, undefined],
      ['west', 4, undefined],
    ]);
    expect(doc.checks[0]!.findings.map((f) => f.resource)).toEqual([
      { kind: 'Namespace', name: 'legacy', cluster: 'west' },
      { kind: 'Pod', namespace: 'shop', name: 'cart-7c9d8f6b5-xk2lp', cluster: 'west' },
    ]);
    expect(doc.checks[0]!.findings[1]!.location).toEqual({ file: `${CASE}/west.yaml`, line: 8 });
  });

  it('names the cluster in SARIF (a property and the logical location) and in JUnit testcase names', async () => {
    const [sarif, junit] = await Promise.all([
      runCli(['check', ...TWO, '--format', 'sarif']),
      runCli(['check', ...TWO, '--format', 'junit']),
    ]);
    const [run] = assertSarif(sarif.stdout).runs;
    const pod = run!.results.find((x) => x.ruleId === 'IST0103')!;
    expect((pod as { properties?: unknown }).properties).toMatchObject({ cluster: 'west' });
    expect(pod.locations[0]!.logicalLocations![0]).toEqual({
      name: 'cart-7c9d8f6b5-xk2lp',
      fullyQualifiedName: 'west/Pod/shop/cart-7c9d8f6b5-xk2lp',
      kind: 'resource',
    });
    const names = readJunit(junit.stdout).cases.map((c) => c.name);
    expect(names).toEqual(['IST0102 west: Namespace legacy', 'IST0103 west: Pod shop/cart-7c9d8f6b5-xk2lp']);
  });

  it('with one named snapshot, reports as an unnamed one does: no cluster anywhere', async () => {
    const [named, unnamed] = await Promise.all([
      runCli(['check', '--snapshot', `west=${CASE}/west.yaml`, '--check', 'sidecar-injection', '--format', 'json']),
      runCli(['check', '--snapshot', `${CASE}/west.yaml`, '--check', 'sidecar-injection', '--format', 'json']),
    ]);
    const strip = (text: string): unknown => ({ ...assertJsonContract(text), startedAt: '', checks: [] });
    expect(strip(named.stdout)).toEqual(strip(unnamed.stdout));
    expect(named.stdout).not.toContain('"cluster"');
  });
});

describe('meshbook snapshot over two clusters', () => {
  it('writes DIR/<cluster>/ for each, which check back to the same findings', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'meshbook-clusters-')), 'snap');
    const r = await runCli(['snapshot', ...TWO, '--output', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readdirSync(out).sort()).toEqual(['east', 'west']);
    expect(r.stdout).toMatch(/^Cluster east: Wrote 3 objects of 3 kinds from .*east\.yaml to .*\/east\/ /m);
    expect(r.stdout).toContain(`Run the checks on them offline with: meshbook check --snapshot east=`);
    const [from, back] = await Promise.all([
      runCli(['check', ...TWO, '--format', 'json']),
      runCli([
        'check',
        '--snapshot',
        `east=${join(out, 'east')}`,
        '--snapshot',
        `west=${join(out, 'west')}`,
        '--check',
        'sidecar-injection',
        '--format',
        'json',
      ]),
    ]);
    const findings = (text: string): unknown =>
      assertJsonContract(text).checks.map((c) => c.findings.map((f) => [f.code, f.resource, f.message]));
    expect(findings(back.stdout)).toEqual(findings(from.stdout));
  });

  it('refuses a directory that is not empty', async () => {
    const out = mkdtempSync(join(tmpdir(), 'meshbook-clusters-'));
    await runCli(['snapshot', ...TWO, '--output', out]);
    const again = await runCli(['snapshot', ...TWO, '--output', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty \(2 entries\)/);
  });
});
