// istiod-permissions-live on a real kube-apiserver: istiod's ServiceAccount bound to a
// ClusterRole that lacks EndpointSlices gets exactly that finding (asked through
// SubjectAccessReview by the least-privilege viewer); with the full role it passes; and on a
// snapshot the check is skipped.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { getCheck } from '../../runbooks/index.ts';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { REPO, findClusterBinaries, loadObjects, startCluster, type TestCluster } from '../../tools/cluster/harness.ts';

const binaries = findClusterBinaries();
const check = getCheck('istiod-permissions-live')!;

const READ = ['get', 'list', 'watch'];
// The discovery part of the Istio chart's istiod ClusterRole (see ../shared/notes/istio-facts.md §7.2).
const FULL_RULES = [
  { apiGroups: [''], resources: ['pods', 'nodes', 'services', 'namespaces', 'endpoints'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['networking.istio.io', 'security.istio.io'], resources: ['*'], verbs: READ },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

const obj = (o: Record<string, unknown>): KubeObject => o as unknown as KubeObject;

const ISTIOD: KubeObject[] = [
  obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }),
  obj({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'istiod-sa', namespace: 'istio-system' } }),
  obj({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod' } },
    spec: {
      selector: { matchLabels: { app: 'istiod' } },
      template: {
        metadata: { labels: { app: 'istiod' } },
        spec: { serviceAccountName: 'istiod-sa', containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.28.0' }] },
      },
    },
  }),
];

describe.skipIf(binaries === undefined)('istiod-permissions-live on a real kube-apiserver', () => {
  let cluster: TestCluster;
  let viewer: LiveSource;

  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries!, crds: 'minimal' });
    await loadObjects(cluster.admin, ISTIOD);
    viewer = await LiveSource.open({ kubeconfig: cluster.viewerKubeconfig }, { cacheTtlMs: 0, cache: new GatherCache() });
  });
  afterAll(async () => {
    viewer?.close();
    await cluster?.stop();
  });

  const bind = async (role: string, rules: unknown[]): Promise<void> => {
    await cluster.admin.create(obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules }));
    await cluster.admin.create(
      obj({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: 'istiod-sa', namespace: 'istio-system' }],
      }),
    );
  };

  it('a ClusterRole without EndpointSlices: exactly that finding, naming the rule to add', async () => {
    await bind(
      'istiod-clusterrole-istio-system',
      FULL_RULES.filter((r) => !r.resources.includes('endpointslices')),
    );
    // RBAC changes reach the authorizer through an informer: until then everything is denied.
    await expect
      .poll(async () => (await runChecks([check], viewer)).checks[0]!.findings.length, { timeout: 10_000, interval: 250 })
      .toBe(1);
    const before = viewer.requestCount;
    const report = await runChecks([check], viewer);
    const result = report.checks[0]!;
    expect(result.status, result.reason).toBe('fail');
    expect(result.findings.map((f) => [f.code, f.resource, f.params])).toEqual([
      [
        'MB0304',
        { kind: 'ServiceAccount', namespace: 'istio-system', name: 'istiod-sa' },
        {
          serviceAccount: 'istio-system/istiod-sa',
          verbs: 'list, watch',
          resource: 'endpointslices.discovery.k8s.io',
          purpose: 'map each Service to its workload IPs (R1)',
        },
      ],
    ]);
    const finding = result.findings[0]!;
    expect(finding.message).toBe(
      'The API server denies ServiceAccount istio-system/istiod-sa list, watch on endpointslices.discovery.k8s.io across the cluster (SubjectAccessReview), which istiod needs to map each Service to its workload IPs (R1).',
    );
    expect(finding.remediation).toContain('{apiGroups: ["discovery.k8s.io"], resources: [endpointslices], verbs: [get, list, watch]}');
    expect(finding.remediation).toContain('kubectl patch clusterrole istiod-clusterrole-istio-system');
    expect(finding.evidence).toMatchObject({
      'SubjectAccessReview user': 'system:serviceaccount:istio-system:istiod-sa',
      'used by': 'Deployment istio-system/istiod',
    });
    // One LIST of Deployments (discovery of apps is not needed: core + apps are built in) plus one review per verb asked.
    const asked = 14 * 2 + 2;
    expect(viewer.requestCount - before).toBeGreaterThanOrEqual(asked);
  });

  it('with the full role: pass', async () => {
    await bind('istiod-endpointslices', [FULL_RULES[1]]);
    // RBAC changes reach the authorizer through an informer: allow it a moment.
    await expect.poll(async () => (await runChecks([check], viewer)).checks[0]!.status, { timeout: 10_000, interval: 250 }).toBe('pass');
    expect((await runChecks([check], viewer)).checks[0]!.findings).toEqual([]);
  });

  it('on a snapshot it is skipped', async () => {
    const report = await runChecks([check], new YamlSource([join(REPO, 'runbooks', 'demo-cluster')]));
    expect(report.checks[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('needs a live cluster') });
  });
});
