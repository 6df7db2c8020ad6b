import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { ROOT_CERT_CONFIGMAP, meshIdentity, rootBundle, type MeshIdentity } from '../../src/mesh/multicluster.ts';
import { inCluster } from '../lib/multicluster.ts';

// One root of trust and compatible trust domains across the clusters of a mesh. The roots a
// cluster's proxies accept are the PEM certificates of its istio-ca-root-cert ConfigMap (key
// root-cert.pem; istiod writes it into every namespace, istio-system's is read first). Bundles
// are compared as sets of certificates: the same set everywhere passes; a cluster whose set shares
// nothing with the reference cluster's (the largest group of equal bundles, the earliest cluster
// on a tie) cannot verify its peers (error); sets that overlap but differ are a rotation half done
// (warning, since which root signs is not in the bundle). Trust domains come from meshConfig
// (`trustDomain`, default cluster.local, and `trustDomainAliases`); a cluster without the istio
// ConfigMap is not compared on them. A cluster whose roots cannot be read is undecided (MB0904),
// never passed.
export default defineCheck({
  id: 'mesh-trust',
  title: 'Clusters share one root of trust',
  description:
    'Every cluster of the mesh trusts the same root certificates (istio-ca-root-cert, root-cert.pem), and each accepts the trust domain of the others (trustDomain or trustDomainAliases).',
  why: 'Every connection between clusters is mutual TLS: a peer certificate from an unknown root is rejected, and identities of an unknown trust domain match no policy.',
  inputs: ['v1/ConfigMap'],
  scope: 'mesh',
  docs: '/concepts/multicluster/#mesh-trust',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => {
      const configMaps = c.list('v1/ConfigMap');
      return {
        name: c.name,
        bundle: rootBundle(configMaps),
        identity: meshIdentity(c.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP)),
      };
    });
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (clusters.length < 2) return;
    const readable = clusters.flatMap((c) => {
      if (c.bundle === undefined || c.bundle.certificates.length === 0) {
        ctx.report(
          'MB0904',
          inCluster(c.name, 'ConfigMap', ISTIO_NAMESPACE, ROOT_CERT_CONFIGMAP),
          {
            cluster: c.name,
            what: 'the root certificate',
            reason:
              c.bundle === undefined
                ? `no ${ROOT_CERT_CONFIGMAP} ConfigMap with key root-cert.pem in any namespace (istiod writes one into each; is a primary managing this cluster?).`
                : `ConfigMap ${c.bundle.where} holds no PEM certificate under root-cert.pem.`,
          },
          { evidence: { 'looked for': `ConfigMap ${ROOT_CERT_CONFIGMAP}, key root-cert.pem, in ${ISTIO_NAMESPACE} then any namespace` } },
        );
        return [];
      }
      return [{ name: c.name, where: c.bundle.where, certs: c.bundle.certificates }];
    });
    const groups = new Map<string, typeof readable>();
    for (const c of readable) {
      const key = c.certs.join('|');
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    // The largest group of equal bundles is the reference; Map order keeps the earliest cluster's group on a tie.
    const reference = [...groups.values()].reduce<typeof readable | undefined>(
      (best, g) => (best === undefined || g.length > best.length ? g : best),
      undefined,
    );
    const ref = reference?.[0];
    if (ref !== undefined) {
      for (const c of readable) {
        if (reference!.includes(c)) continue;
        const shared = c.certs.filter((x) => ref.certs.includes(x)).length;
        const evidence = {
          'root certificates': `${c.certs.length} in ConfigMap ${c.where}`,
          'reference root certificates': `${ref.certs.length} in ConfigMap ${ref.where} of cluster ${ref.name}`,
          'certificates in common': shared,
        };
        const resource = inCluster(c.name, 'ConfigMap', c.where.split('/')[0], ROOT_CERT_CONFIGMAP);
        if (shared === 0) ctx.report('MB0902', resource, { cluster: c.name, other: ref.name, configMap: c.where }, { evidence });
        else ctx.report('MB0903', resource, { cluster: c.name, other: ref.name }, { evidence });
      }
    }
    const withMesh = clusters.filter((c): c is typeof c & { identity: MeshIdentity } => c.identity !== undefined);
    for (const a of withMesh) {
      for (const b of withMesh) {
        if (a === b || b.identity.trustDomain === a.identity.trustDomain || a.identity.aliases.includes(b.identity.trustDomain)) continue;
        ctx.report(
          'MB0905',
          inCluster(a.name, 'ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP),
          { cluster: a.name, trustDomain: a.identity.trustDomain, other: b.name, otherDomain: b.identity.trustDomain },
          {
            evidence: {
              trustDomainAliases: a.identity.aliases.length === 0 ? '(none)' : a.identity.aliases.join(', '),
              'read from': a.identity.source,
              'other cluster read from': b.identity.source,
            },
          },
        );
      }
    }
  },
});
