import { defineCheck } from '../../src/engine/check.ts';
import type { DestinationRule, KubeObject, Labels, Pod } from '../../src/k8s/objects.ts';
import { matchesLabels } from '../../src/k8s/selectors.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import {
  clientTlsMode,
  meshMtlsFromConfigMap,
  peerMode,
  peerSpec,
  workloadMtlsResolver,
  type ClientTlsMode,
  type PeerMode,
} from '../../src/istio/mtls.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// Mirrors Kiali's mTLS validations between PeerAuthentications and DestinationRules
// (kiali/kiali business/checkers/peerauthentications/ and destinationrules/, helpers in
// kubernetes/filters.go), with Kiali's reading of "mesh-wide" and "namespace-wide":
// - a PeerAuthentication counts only without a selector (any selector, even empty, takes it out),
//   in the root namespace (mesh) or another one (namespace); it "enables" mTLS when its mode is
//   STRICT or PERMISSIVE;
// - a DestinationRule counts only for host `*.local` (mesh) or `*.<its namespace>.svc.cluster.local`
//   (namespace); it "enables" mTLS with top-level tls.mode ISTIO_MUTUAL; a tls block without a
//   mode is DISABLE;
// - KIA0205, KIA0206, KIA0401 and KIA0501 apply only with meshConfig enableAutoMtls false;
// - namespace PeerAuthentications are taken in creation order, the way Kiali walks them.
// KIA0105 is read with Meshbook's effective mode (src/istio/mtls.ts) rather than Kiali's status
// model: a policy is reported when every workload it covers has mTLS DISABLE.

const CLUSTER_SUFFIX = 'svc.cluster.local';
const MESH_HOST = '*.local';

// The fields whose values come from the peer's certificate.
const IDENTITY_SOURCES = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'] as const;
const IDENTITY_KEYS = new Set(['source.namespace', 'source.principal', 'connection.sni']);

interface AuthzRules {
  selector?: { matchLabels?: Labels | null } | null;
  targetRef?: unknown;
  targetRefs?: unknown[] | null;
  rules?:
    ({ from?: ({ source?: Record<string, unknown> | null } | null)[] | null; when?: ({ key?: string } | null)[] | null } | null)[] | null;
}

interface TlsSpec {
  host?: string;
  trafficPolicy?: { tls?: { mode?: unknown } | null; portLevelSettings?: ({ tls?: unknown } | null)[] | null } | null;
}

const nsHost = (namespace: string): string => `*.${namespace}.${CLUSTER_SUFFIX}`;
const topMode = (dr: DestinationRule): ClientTlsMode | undefined => clientTlsMode((dr.spec as TlsSpec | undefined)?.trafficPolicy?.tls);
const drHost = (dr: DestinationRule): string => dr.spec?.host ?? '';
const isMeshWide = (dr: DestinationRule): boolean => drHost(dr) === MESH_HOST;
const isNamespaceWide = (dr: DestinationRule): boolean => drHost(dr) === nsHost(namespaceOf(dr));
const mutual = (mode: ClientTlsMode | undefined): boolean => mode === 'ISTIO_MUTUAL' || mode === 'MUTUAL';

// Kiali's PeerAuthnHasMTLSEnabled: the mode of a selector-less policy with an mtls block.
function wideMode(pa: KubeObject): PeerMode | undefined {
  const spec = peerSpec(pa);
  if (spec.selector !== undefined && spec.selector !== null) return undefined;
  if (spec.mtls === undefined || spec.mtls === null) return undefined;
  return peerMode(spec.mtls);
}
const enables = (pa: KubeObject): boolean => {
  const m = wideMode(pa);
  return m === 'STRICT' || m === 'PERMISSIVE';
};

const byAge = (a: KubeObject, b: KubeObject): number =>
  (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0) ||
  (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

// The namespace a DestinationRule host is in: short names in the rule's own, `name.ns[.svc.cluster.local]` and `*.ns.svc.cluster.local` in ns.
function hostNamespace(host: string, own: string): string | undefined {
  if (!host.includes('.')) return own;
  const parts = host.split('.');
  if (host.endsWith(`.${CLUSTER_SUFFIX}`) && parts.length === 5) return parts[1];
  if (parts.length === 2 && !host.startsWith('*')) return parts[1];
  return undefined;
}
const fqdn = (host: string, ns: string): string => (host.includes('.') || host.startsWith('*') ? host : `${host}.${ns}.${CLUSTER_SUFFIX}`);

export default defineCheck({
  id: 'mtls-conflicts',
  title: 'PeerAuthentications and DestinationRules agree on mTLS',
  description:
    "Compares the mesh-wide and namespace-wide PeerAuthentications (what servers accept) with the mesh-wide and namespace-wide DestinationRules (what clients send), as Kiali's mTLS validations do, and finds AuthorizationPolicies that match peer identities on workloads without mTLS.",
  why: 'A server that requires mTLS resets plaintext clients, and a server with mTLS off cannot read a TLS handshake: when the two halves disagree, every call between them fails, and policies that match identities never see one.',
  inputs: [
    'security.istio.io/v1/PeerAuthentication',
    'networking.istio.io/v1/DestinationRule',
    'security.istio.io/v1/AuthorizationPolicy',
    'v1/Pod',
    'v1/ConfigMap',
  ],
  kiali: ['KIA0105', 'KIA0204', 'KIA0205', 'KIA0206', 'KIA0207', 'KIA0208', 'KIA0401', 'KIA0501', 'KIA0505', 'KIA0506'],
  docs: '/concepts/security-policies/#mtls-conflicts',
  analyze(ctx) {
    const mesh = meshMtlsFromConfigMap(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const root = mesh.rootNamespace;
    const pas = [...ctx.list('security.istio.io/v1/PeerAuthentication')].sort(byAge);
    const drs = [...ctx.list('networking.istio.io/v1/DestinationRule')].sort(byAge);
    const meshPas = pas.filter((pa) => namespaceOf(pa) === root);
    // Lookups by namespace and by host, built once: scanning every rule or policy per rule or
    // per policy grows with the square of the mesh.
    const pasIn = groupBy(pas, namespaceOf);
    const nsPas = (ns: string): KubeObject[] => pasIn.get(ns) ?? [];
    const drsFor = groupBy(drs, drHost);
    const rulesFor = (host: string): DestinationRule[] => drsFor.get(host) ?? [];
    const autoOff = { 'meshConfig.enableAutoMtls': `false (${mesh.source})` };
    const paRef = (pa: KubeObject): { kind: string; namespace: string; name: string } => ({
      kind: 'PeerAuthentication',
      namespace: namespaceOf(pa),
      name: pa.metadata.name,
    });
    const drRef = (dr: DestinationRule): { kind: string; namespace: string; name: string } => ({
      kind: 'DestinationRule',
      namespace: namespaceOf(dr),
      name: dr.metadata.name,
    });
    const drPatch = (dr: DestinationRule): { name: string; namespace: string; path: string } => ({
      name: dr.metadata.name,
      namespace: namespaceOf(dr),
      path: '/spec/trafficPolicy/tls/mode',
    });

    for (const dr of drs) {
      const ns = namespaceOf(dr);
      const mode = topMode(dr);
      const host = drHost(dr);
      const evidence = { 'spec.host': host, 'spec.trafficPolicy.tls.mode': mode ?? '(none)' };

      // KIA0207 / KIA0208: plaintext clients toward STRICT servers.
      if (mode === 'DISABLE' && isNamespaceWide(dr)) {
        const first = nsPas(ns).find((pa) => enables(pa));
        const nsDisabled = nsPas(ns).some((pa) => wideMode(pa) === 'DISABLE');
        if (first !== undefined && wideMode(first) === 'STRICT') {
          ctx.report(
            'MB0801',
            drRef(dr),
            { destinationRule: fullName(dr), namespace: ns, policy: fullName(first) },
            {
              evidence: { ...evidence, [`PeerAuthentication ${fullName(first)} spec.mtls.mode`]: 'STRICT' },
              fix: 'use-istio-mutual',
              fixParams: drPatch(dr),
            },
          );
          continue;
        }
        if (first === undefined && !nsDisabled) {
          const strictMesh = meshPas.find((pa) => wideMode(pa) === 'STRICT');
          if (strictMesh !== undefined)
            ctx.report(
              'MB0802',
              drRef(dr),
              { destinationRule: fullName(dr), host, policy: fullName(strictMesh) },
              {
                evidence: { ...evidence, [`PeerAuthentication ${fullName(strictMesh)} spec.mtls.mode`]: 'STRICT' },
                fix: 'use-istio-mutual',
                fixParams: drPatch(dr),
              },
            );
        }
      }
      if (mode === 'DISABLE' && isMeshWide(dr)) {
        const strictMesh = meshPas.find((pa) => wideMode(pa) === 'STRICT');
        if (strictMesh !== undefined)
          ctx.report(
            'MB0802',
            drRef(dr),
            { destinationRule: fullName(dr), host, policy: fullName(strictMesh) },
            {
              evidence: { ...evidence, [`PeerAuthentication ${fullName(strictMesh)} spec.mtls.mode`]: 'STRICT' },
              fix: 'use-istio-mutual',
              fixParams: drPatch(dr),
            },
          );
      }

      // KIA0205 / KIA0206: the client half without the server half (auto mTLS off).
      if (!mesh.autoMtls && mode === 'ISTIO_MUTUAL') {
        if (isMeshWide(dr) && !meshPas.some(enables))
          ctx.report(
            'MB0803',
            drRef(dr),
            { destinationRule: fullName(dr), rootNamespace: root },
            {
              evidence: { ...evidence, ...autoOff, [`mesh-wide PeerAuthentications in ${root}`]: '(none enabling mTLS)' },
              fix: 'add-mesh-policy',
              fixParams: { rootNamespace: root },
            },
          );
        if (isNamespaceWide(dr) && !nsPas(ns).some(enables) && !meshPas.some(enables))
          ctx.report(
            'MB0804',
            drRef(dr),
            { destinationRule: fullName(dr), namespace: ns },
            {
              evidence: { ...evidence, ...autoOff, 'namespace-wide and mesh-wide PeerAuthentications': '(none enabling mTLS)' },
              fix: 'add-namespace-policy',
              fixParams: { namespace: ns },
            },
          );
      }
    }

    // KIA0204: a specific rule without TLS hides a namespace-wide or mesh-wide ISTIO_MUTUAL rule.
    const age = new Map(drs.map((dr, i) => [dr, i]));
    const wideMutual = (hostNs: string | undefined): DestinationRule[] =>
      [...rulesFor(MESH_HOST), ...(hostNs === undefined ? [] : rulesFor(nsHost(hostNs)).filter(isNamespaceWide))]
        .filter((w) => topMode(w) === 'ISTIO_MUTUAL')
        .sort((x, y) => age.get(x)! - age.get(y)!);
    for (const dr of drs) {
      const spec = (dr.spec ?? {}) as TlsSpec;
      const hasTls =
        (spec.trafficPolicy?.tls !== undefined && spec.trafficPolicy.tls !== null) ||
        (spec.trafficPolicy?.portLevelSettings ?? []).some((p) => p?.tls !== undefined && p.tls !== null);
      if (hasTls) continue;
      const ns = namespaceOf(dr);
      const hostNs = hostNamespace(drHost(dr), ns);
      const full = fqdn(drHost(dr), ns);
      const same = wideMutual(hostNs).filter((w) => w !== dr);
      const exact = rulesFor(full).filter((o) => o !== dr && topMode(o) === 'ISTIO_MUTUAL');
      const overridden = [...same, ...exact];
      if (overridden.length === 0) continue;
      const spec0 = dr.spec?.trafficPolicy === undefined || dr.spec.trafficPolicy === null;
      ctx.report(
        'MB0805',
        drRef(dr),
        { destinationRule: fullName(dr), host: drHost(dr), overridden: overridden.map((o) => `DestinationRule ${fullName(o)}`).join(', ') },
        {
          evidence: {
            'spec.host': drHost(dr),
            'spec.trafficPolicy.tls': '(none)',
            'rules that enable ISTIO_MUTUAL for it': overridden.map(fullName).join(', '),
          },
          fix: 'add-istio-mutual',
          fixParams: {
            name: dr.metadata.name,
            namespace: ns,
            path: spec0 ? '/spec/trafficPolicy' : '/spec/trafficPolicy/tls',
            value: spec0 ? '{"tls":{"mode":"ISTIO_MUTUAL"}}' : '{"mode":"ISTIO_MUTUAL"}',
          },
        },
      );
    }

    for (const pa of pas) {
      // Kiali takes any selector, even an empty one, as a workload policy.
      if (peerSpec(pa).selector !== undefined && peerSpec(pa).selector !== null) continue;
      const ns = namespaceOf(pa);
      const mode = wideMode(pa);
      const evidence = { 'spec.mtls.mode': mode ?? '(none)' };
      if (ns === root) {
        // KIA0401, KIA0506.
        if (mode === 'STRICT' && !mesh.autoMtls && !drs.some((dr) => isMeshWide(dr) && topMode(dr) === 'ISTIO_MUTUAL'))
          ctx.report(
            'MB0806',
            paRef(pa),
            { policy: fullName(pa) },
            {
              evidence: { ...evidence, ...autoOff, 'DestinationRules for *.local with ISTIO_MUTUAL': '(none)' },
              fix: 'add-mesh-destination-rule',
              fixParams: { rootNamespace: root },
            },
          );
        if (mode === 'DISABLE') {
          const sends = drs.find((dr) => isMeshWide(dr) && mutual(topMode(dr)));
          if (sends !== undefined)
            ctx.report(
              'MB0809',
              paRef(pa),
              { policy: fullName(pa), destinationRule: fullName(sends) },
              {
                evidence: { ...evidence, [`DestinationRule ${fullName(sends)} spec.trafficPolicy.tls.mode`]: topMode(sends) ?? '' },
                fix: 'disable-mesh-destination-rule',
                fixParams: drPatch(sends),
              },
            );
        }
        continue;
      }
      // KIA0501, KIA0505.
      if (mode === 'STRICT' && !mesh.autoMtls) {
        const found = [...rulesFor(MESH_HOST), ...rulesFor(nsHost(ns))].some((dr) => topMode(dr) === 'ISTIO_MUTUAL');
        if (!found)
          ctx.report(
            'MB0807',
            paRef(pa),
            { policy: fullName(pa), namespace: ns },
            {
              evidence: { ...evidence, ...autoOff, [`DestinationRules for ${nsHost(ns)} or *.local with ISTIO_MUTUAL`]: '(none)' },
              fix: 'add-namespace-destination-rule',
              fixParams: { namespace: ns },
            },
          );
      }
      if (mode === 'DISABLE') {
        // The oldest namespace-wide rule that sets mTLS on or off decides; without one, the oldest
        // mesh-wide rule that turns it on.
        const nsRule = rulesFor(nsHost(ns)).find((dr) => mutual(topMode(dr)) || topMode(dr) === 'DISABLE');
        const sends =
          nsRule !== undefined ? (mutual(topMode(nsRule)) ? nsRule : undefined) : rulesFor(MESH_HOST).find((dr) => mutual(topMode(dr)));
        if (sends !== undefined)
          ctx.report(
            'MB0808',
            paRef(pa),
            { policy: fullName(pa), namespace: ns, destinationRule: fullName(sends) },
            {
              evidence: {
                ...evidence,
                [`DestinationRule ${fullName(sends)} spec.trafficPolicy.tls.mode`]: topMode(sends) ?? '',
                [`DestinationRules for ${nsHost(ns)} with DISABLE`]: '(none)',
              },
              fix: 'add-disable-destination-rule',
              fixParams: { namespace: ns },
            },
          );
      }
    }

    // KIA0105: identity conditions on workloads that get no certificate from their peers.
    const podsIn = groupBy(ctx.list('v1/Pod'), namespaceOf);
    const mergedFor = workloadMtlsResolver(pas, root);
    for (const ap of ctx.list('security.istio.io/v1/AuthorizationPolicy')) {
      const spec = (ap.spec ?? {}) as AuthzRules;
      if (spec.targetRef !== undefined && spec.targetRef !== null) continue;
      if ((spec.targetRefs ?? []).length > 0) continue;
      const fields = identityFields(spec);
      if (fields.length === 0) continue;
      const ns = namespaceOf(ap);
      if (ns === root) continue;
      const selector = spec.selector?.matchLabels ?? undefined;
      const covered: (Pod | { metadata: { labels?: Labels } })[] =
        selector === undefined
          ? [{ metadata: { labels: {} } }]
          : (podsIn.get(ns) ?? []).filter((p) => matchesLabels(selector, p.metadata.labels));
      // Without pods to look at, the selector's own labels stand for the workload.
      const subjects = covered.length > 0 ? covered : [{ metadata: { labels: selector ?? {} } }];
      const modes = subjects.map((p) => mergedFor(ns, p.metadata.labels));
      if (!modes.every((m) => m.mode === 'DISABLE')) continue;
      const decided = modes[0]?.source.policy;
      ctx.report(
        'MB0810',
        { kind: 'AuthorizationPolicy', namespace: ns, name: ap.metadata.name },
        { policy: fullName(ap), fields: fields.join(', '), mode: 'mTLS DISABLE' },
        {
          evidence: {
            'fields that need a peer identity': fields.join(', '),
            'effective mTLS mode': `DISABLE${decided === undefined ? '' : ` (PeerAuthentication ${decided.namespace}/${decided.name})`}`,
          },
        },
      );
    }
  },
});

// Items by a key, each group in the items' order.
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group === undefined) out.set(k, [item]);
    else group.push(item);
  }
  return out;
}

// The rule fields that read the peer certificate, as paths.
function identityFields(spec: AuthzRules): string[] {
  const out: string[] = [];
  (spec.rules ?? []).forEach((rule, i) => {
    (rule?.from ?? []).forEach((from, j) => {
      for (const field of IDENTITY_SOURCES) {
        const v = from?.source?.[field];
        if (Array.isArray(v) && v.length > 0) out.push(`spec.rules[${i}].from[${j}].source.${field}`);
      }
    });
    (rule?.when ?? []).forEach((cond, j) => {
      if (cond?.key !== undefined && IDENTITY_KEYS.has(cond.key)) out.push(`spec.rules[${i}].when[${j}] (${cond.key})`);
    });
  });
  return out;
}
