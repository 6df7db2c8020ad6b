// The real CLI against a live cluster — the fake API server serving the demo cluster — as a
// child process: the default (current) context, --context and --kubeconfig, the target in
// the report, kubeconfig problems (exit 2), an unreachable server (exit 1, every check says
// why), -n, Ctrl-C aborting an in-flight request, and `meshbook snapshot` round trips.

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import type { JsonReport } from '../../src/report/report-schema.ts';
import { MANIFEST_FILE, type SnapshotManifest } from '../../src/cluster/snapshot-files.ts';
import { DEMO_DIR, PAYLOAD_SECRET, closedPortUrl, startFakeCluster, writeKubeconfig } from '../helpers/fake-cluster.ts';
import type { FakeApiServer } from '../live/fake-apiserver.ts';
import { assertJsonContract } from './helpers/json-contract.ts';
import { runCli, type CliOptions } from './helpers/run-cli.ts';

let tmp: string;
let fake: FakeApiServer;
let kubeconfig: string;
let deadUrl: string;
// No ~/.kube/config and no KUBECONFIG unless a test sets one.
let env: Record<string, string>;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-cli-live-'));
  fake = await startFakeCluster([DEMO_DIR], { extra: [PAYLOAD_SECRET] });
  deadUrl = await closedPortUrl();
  kubeconfig = await writeKubeconfig(
    join(tmp, 'kubeconfig'),
    [
      { name: 'demo-ctx', cluster: 'demo-cluster', server: fake.url },
      { name: 'dead-ctx', cluster: 'dead-cluster', server: deadUrl },
    ],
    'demo-ctx',
  );
  env = { HOME: tmp, KUBECONFIG: kubeconfig };
});
afterAll(async () => {
  await fake?.close();
  await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { ...options, env: { ...env, ...options.env } });

type Pairs = Record<string, { status: string; reason?: string; findings: string[] }>;
// Live-only checks run live and are skipped offline: compared separately.
const LIVE_ONLY = new Set(CHECKS.filter((c) => (c.needs ?? []).length > 0).map((c) => c.id));
/** Per check: status, reason and the (code, resource, message) of each finding — no locations, times or target. */
function outcome(report: JsonReport): Pairs {
  return Object.fromEntries(
    report.checks
      .filter((c) => !LIVE_ONLY.has(c.id))
      .map((c) => [
        c.id,
        {
          status: c.status,
          ...(c.reason === undefined ? {} : { reason: c.reason }),
          findings: c.findings
            .map((f) => `${f.code} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}: ${f.message}`)
            .sort(),
        },
      ]),
  );
}

describe('meshbook check against a live cluster', () => {
  it("with no --snapshot uses the current context, names it in the report and gives the snapshot's findings", async () => {
    const live = await cli(['check', '--format', 'json', '--fail-on', 'never']);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    const report = assertJsonContract(live.stdout) as JsonReport;
    expect(report.target).toEqual({ type: 'live', name: 'demo-ctx', context: 'demo-ctx', cluster: 'demo-cluster', server: fake.url });
    const snap = await cli(['check', '--snapshot', 'demo', '--format', 'json', '--fail-on', 'never']);
    const expected = outcome(JSON.parse(snap.stdout) as JsonReport);
    expect(outcome(report)).toEqual(expected);
    // The demo cluster has findings: the comparison is not between two empty reports.
    expect(Object.values(expected).some((c) => c.findings.length > 0)).toBe(true);
    // Live-only checks ran (the fake's access reviews allow istiod everything) and are skipped on the snapshot.
    const snapReport = JSON.parse(snap.stdout) as JsonReport;
    for (const id of LIVE_ONLY) {
      // The fake's service/pod proxy echoes plain text, not istiod's /debug/syncz or /debug/registryz
      // lists: those checks must say they could not read it (test/live/proxy-sync.fake.test.ts and
      // istiod-registry.fake.test.ts serve real samples).
      const readsIstiodDebug = id === 'proxy-sync' || id === 'istiod-registry';
      expect(report.checks.find((c) => c.id === id)!.status, id).toBe(readsIstiodDebug ? 'error' : 'pass');
      expect(snapReport.checks.find((c) => c.id === id)!.status, id).toBe('skipped');
    }
    expect(LIVE_ONLY.size).toBeGreaterThan(0);
    expect(fake.requests.some((r) => r.method === 'POST' && r.url === '/apis/authorization.k8s.io/v1/subjectaccessreviews')).toBe(true);
    expect(fake.requests.every((r) => r.method === 'GET' || r.url.includes('accessreviews'))).toBe(true);
  });

  it('text output shows context, cluster and server', async () => {
    const r = await cli(['check', '--check', 'gateway-ports']);
    expect(r.stdout).toContain('Target: demo-ctx (live cluster)');
    expect(r.stdout).toContain(`context: demo-ctx  cluster: demo-cluster  server: ${fake.url}`);
  });

  it('--context and --kubeconfig select another context and file', async () => {
    const other = await writeKubeconfig(
      join(tmp, 'other.kubeconfig'),
      [
        { name: 'first', server: deadUrl },
        { name: 'second', cluster: 'second-cluster', server: fake.url },
      ],
      'first',
    );
    const r = await cli(['check', '--kubeconfig', other, '--context', 'second', '--check', 'gateway-ports', '--format', 'json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.target).toMatchObject({ context: 'second', cluster: 'second-cluster', server: fake.url });
    expect(report.checks[0]!.status).not.toBe('error');
  });

  it('-n limits the findings to one namespace', async () => {
    const all = JSON.parse((await cli(['check', '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport;
    const namespaces = new Set(all.checks.flatMap((c) => c.findings.map((f) => f.resource.namespace)).filter((n) => n !== undefined));
    expect(namespaces.size).toBeGreaterThan(1);
    const ns = [...namespaces][0]!;
    const r = JSON.parse((await cli(['check', '-n', ns, '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport;
    const seen = r.checks.flatMap((c) => c.findings.map((f) => f.resource.namespace)).filter((n) => n !== undefined);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([ns]));
    expect(fake.requests.some((q) => q.url.startsWith(`/api/v1/namespaces/${ns}/pods`))).toBe(true);
  });

  it('an unreachable server: exit 1, and every check is an error that says why', async () => {
    const r = await cli(['check', '--context', 'dead-ctx', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.target).toMatchObject({ context: 'dead-ctx', server: deadUrl });
    expect(report.checks).toHaveLength(CHECKS.length);
    for (const c of report.checks) {
      expect(c.status, c.id).toBe('error');
      expect(c.reason, c.id).toContain(`Cannot reach the API server at ${deadUrl}: connection refused`);
    }
  });

  it.each([
    [
      'an unknown context',
      ['--context', 'nope'],
      {},
      /^meshbook: Context "nope" \(from --context\) is not in the kubeconfig .*; available: demo-ctx, dead-ctx\./,
    ],
    [
      'a missing --kubeconfig file',
      ['--kubeconfig', 'no/such/kubeconfig'],
      {},
      /^meshbook: Kubeconfig ".*no\/such\/kubeconfig" \(from --kubeconfig\) does not exist/,
    ],
    [
      'no kubeconfig at all',
      [],
      { KUBECONFIG: '' },
      /^meshbook: No kubeconfig found: \$KUBECONFIG is not set and ".*\.kube\/config" does not exist/,
    ],
    [
      '--context with --snapshot',
      ['--context', 'demo-ctx', '--snapshot', 'demo'],
      {},
      /^meshbook: --context selects a live cluster and --snapshot a snapshot; pass one or the other/,
    ],
  ])('%s: exit 2, one line on stderr', async (_, args, extraEnv, message) => {
    const r = await cli(['check', ...args], { env: extraEnv });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a kubeconfig that is not valid YAML: exit 2 naming the file and line', async () => {
    const broken = join(tmp, 'broken.kubeconfig');
    await writeFile(broken, 'apiVersion: v1\nclusters: [\n');
    const r = await cli(['check', '--kubeconfig', broken]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^meshbook: Kubeconfig .*broken\.kubeconfig:\d+: invalid YAML/);
  });

  it('Ctrl-C aborts the in-flight request and exits 130', async () => {
    const hang = await startFakeCluster([DEMO_DIR], { faults: { pods: 'hang' } });
    try {
      const file = await writeKubeconfig(join(tmp, 'hang.kubeconfig'), [{ name: 'hang', server: hang.url }], 'hang');
      const started = performance.now();
      const r = await cli(['check', '--kubeconfig', file], {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (hang.requests.some((q) => q.url.includes('/pods'))) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          }, 20);
          child.on('close', () => clearInterval(poll));
        },
      });
      expect(r.code).toBe(130);
      expect(r.stderr).toBe('meshbook: cancelled\n');
      expect(performance.now() - started).toBeLessThan(10_000);
      // The hung LIST was abandoned by the client, not left open.
      await expect.poll(() => hang.abandoned).toBeGreaterThan(0);
    } finally {
      await hang.close();
    }
  });
});

describe('meshbook snapshot', () => {
  it('writes one List per kind and a manifest; Secrets carry metadata only; no managedFields', async () => {
    const out = join(tmp, 'snap-live');
    const r = await cli(['snapshot', '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Wrote \d+ objects of \d+ kinds from demo-ctx to .*snap-live\/ \(manifest: meshbook-snapshot\.json\)\./);
    const files = (await readdir(out)).sort();
    expect(files).toContain('core-pod.yaml');
    expect(files).toContain('networking.istio.io-gateway.yaml');
    expect(files).toContain(MANIFEST_FILE);
    const pods = yaml.load(await readFile(join(out, 'core-pod.yaml'), 'utf8')) as {
      apiVersion: string;
      kind: string;
      items: { kind: string; apiVersion: string }[];
    };
    expect(pods).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(pods.items.length).toBeGreaterThan(0);
    expect(pods.items.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    const all = await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')));
    expect(all.join('\n')).not.toContain('managedFields');
    if (files.includes('core-secret.yaml')) {
      const secrets = await readFile(join(out, 'core-secret.yaml'), 'utf8');
      expect(secrets).toContain('shop-cert');
      expect(secrets).not.toContain('UEFZTE9BRC1TRUNSRVQ');
      expect(secrets).not.toContain('last-applied-configuration');
      expect(secrets).not.toMatch(/^\s*(data|stringData|type):/m);
    }
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    expect(manifest).toMatchObject({
      kind: 'SnapshotManifest',
      target: { type: 'live', context: 'demo-ctx', server: fake.url },
      problems: [],
    });
    expect(manifest.checks).toEqual(CHECKS.map((c) => c.id));
    expect(new Date(manifest.gatheredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(manifest.kinds.map((k) => k.file).sort()).toEqual(files.filter((f) => f !== MANIFEST_FILE));
  });

  it('loads back with --snapshot DIR and gives the same findings as the live run', async () => {
    const out = join(tmp, 'snap-roundtrip');
    expect((await cli(['snapshot', '-o', out])).code).toBe(0);
    const live = JSON.parse((await cli(['check', '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport;
    const offline = await cli(['check', '--snapshot', out, '--format', 'json', '--fail-on', 'never']);
    expect(offline.stderr).toBe('');
    expect(outcome(JSON.parse(offline.stdout) as JsonReport)).toEqual(outcome(live));
  });

  it('works from --snapshot inputs and limits to the selected checks and namespace', async () => {
    const out = join(tmp, 'snap-from-demo');
    const r = await cli(['snapshot', '--snapshot', 'demo', '--check', 'gateway-ports', '-n', 'istio-system', '-o', out]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    expect(manifest.checks).toEqual(['gateway-ports']);
    expect(manifest.namespace).toBe('istio-system');
    expect(manifest.target).toMatchObject({ type: 'snapshot', name: 'demo cluster snapshot' });
    const gatewayCheck = CHECKS.find((c) => c.id === 'gateway-ports')!;
    expect(manifest.kinds.map((k) => k.kind).sort()).toEqual([...gatewayCheck.inputs].sort());
    const pods = yaml.load(await readFile(join(out, 'core-pod.yaml'), 'utf8')) as { items: { metadata: { namespace?: string } }[] };
    expect(pods.items.every((p) => p.metadata.namespace === 'istio-system')).toBe(true);
    const a = await cli([
      'check',
      '--snapshot',
      out,
      '--check',
      'gateway-ports',
      '-n',
      'istio-system',
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    const b = await cli([
      'check',
      '--snapshot',
      'demo',
      '--check',
      'gateway-ports',
      '-n',
      'istio-system',
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    expect(outcome(JSON.parse(a.stdout) as JsonReport)).toEqual(outcome(JSON.parse(b.stdout) as JsonReport));
  });

  it('kinds that cannot be read: exit 1, listed, recorded, and the same checks error offline', async () => {
    const partial = await startFakeCluster([DEMO_DIR], { faults: { serviceentries: 'forbidden' } });
    try {
      const file = await writeKubeconfig(join(tmp, 'partial.kubeconfig'), [{ name: 'partial', server: partial.url }], 'partial');
      const out = join(tmp, 'snap-partial');
      const r = await cli(['snapshot', '--kubeconfig', file, '-o', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        'not read: networking.istio.io/v1/ServiceEntry — cannot list serviceentries.networking.istio.io at cluster scope: forbidden',
      );
      const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
      expect(manifest.problems).toEqual([expect.objectContaining({ kind: 'networking.istio.io/v1/ServiceEntry', reason: 'forbidden' })]);
      expect(await readdir(out)).not.toContain('networking.istio.io-serviceentry.yaml');
      const live = JSON.parse((await cli(['check', '--kubeconfig', file, '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport;
      const offline = JSON.parse((await cli(['check', '--snapshot', out, '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport;
      expect(outcome(offline)).toEqual(outcome(live));
      expect(live.checks.some((c) => c.status === 'error')).toBe(true);
    } finally {
      await partial.close();
    }
  });

  it.each([
    ['no --output', ['snapshot', '--snapshot', 'demo'], /^meshbook: meshbook snapshot needs --output DIR/],
    [
      'a non-empty directory',
      ['snapshot', '--snapshot', 'demo', '-o', 'test/cli/fixtures'],
      /^meshbook: The snapshot directory "test\/cli\/fixtures" is not empty/,
    ],
  ])('%s: exit 2', async (_, args, message) => {
    const r = await cli(args);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
  });
});
