import { defineCheck, type Probes } from '../../src/engine/check.ts';
import type { Pod } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { getIstiodDebug, istiodTargets, parseDebugList, type DebugEndpoint, type IstiodTarget } from '../../src/mesh/istiod-debug.ts';
import { isZtunnelPod } from '../../src/mesh/ambient.ts';
import { IGNORED_NAMESPACES, ISTIO_PROXY, fullName, listForEvidence, namespaceOf, proxyContainer } from '../lib/mesh.ts';

// What `istioctl proxy-status` shows, read from istiod's own sync status: GET /debug/syncz on
// istiod's monitoring port (15014), through the API server's pod proxy, from every ready istiod
// replica (a proxy holds one xDS stream, to one replica: asking one replica through the Service
// would miss the proxies of the others). When no istiod pod is visible, the Service is asked.
// Per proxy and xDS type, the status is computed the way istiod's statusgen does for
// proxy-status: ERROR when the last push was rejected (lastError), NOT SENT when nothing was
// sent, SYNCED when the proxy acknowledged the last nonce sent, STALE otherwise. istiod releases
// without the per-type `resources` map give only the CDS/LDS/RDS/EDS/ECDS nonces, and no errors.
//
// Authentication, honestly: most istiod installations refuse a request relayed by the API
// server (401); src/mesh/istiod-debug.ts turns that into an error saying what to run instead,
// never a pass.
const SYNCZ: DebugEndpoint = { path: '/debug/syncz', what: 'proxy sync status', instead: 'istioctl proxy-status', items: 'proxies' };

type XdsStatus = 'SYNCED' | 'STALE' | 'NOT SENT' | 'ERROR';

interface ProxyStatus {
  id: string;
  istiod: string;
  version: string;
  types: { type: string; status: XdsStatus; error: string }[];
}

// Short names for the xDS type URLs, as proxy-status prints its columns.
const SHORT_TYPES: Record<string, string> = {
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': 'CDS',
  'type.googleapis.com/envoy.config.listener.v3.Listener': 'LDS',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': 'RDS',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig': 'ECDS',
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret': 'SDS',
  'type.googleapis.com/istio.workload.Address': 'WDS',
  'type.googleapis.com/istio.security.Authorization': 'WADS',
};
const shortType = (url: string): string => SHORT_TYPES[url] ?? url.slice(url.lastIndexOf('/') + 1);

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function statusOf(sent: string, acked: string, lastError: string): XdsStatus {
  if (lastError !== '') return 'ERROR';
  if (sent === '') return 'NOT SENT';
  return acked === sent ? 'SYNCED' : 'STALE';
}

/** Reads one istiod's /debug/syncz answer; throws ProbeError when it is not the list istiod writes. */
export function parseSyncz(body: string, istiod: string): ProxyStatus[] {
  const parsed = parseDebugList(SYNCZ, body, istiod);
  const out: ProxyStatus[] = [];
  for (const entry of parsed) {
    if (entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    const id = str(e.proxy);
    if (id === '') continue;
    const types: ProxyStatus['types'] = [];
    const resources = e.resources;
    if (resources !== null && typeof resources === 'object' && !Array.isArray(resources) && Object.keys(resources).length > 0) {
      for (const [url, r] of Object.entries(resources as Record<string, unknown>)) {
        const res = (r ?? {}) as Record<string, unknown>;
        types.push({
          type: shortType(url),
          status: statusOf(str(res.sent), str(res.acked), str(res.lastError)),
          error: str(res.lastError),
        });
      }
    } else {
      // Older istiod: nonces per type only. A type nothing was sent for may simply not be watched
      // (ECDS, RDS without HTTP routes), so NOT SENT is only concluded for clusters and listeners.
      for (const [prefix, type] of [
        ['cluster', 'CDS'],
        ['listener', 'LDS'],
        ['route', 'RDS'],
        ['endpoint', 'EDS'],
        ['extensionconfig', 'ECDS'],
      ] as const) {
        const sent = str(e[`${prefix}_sent`]);
        const acked = str(e[`${prefix}_acked`]);
        if (sent === '' && type !== 'CDS' && type !== 'LDS') continue;
        types.push({ type, status: statusOf(sent, acked, ''), error: '' });
      }
    }
    types.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    out.push({ id, istiod, version: str(e.istio_version), types });
  }
  return out;
}

/** Asks one istiod for its sync status. */
async function ask(probes: Probes, target: IstiodTarget): Promise<ProxyStatus[]> {
  return parseSyncz(await getIstiodDebug(probes, SYNCZ, target), target.label);
}

/** `name.namespace` → the pod, when the proxy ID names one (namespaces have no dots; pod names may). */
function podRef(id: string): { namespace: string; name: string } | undefined {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? { name: id.slice(0, dot), namespace: id.slice(dot + 1) } : undefined;
}

/** A running, not terminating pod whose istio-proxy container has started: it should hold an xDS stream. */
function expectsConnection(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp !== undefined || pod.status?.phase !== 'Running' || pod.spec?.hostNetwork === true) return false;
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (c) => c.name === ISTIO_PROXY,
  );
  return status === undefined || status.state?.running !== undefined;
}

export default defineCheck({
  id: 'proxy-sync',
  title: 'Every proxy is connected to istiod and in sync (asked live)',
  description:
    "Reads istiod's own sync status (/debug/syncz, what istioctl proxy-status shows) from every ready istiod replica, and reports proxies whose configuration was rejected, not acknowledged or not sent, and meshed pods no istiod lists at all.",
  why: 'Configuration in the API server is only intent: a proxy that rejected a push, or lost its connection to istiod, keeps routing on old configuration and stops getting endpoint and certificate updates.',
  inputs: ['apps/v1/Deployment', 'v1/Pod'],
  needs: ['probes'],
  docs: '/concepts/mesh/#proxy-sync',
  async analyze(ctx) {
    const probes = ctx.probes;
    const pods = ctx.list('v1/Pod');
    // A proxy holds one xDS stream, to one replica: every ready replica is asked.
    const { targets, viaService, revisions } = istiodTargets(ctx.list('apps/v1/Deployment'), pods, SYNCZ.path, 'all');

    const statuses: ProxyStatus[] = [];
    for (const t of targets) statuses.push(...(await ask(probes, t)));
    const asked = listForEvidence(
      targets.map((t) => t.label),
      4,
    );

    const connected = new Set<string>();
    for (const s of statuses) {
      connected.add(s.id);
      const ref = podRef(s.id);
      const resource = ref === undefined ? { kind: 'Pod', name: s.id } : { kind: 'Pod', namespace: ref.namespace, name: ref.name };
      const byStatus = (status: XdsStatus): string[] => s.types.filter((t) => t.status === status).map((t) => t.type);
      const evidence = {
        proxy: s.id,
        istiod: s.istiod,
        ...(s.version === '' ? {} : { 'proxy Istio version': s.version }),
        'xDS status': s.types.map((t) => `${t.type} ${t.status}`).join(', ') || '(no xDS type watched)',
      };
      const errors = s.types.filter((t) => t.status === 'ERROR');
      if (errors.length > 0) {
        ctx.report(
          'MB0106',
          resource,
          { proxy: s.id, types: errors.map((t) => t.type).join(', '), istiod: s.istiod },
          {
            evidence: {
              ...evidence,
              'last error': listForEvidence(
                errors.map((t) => `${t.type}: ${t.error}`),
                3,
              ),
            },
            fix: 'read-rejection',
            fixParams: { proxy: s.id },
          },
        );
      }
      if (byStatus('STALE').length > 0) {
        ctx.report(
          'MB0107',
          resource,
          { proxy: s.id, types: byStatus('STALE').join(', '), istiod: s.istiod },
          {
            evidence,
            fix: 'recheck-then-inspect',
            fixParams: { proxy: s.id, pod: ref?.name ?? s.id, namespace: ref?.namespace ?? '<namespace>' },
          },
        );
      }
      if (byStatus('NOT SENT').length > 0) {
        ctx.report(
          'MB0108',
          resource,
          { proxy: s.id, types: byStatus('NOT SENT').join(', '), istiod: s.istiod },
          {
            evidence,
            fix: 'read-istiod-log',
            fixParams: { istioNamespace: ISTIO_NAMESPACE, pod: ref?.name ?? s.id },
          },
        );
      }
    }

    for (const pod of pods) {
      const ns = namespaceOf(pod);
      // ztunnel's istio-proxy container speaks its own xDS flavour, which istiod's syncz may not
      // list under the pod's name: absence there proves nothing, so it is never reported.
      if (IGNORED_NAMESPACES.has(ns) || proxyContainer(pod) === undefined || isZtunnelPod(pod) || !expectsConnection(pod)) continue;
      const id = `${pod.metadata.name}.${ns}`;
      if (connected.has(id)) continue;
      const revision = pod.metadata.labels?.['istio.io/rev'] ?? 'default';
      ctx.report(
        'MB0109',
        { kind: 'Pod', namespace: ns, name: pod.metadata.name },
        { pod: fullName(pod), revision },
        {
          evidence: {
            'expected proxy ID': id,
            'status.phase': pod.status?.phase ?? '(none)',
            'istiod asked': asked,
            ...(revisions.size > 0 ? { 'control plane revisions': [...revisions].join(', ') } : {}),
            'proxies listed': statuses.length,
            ...(viaService
              ? {
                  note: 'asked through the Service, which reaches one istiod replica: with several replicas this proxy may be connected to another one',
                }
              : {}),
          },
          fix: 'read-sidecar-log',
          fixParams: { namespace: ns, pod: pod.metadata.name, revision, istioNamespace: ISTIO_NAMESPACE },
        },
      );
    }
  },
});
