import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { clusterIdentity, meshIdentity } from '../../src/mesh/multicluster.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { andList, inCluster } from '../lib/multicluster.ts';

// One mesh, distinct clusters. The mesh ID of a cluster is what its proxies get: meshConfig
// defaultConfig.meshId (the chart writes values.global.meshID there), else the trust domain (the
// injector's fallback); clusters without the istio ConfigMap are not compared. The cluster ID is
// the CLUSTER_ID env of istiod's discovery container (`Kubernetes` when unset) on a primary; on a
// cluster without istiod, the injector's values.global.multiCluster.clusterName or the
// ISTIO_META_CLUSTER_ID of an injected proxy. Two clusters with one ID: the later ones in the run
// are reported. A cluster whose ID cannot be read is undecided (MB0904).
export default defineCheck({
  id: 'mesh-identity',
  title: 'One mesh ID, one name per cluster',
  description:
    'The clusters share one mesh ID, and each has a cluster ID (istiod CLUSTER_ID, multiCluster.clusterName) no other cluster uses.',
  why: 'istiod keys remote clusters and their endpoints by cluster ID, and proxies report the mesh ID: a duplicate name hides a cluster, a second mesh ID splits the mesh.',
  inputs: ['v1/ConfigMap', 'apps/v1/Deployment', 'v1/Pod'],
  scope: 'mesh',
  docs: '/concepts/multicluster/#mesh-identity',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => ({
      name: c.name,
      identity: clusterIdentity(c.list('apps/v1/Deployment'), c.list('v1/ConfigMap'), c.list('v1/Pod')),
      mesh: meshIdentity(c.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP)),
    }));
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (clusters.length < 2) return;
    // Mesh IDs: the most common one is the mesh's; a tie goes to the earliest cluster's.
    const withMesh = clusters.flatMap((c) => (c.mesh === undefined ? [] : [{ name: c.name, mesh: c.mesh }]));
    const counts = new Map<string, number>();
    for (const c of withMesh) counts.set(c.mesh.meshId, (counts.get(c.mesh.meshId) ?? 0) + 1);
    const meshId = [...counts.entries()].reduce<[string, number] | undefined>(
      (best, e) => (best === undefined || e[1] > best[1] ? e : best),
      undefined,
    )?.[0];
    const holder = withMesh.find((c) => c.mesh.meshId === meshId);
    for (const c of withMesh) {
      if (holder === undefined || c.mesh.meshId === meshId) continue;
      ctx.report(
        'MB0906',
        inCluster(c.name, 'ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP),
        { cluster: c.name, meshId: c.mesh.meshId, other: holder.name, otherMeshId: holder.mesh.meshId },
        {
          evidence: {
            'defaultConfig.meshId': c.mesh.meshIdSet ? c.mesh.meshId : `(unset: the trust domain ${c.mesh.trustDomain})`,
            'other cluster defaultConfig.meshId': holder.mesh.meshIdSet
              ? holder.mesh.meshId
              : `(unset: the trust domain ${holder.mesh.trustDomain})`,
          },
        },
      );
    }
    const firstWith = new Map<string, string>();
    for (const c of clusters) {
      const istiod = c.identity.istiods[0];
      const resource =
        istiod === undefined
          ? inCluster(c.name, 'Namespace', undefined, ISTIO_NAMESPACE)
          : inCluster(c.name, 'Deployment', namespaceOf(istiod), istiod.metadata.name);
      if (c.identity.id === undefined) {
        ctx.report(
          'MB0904',
          resource,
          { cluster: c.name, what: 'the cluster name', reason: `${c.identity.source}.` },
          { evidence: { 'read from': c.identity.source } },
        );
        continue;
      }
      const earlier = firstWith.get(c.identity.id);
      if (earlier === undefined) {
        firstWith.set(c.identity.id, c.name);
        continue;
      }
      const sharing = clusters.filter((o) => o.identity.id === c.identity.id).map((o) => o.name);
      ctx.report(
        'MB0907',
        resource,
        { clusterId: c.identity.id, cluster: c.name, other: earlier },
        { evidence: { 'read from': c.identity.source, 'clusters with this ID': andList(sharing) } },
      );
    }
  },
});
