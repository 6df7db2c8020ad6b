// Every check, run through the live source as the least-privilege viewer against a real
// kube-apiserver loaded with a fixture scenario, gives the same (code, resource) multiset and
// status as the snapshot source gives for the same scenario. Then, from the audit log: the
// viewer never asked for a change. And the forbidden path: a viewer missing a permission gets
// a precise error on exactly the checks that read it, while the others complete.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { YamlSource, loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { KINDS, KIND_IDS, kindIdOf, type KindId } from '../../src/k8s/kinds.ts';
import { inputsOf, runChecks } from '../../src/engine/runner.ts';
import { describeForbidden } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import type { CheckResult, CheckStatus, RunReport } from '../../src/engine/types.ts';
import { CHECKS } from '../../runbooks/index.ts';
import { pairs } from '../helpers/run-fixtures.ts';
import { isCaseHeader } from '../helpers/fixture-cases.ts';
import {
  REPO,
  VIEWER_ROLE_MANIFEST,
  clusterRoleBinding,
  findClusterBinaries,
  isDir,
  loadObjects,
  readAudit,
  startCluster,
  unloadObjects,
  userName,
  waitForAudit,
  type TestCluster,
} from '../../tools/cluster/harness.ts';

const binaries = findClusterBinaries();
if (binaries === undefined) {
  console.warn(
    '[cluster] SKIPPED: kube-apiserver/etcd are not built. Run tools/cluster/build-all.sh (or set KUBE_APISERVER_BIN and ETCD_BIN); .ci/run builds them.',
  );
}

const FIXTURES = join(REPO, 'test', 'fixtures');
const DEMO = join(REPO, 'runbooks', 'demo-cluster');

/**
 * Where a real API server legitimately differs from a snapshot file: it defaults fields the
 * file leaves out, and it cannot hold some objects as written. Each entry names the findings
 * (and status) that change, and why; the test fails if the difference stops happening.
 */
interface LiveDifference {
  check: string;
  onlyInSnapshot?: [string, string][];
  onlyLive?: [string, string][];
  liveStatus?: CheckStatus;
  why: string;
}
const LIVE_DIFFERENCES: Record<string, LiveDifference[]> = {
  'ambient-data-plane/ambient-istio-1-0.yaml': [
    {
      check: 'control-plane-health',
      onlyInSnapshot: [['MB0104', 'Deployment istio-system/istio-pilot']],
      onlyLive: [['MB0102', 'Deployment istio-system/istio-pilot']],
      liveStatus: 'fail',
      why: 'the 1.0 Pilot Deployment is written without status (readiness unknown); in a cluster it has a status, and with no controller running it, 0 replicas are ready.',
    },
    {
      check: 'istiod-api-access',
      onlyLive: [['MB0301', 'Deployment istio-system/istio-pilot']],
      why: 'the same Deployment: live, none of its replicas is ready.',
    },
  ],
  'gateway-ports/gateway-ports-bad.yaml': [
    {
      check: 'gateway-ports',
      onlyInSnapshot: [['IST0162', 'Gateway shop/web']],
      why: 'Service port 8081 has no protocol in the file; the API server defaults it to TCP, so the port counts (istioctl on a live cluster agrees).',
    },
  ],
  'control-plane-health/control-plane-health-manifest.yaml': [
    {
      check: 'control-plane-health',
      onlyInSnapshot: [['MB0104', 'Deployment istio-system/istiod']],
      onlyLive: [['MB0102', 'Deployment istio-system/istiod']],
      liveStatus: 'fail',
      why: 'a rendered manifest has no status (readiness unknown); in a cluster every Deployment has one, and with no controller running it, 0 replicas are ready — which is what a live cluster in that state should report.',
    },
    {
      check: 'istiod-api-access',
      onlyLive: [['MB0301', 'Deployment istio-system/istiod']],
      why: 'the same missing status: with no status and no pods the snapshot cannot tell readiness (not reported); live the Deployment has a status with 0 ready replicas and no pods, so istiod is not ready.',
    },
  ],
  // A manifest on purpose (no status, no pods, no bindings): the fixture exercises MB0303, which only a snapshot can show.
  'istiod-api-access/istiod-api-access-no-rbac.yaml': [
    {
      check: 'control-plane-health',
      onlyInSnapshot: [['MB0104', 'Deployment istio-system/istiod']],
      onlyLive: [['MB0102', 'Deployment istio-system/istiod']],
      liveStatus: 'fail',
      why: 'the Deployment comes from a rendered manifest without status (readiness unknown); in a cluster it has a status, and with no controller running it, 0 replicas are ready.',
    },
    {
      check: 'istiod-api-access',
      onlyLive: [['MB0301', 'Deployment istio-system/istiod']],
      why: 'the same missing status: the snapshot leaves readiness unknown (not reported); live the Deployment has 0 ready replicas and no pods, so istiod is not ready.',
    },
  ],
  // istiod Deployments without status: the fixtures exercise the env var IST0175 reads, not readiness.
  'jwks-fetch-restrictions/jwks-fetch-restrictions-ok.yaml': [
    {
      check: 'control-plane-health',
      onlyInSnapshot: [['MB0104', 'Deployment istio-system/istiod']],
      onlyLive: [['MB0102', 'Deployment istio-system/istiod']],
      liveStatus: 'fail',
      why: 'the istiod Deployment is written without status (readiness unknown); in a cluster it has one, and with no controller running it, 0 replicas are ready.',
    },
    {
      check: 'istiod-api-access',
      onlyLive: [['MB0301', 'Deployment istio-system/istiod']],
      why: 'the same missing status: the snapshot leaves readiness unknown (not reported); live the Deployment has 0 ready replicas and no pods.',
    },
  ],
  'jwks-fetch-restrictions/jwks-fetch-restrictions-bad.yaml': [
    {
      check: 'control-plane-health',
      onlyInSnapshot: [
        ['MB0104', 'Deployment istio-system/istiod'],
        ['MB0104', 'Deployment istio-system/istiod-canary'],
      ],
      onlyLive: [
        ['MB0102', 'Deployment istio-system/istiod'],
        ['MB0102', 'Deployment istio-system/istiod-canary'],
      ],
      liveStatus: 'fail',
      why: 'both istiod Deployments are written without status (readiness unknown); in a cluster they have one, and with no controller running them, 0 replicas are ready.',
    },
    {
      check: 'istiod-api-access',
      onlyLive: [
        ['MB0301', 'Deployment istio-system/istiod'],
        ['MB0301', 'Deployment istio-system/istiod-canary'],
      ],
      why: 'the same missing status: the snapshot leaves readiness unknown (not reported); live the Deployments have 0 ready replicas and no pods.',
    },
  ],
  'sidecar-injection/sidecar-injection-bad.yaml': [
    {
      check: 'sidecar-injection',
      onlyInSnapshot: [['IST0103', 'Pod shop/imageless-proxy']],
      why: 'a Pod without a container image cannot exist in a cluster; the harness gives it a placeholder image, so it is no longer the imageless proxy the fixture describes.',
    },
  ],
};

/** Scenarios the API server cannot hold as written, with why. */
const NOT_LOADABLE: Record<string, string> = {
  'e2e/hostile-markup.yaml': 'object names with markup are not valid Kubernetes names (the fixture tests the renderers, not a cluster)',
  'e2e/bidi-names.yaml':
    'object names with bidi and zero-width characters are not valid Kubernetes names (the fixture tests the renderers, not a cluster)',
  'external-control-plane/ecp-bad.yaml':
    'the API server requires a webhook to have a url or a service, and a url it can parse as https: only a snapshot can hold these',
  'gateway-ports/gateway-ports-port-without-number.yaml':
    "Istio's CRD schema requires servers[].port.number: only a snapshot can hold such a Gateway",
  'gateway-api-crd-versions/crd-versions-bad.yaml':
    'the test cluster already serves the Gateway API CRDs (v1.6.x) its harness installs; older versions of them cannot be loaded beside them',
  'gateway-api-crd-versions/crd-versions-ok.yaml':
    "the test cluster already serves the Gateway API CRDs (v1.6.x) its harness installs; the fixture's copies cannot be loaded beside them",
  'gateway-api-crd-versions/crd-versions-unparsable.yaml':
    "the test cluster already serves the Gateway API CRDs (v1.6.x) its harness installs; the fixture's copies cannot be loaded beside them",
  'istio-deprecations/deprecations-removed-crd.yaml':
    'a deleted CRD goes away asynchronously (its finalizer runs after the scenario is unloaded), so it would leak into the next scenario',
  'istio-schema/schema-bad.yaml': 'every object in it breaks its CRD schema on purpose: the API server refuses each one',
  'service-endpoints/service-endpoints-ok.yaml':
    'Service bookinfo/dual lists two ipFamilies without ipFamilyPolicy (the API server defaults SingleStack and rejects it); needs ipFamilyPolicy: PreferDualStack',
};

const scenarios: { name: string; paths: string[] }[] = [
  ...readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') && !isCaseHeader(f))
    .sort()
    .map((f) => ({ name: f, paths: [join(FIXTURES, f)] })),
  ...(isDir(DEMO) ? [{ name: 'runbooks/demo-cluster', paths: [DEMO] }] : []),
];

const liveChecks = CHECKS.filter((c) => c.needs === undefined || c.needs.length === 0);

describe.skipIf(binaries === undefined)('live source against a real kube-apiserver', () => {
  let cluster: TestCluster;
  let viewer: LiveSource;
  let admin: LiveSource;
  const requestCounts: { scenario: string; requests: number; kinds: number }[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries! });
    console.info(
      `[cluster] up in ${cluster.timings.totalMs} ms (etcd ${cluster.timings.etcdMs} ms, kube-apiserver ready ${cluster.timings.apiserverMs} ms, CRDs ${cluster.crdOrigin} ${cluster.timings.crdsMs} ms)`,
    );
    // No cache: every run must read the cluster as it is now.
    viewer = await LiveSource.open({ kubeconfig: cluster.viewerKubeconfig }, { cacheTtlMs: 0, cache: new GatherCache() });
    admin = await LiveSource.open({ kubeconfig: cluster.adminKubeconfig }, { cacheTtlMs: 0, cache: new GatherCache() });
  });

  afterAll(async () => {
    viewer?.close();
    admin?.close();
    if (requestCounts.length > 0)
      console.info(
        `[cluster] requests per full run (${liveChecks.length} checks): ${requestCounts.map((r) => `${r.scenario}=${r.requests} (${r.kinds} kinds)`).join(', ')}`,
      );
    await cluster?.stop();
  });

  describe.each(scenarios)('scenario $name', ({ name, paths }) => {
    it.skipIf(name in NOT_LOADABLE)('every check gives the same findings live (as the viewer) as from the snapshot', async () => {
      const { objects } = await readFixtures(paths);
      const loaded = await loadObjects(cluster.admin, objects);
      try {
        // What the cluster holds besides the fixture (built-in namespaces, the API server's own
        // objects, bootstrap RBAC…) is part of both sides: a snapshot of this cluster would hold it too.
        const baselineFile = join(cluster.dir, `baseline-${requestCounts.length}.json`);
        await writeFile(baselineFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: await baseline(admin, objects) }));
        const before = viewer.requestCount;
        const live = await runChecks(liveChecks, viewer);
        const requests = viewer.requestCount - before;
        const kinds = inputsOf(liveChecks);
        requestCounts.push({ scenario: name, requests, kinds: kinds.length });
        // The proof that the server is Kubernetes (/version, /api: no cache here) + one discovery request
        // (for the non-core groups) + one LIST per kind (no kind has > 500 objects here).
        expect(requests).toBe(2 + kinds.length + (kinds.some((k) => KINDS[k].group !== '') ? 1 : 0));
        const snapshot = await runChecks(liveChecks, new YamlSource([...paths, baselineFile]));
        compareReports(name, live, snapshot);
      } finally {
        await unloadObjects(cluster.admin, loaded);
      }
    });
  });

  it.skipIf(!isDir(DEMO))('the demo cluster gives the same findings live as its snapshot files alone', async () => {
    const { objects } = await readFixtures([DEMO]);
    const loaded = await loadObjects(cluster.admin, objects);
    try {
      const live = await runChecks(liveChecks, viewer);
      const snapshot = await runChecks(liveChecks, new YamlSource([DEMO]));
      compareReports('runbooks/demo-cluster', live, snapshot);
    } finally {
      await unloadObjects(cluster.admin, loaded);
    }
  });

  it('a viewer missing permissions: exactly the checks that read those kinds error, precisely; the others complete', async () => {
    const removed: KindId[] = ['networking.k8s.io/v1/NetworkPolicy', 'networking.istio.io/v1/ServiceEntry'];
    const role = (yaml.loadAll(readFileSync(VIEWER_ROLE_MANIFEST, 'utf8')) as KubeObject[]).find(
      (r) => r.metadata.name === 'meshbook-viewer',
    )!;
    const rules = (role as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules
      .map((rule) => ({
        ...rule,
        resources: rule.resources.filter((r) => !removed.some((k) => KINDS[k].plural === r && rule.apiGroups.includes(KINDS[k].group))),
      }))
      .filter((r) => r.resources.length > 0);
    await cluster.admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'meshbook-viewer-partial' },
      rules,
    } as unknown as KubeObject);
    const file = await cluster.addUser('partial-viewer', ['meshbook-test-viewers']);
    await cluster.admin.create(clusterRoleBinding('meshbook-test-partial-viewer', 'meshbook-viewer-partial', 'partial-viewer'));
    const partial = await LiveSource.open({ kubeconfig: file }, { cacheTtlMs: 0, cache: new GatherCache() });
    // Nor is it bound to the opt-in meshbook-viewer-secrets role (the main viewer is): Secrets are
    // not granted either, as for any viewer who did not opt in.
    const notGranted: KindId[] = [...removed, 'v1/Secret'];
    try {
      const snap = await partial.gather(notGranted, { signal: new AbortController().signal });
      for (const kind of notGranted) {
        expect(snap.problems.get(kind)).toMatchObject({
          reason: 'forbidden',
          message: expect.stringContaining(describeForbidden(kind, undefined)),
        });
      }
      expect(snap.problems.get('networking.k8s.io/v1/NetworkPolicy')!.message).toBe(
        'cannot list networkpolicies.networking.k8s.io at cluster scope: forbidden — needs get/list on networkpolicies (apiGroup networking.k8s.io). Ask for the Meshbook viewer ClusterRole (docs/rbac/meshbook-viewer.yaml), or limit the run to a namespace you can read.',
      );

      const report = await runChecks(liveChecks, partial);
      const full = await runChecks(liveChecks, viewer);
      let affected = 0;
      report.checks.forEach((result, i) => {
        const check = liveChecks[i]!;
        const missing = notGranted.filter((k) => check.inputs.includes(k));
        if (check.scope === 'mesh' && check.runsOnOneCluster !== true) {
          // Nothing to compare in a one-cluster run: skipped, whatever it could read.
          expect(result.status, check.id).toBe('skipped');
        } else if (missing.length > 0) {
          affected++;
          expect(result.status, check.id).toBe('error');
          for (const k of missing) expect(result.reason, check.id).toContain(describeForbidden(k, undefined));
        } else {
          expect(result.status, check.id).toBe(full.checks[i]!.status);
          expect(pairs(result), check.id).toEqual(pairs(full.checks[i]!));
        }
      });
      expect(affected).toBeGreaterThan(0);
      expect(report.checks.find((c) => c.id === 'gateway-secrets')).toMatchObject({
        status: 'error',
        reason: expect.stringContaining('needs get/list on secrets.'),
      });
    } finally {
      partial.close();
    }
  });

  it('the audit log shows no mutating request by any viewer (access reviews excepted)', async () => {
    // Exercise the one write-shaped call the client has: it asks, and changes nothing.
    const review = await viewer.reader.createAccessReview({
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'istio-system' } },
    });
    expect(review.allowed).toBe(true);
    const sar = await viewer.reader.createAccessReview({
      kind: 'SubjectAccessReview',
      spec: { user: 'system:serviceaccount:istio-system:istiod', resourceAttributes: { verb: 'list', resource: 'pods' } },
    });
    expect(sar.allowed).toBe(false);
    // The audit log is written after the response: a sentinel request marks the end of what we did.
    const sentinel = `sentinel-${randomUUID()}`;
    await expect(viewer.reader.get(`/api/v1/namespaces/${sentinel}`)).rejects.toMatchObject({ reason: 'not-found' });
    const events = await waitForAudit(cluster.auditLog, (e) => e.requestURI.includes(sentinel) && e.user.username === userName('viewer'));
    const viewers = new Set([userName('viewer'), userName('partial-viewer')]);
    const byViewers = events.filter((e) => viewers.has(e.user.username));
    expect(byViewers.length).toBeGreaterThan(scenarios.length * 5);
    const mutating = byViewers.filter((e) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb));
    const allowedWrites = new Set(['selfsubjectaccessreviews', 'subjectaccessreviews']);
    expect(mutating.filter((e) => !allowedWrites.has(e.objectRef?.resource ?? ''))).toEqual([]);
    expect(mutating.length).toBeGreaterThanOrEqual(2);
    expect(new Set(byViewers.map((e) => e.verb))).toEqual(new Set(['get', 'list', 'create']));
    expect(byViewers.every((e) => e.userAgent?.startsWith('meshbook/'))).toBe(true);
    // Secrets were only ever listed as metadata (the Accept header is not audited; the URI shows no payload read by name).
    expect(byViewers.filter((e) => e.objectRef?.resource === 'secrets').every((e) => e.verb === 'list')).toBe(true);
    const all = await readAudit(cluster.auditLog);
    console.info(
      `[cluster] audit: ${all.length} events, ${byViewers.length} by viewers, ${mutating.length} access reviews, 0 other writes`,
    );
  });
});

// Objects of every known kind in the cluster that did not come from the fixture.
async function baseline(admin: LiveSource, fixture: readonly KubeObject[]): Promise<KubeObject[]> {
  const key = (o: KubeObject): string | undefined => {
    const id = kindIdOf(o.apiVersion, o.kind);
    if (id === undefined) return undefined;
    return `${id}|${KINDS[id].namespaced ? (o.metadata.namespace ?? 'default') : ''}|${o.metadata.name}`;
  };
  const own = new Set(fixture.map(key));
  const snap = await admin.gather(KIND_IDS, { signal: new AbortController().signal });
  const failed = [...snap.problems.values()].filter((p) => p.reason !== 'not-installed');
  if (failed.length > 0) throw new Error(`admin gather failed: ${failed.map((p) => p.message).join(' ')}`);
  return [...snap.all()].filter((o) => !own.has(key(o)));
}

function compareReports(scenario: string, live: RunReport, snapshot: RunReport): void {
  const differences = LIVE_DIFFERENCES[scenario] ?? [];
  live.checks.forEach((l: CheckResult, i) => {
    const s = snapshot.checks[i]!;
    const where = `${scenario} › ${l.id}`;
    const expected = pairs(s);
    let status: string | undefined = s.status === 'error' ? s.reason : s.status;
    for (const d of differences.filter((x) => x.check === l.id)) {
      for (const p of d.onlyInSnapshot ?? []) {
        const at = expected.findIndex((e) => e[0] === p[0] && e[1] === p[1]);
        expect(at, `${where}: expected difference ${p.join(' ')} (${d.why})`).not.toBe(-1);
        expected.splice(at, 1);
      }
      expected.push(...(d.onlyLive ?? []));
      if (d.liveStatus !== undefined) status = d.liveStatus;
    }
    expect(l.status === 'error' ? l.reason : l.status, where).toBe(status);
    expect(pairs(l), where).toEqual(expected.sort());
  });
}
