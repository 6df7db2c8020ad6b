import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { clusterIdentity, MULTICLUSTER_SECRET_LABEL, REMOTE_SECRET_PREFIX, remoteSecrets } from '../../src/mesh/multicluster.ts';
import { listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { inCluster } from '../lib/multicluster.ts';

// R1 across clusters: every primary (a cluster running istiod) reads every other cluster of the
// mesh through a remote secret — a Secret in istio-system labelled istio/multiCluster=true whose
// data keys are cluster IDs (pkg/kube/multicluster/secretcontroller.go; its own ID is skipped).
// Secrets are read as metadata unless --read-secrets: the cluster ID is then the
// networking.istio.io/cluster annotation `istioctl create-remote-secret` writes, else what the
// name istio-remote-secret-<ID> says. A labelled Secret that names no cluster we can read leaves
// the primary undecided (MB0904) rather than missing a secret. Secrets named or annotated like
// remote secrets that istiod would not read (no label, another namespace) are MB0911. Whether
// istiod actually synced each remote cluster (istioctl remote-clusters, /debug/clusterz) is live
// state this check does not read.
export default defineCheck({
  id: 'remote-secrets',
  title: 'Each primary has a remote secret for every other cluster',
  description:
    'Every cluster running istiod has, in istio-system, a Secret labelled istio/multiCluster=true for each other cluster of the mesh, named for that cluster (read as metadata).',
  why: 'istiod discovers the services and endpoints of another cluster only through its remote secret (R1); without one, proxies see only local endpoints and cross-cluster calls fail.',
  inputs: ['v1/Secret', 'apps/v1/Deployment', 'v1/ConfigMap', 'v1/Pod'],
  scope: 'mesh',
  docs: '/concepts/multicluster/#remote-secrets',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => ({
      name: c.name,
      identity: clusterIdentity(c.list('apps/v1/Deployment'), c.list('v1/ConfigMap'), c.list('v1/Pod')),
      secrets: remoteSecrets(c.list('v1/Secret')),
    }));
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (clusters.length < 2) return;
    for (const c of clusters) {
      for (const s of c.secrets) {
        if (s.read) continue;
        ctx.report(
          'MB0911',
          inCluster(c.name, 'Secret', namespaceOf(s.secret), s.secret.metadata.name),
          {
            secret: `${namespaceOf(s.secret)}/${s.secret.metadata.name}`,
            cluster: c.name,
            reason: s.problem!,
          },
          {
            evidence: {
              'metadata.namespace': namespaceOf(s.secret),
              [`metadata.labels.${MULTICLUSTER_SECRET_LABEL}`]: s.secret.metadata.labels?.[MULTICLUSTER_SECRET_LABEL] ?? '(unset)',
              'for clusters': s.clusters.join(', ') || '(unknown)',
            },
          },
        );
      }
    }
    for (const primary of clusters) {
      if (!primary.identity.primary) continue;
      const istiod = primary.identity.istiods[0]!;
      const resource = inCluster(primary.name, 'Deployment', namespaceOf(istiod), istiod.metadata.name);
      const read = primary.secrets.filter((s) => s.read);
      const unnamed = read.filter((s) => s.clusters.length === 0);
      for (const other of clusters) {
        if (other === primary) continue;
        const id = other.identity.id;
        // Its ID unknown, or equal to this primary's: mesh-identity reports those.
        if (id === undefined || id === primary.identity.id) continue;
        if (read.some((s) => s.clusters.includes(id))) continue;
        const evidence = {
          'remote secrets': listForEvidence(read.map((s) => `${s.secret.metadata.name} (${s.clusters.join(', ') || 'cluster unknown'})`)),
          'cluster ID of the other cluster': `${id} (${other.identity.source})`,
        };
        if (unnamed.length > 0) {
          ctx.report(
            'MB0904',
            resource,
            {
              cluster: primary.name,
              what: `the remote secret for cluster ${other.name}`,
              reason: `Secret ${unnamed.map((s) => s.secret.metadata.name).join(', ')} in ${ISTIO_NAMESPACE} is labelled ${MULTICLUSTER_SECRET_LABEL}=true but names no cluster without its data; run with --read-secrets to read its keys.`,
            },
            { evidence },
          );
          continue;
        }
        ctx.report(
          'MB0910',
          resource,
          { primary: primary.name, clusterId: id, cluster: other.name },
          {
            evidence: { ...evidence, 'expected Secret': `${ISTIO_NAMESPACE}/${REMOTE_SECRET_PREFIX}${id}` },
            fix: 'create-remote-secret',
            fixParams: { primary: primary.name, cluster: other.name, clusterId: id },
          },
        );
      }
    }
  },
});
