import { defineCheck } from '../../src/engine/check.ts';
import type { ConfigMap, Namespace, Pod } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { isApplicationPod } from '../../src/mesh/meshed.ts';
import {
  IGNORED_NAMESPACES,
  deploymentOfPod,
  fullName,
  injectorConfigMapName,
  listForEvidence,
  namespaceOf,
  proxyContainer,
} from '../lib/mesh.ts';

// Mirrors istioctl's injection.Analyzer (pkg/config/analysis/analyzers/injection/injection.go):
// - istio-system is skipped by name, and so are the namespaces istioctl's live source never
//   reads (kube-system, kube-public, kube-node-lease, local-path-storage);
// - IST0123 when more than one of istio-injection, istio.io/rev, istio.io/dataplane-mode is set;
//   the last two only count while istio-injection is absent or "enabled";
// - ambient namespaces (istio.io/dataplane-mode=ambient) are skipped after that;
// - a namespace with neither istio-injection nor istio.io/rev gets IST0102, or IST0148 when the
//   injector ConfigMap says sidecarInjectorWebhook.enableNamespacesByDefault=true;
// - only pods in namespaces labelled istio-injection=enabled are checked for a sidecar (a
//   namespace injected through istio.io/rev alone is not), unless they opt out
//   (sidecar.istio.io/inject=false, label over annotation, any case) or use hostNetwork;
// - a sidecar is a container named istio-proxy with an image, in containers or initContainers.
// ztunnel, istio-cni and waypoint pods are skipped: mesh infrastructure, never workloads (their
// charts opt them out of injection, so istioctl skips them too).
// Two deliberate differences, both about inputs istioctl mishandles:
// - istioctl keeps enableNamespacesByDefault in one variable across namespaces, so a value
//   read for one revision leaks into the next namespace in iteration order; here every
//   namespace without labels reads the default injector ConfigMap, which is what applies to it;
// - istioctl panics on a `values` JSON without sidecarInjectorWebhook; here that means false.

const INJECTION_LABEL = 'istio-injection';
const REVISION_LABEL = 'istio.io/rev';
const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
const INJECT_OPT_OUT = 'sidecar.istio.io/inject';
// Skipped by name, whatever namespace the control plane was installed in (istioctl does the same).

/** sidecarInjectorWebhook.enableNamespacesByDefault from the ConfigMap's `values` JSON; false when unreadable. */
function enableNamespacesByDefault(cm: ConfigMap | undefined): boolean {
  const raw = cm?.data?.values;
  if (raw === undefined) return false;
  try {
    const values: unknown = JSON.parse(raw);
    const webhook = (values as { sidecarInjectorWebhook?: unknown } | null)?.sidecarInjectorWebhook;
    return (webhook as { enableNamespacesByDefault?: unknown } | null | undefined)?.enableNamespacesByDefault === true;
  } catch {
    return false;
  }
}

/** The labels that ask for injection, formatted like istioctl's `%v` of a string slice. */
function injectionLabels(ns: Namespace): string[] {
  const labels = ns.metadata.labels ?? {};
  const found: string[] = [];
  const injection = labels[INJECTION_LABEL];
  if (injection !== undefined) found.push(`${INJECTION_LABEL}=${injection}`);
  for (const key of [REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
    const value = labels[key];
    if (value !== undefined && (injection === undefined || injection === 'enabled')) found.push(`${key}=${value}`);
  }
  return found;
}

/** The pod's own sidecar.istio.io/inject value: the label wins over the annotation. */
function injectOptOut(pod: Pod): string | undefined {
  return pod.metadata.labels?.[INJECT_OPT_OUT] ?? pod.metadata.annotations?.[INJECT_OPT_OUT];
}

function labelsForEvidence(ns: Namespace): string {
  return listForEvidence(Object.entries(ns.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`));
}

export default defineCheck({
  id: 'sidecar-injection',
  title: 'Workloads get their sidecar',
  description:
    'Every application namespace says whether it is in the mesh (one injection label, no conflicting ones), and every pod in a namespace with injection enabled runs an istio-proxy sidecar unless it opts out.',
  why: 'The mesh is only as complete as its sidecars: a pod without one sends and receives plain-text traffic that Istio neither routes, secures nor observes, and peers that require mTLS refuse it.',
  inputs: ['v1/Namespace', 'v1/Pod', 'v1/ConfigMap'],
  analyzer: 'injection.Analyzer',
  docs: '/concepts/mesh/#sidecar-injection',
  analyze(ctx) {
    const configMaps = ctx.list('v1/ConfigMap');
    // istioctl's live source reads ConfigMaps of the istio namespace only; a snapshot may hold
    // others, so one there wins over a namesake elsewhere.
    const injectorConfigMap = (name: string): ConfigMap | undefined =>
      configMaps.find((cm) => cm.metadata.name === name && namespaceOf(cm) === ISTIO_NAMESPACE) ??
      configMaps.find((cm) => cm.metadata.name === name);

    const pods = ctx.list('v1/Pod');
    const podsIn = (ns: string): Pod[] => pods.filter((p) => namespaceOf(p) === ns);
    const injected = new Set<string>();

    for (const ns of ctx.list('v1/Namespace')) {
      const name = ns.metadata.name;
      if (name === ISTIO_NAMESPACE || IGNORED_NAMESPACES.has(name)) continue;
      // A run limited to one namespace (like `istioctl analyze -n`) speaks only for that one.
      const reportable = ctx.namespace === undefined || ctx.namespace === name;
      const labels = ns.metadata.labels ?? {};
      const resource = { kind: 'Namespace', name };

      const asked = injectionLabels(ns);
      if (asked.length > 1 && reportable) {
        ctx.report(
          'IST0123',
          resource,
          { labels: `[${asked.join(' ')}]` },
          {
            evidence: { 'metadata.labels': labelsForEvidence(ns) },
            ...(labels[DATAPLANE_MODE_LABEL] !== undefined
              ? { fix: 'sidecars-or-ambient', fixParams: { namespace: name } }
              : { fix: 'injection-or-revision', fixParams: { namespace: name, revision: labels[REVISION_LABEL] ?? '' } }),
          },
        );
      }

      if (labels[DATAPLANE_MODE_LABEL] === 'ambient') continue;

      const injection = labels[INJECTION_LABEL];
      if ((injection === undefined || injection === '') && labels[REVISION_LABEL] === undefined) {
        if (!reportable) continue;
        const cmName = injectorConfigMapName(undefined);
        const cm = injectorConfigMap(cmName);
        const nsPods = podsIn(name).filter(isApplicationPod);
        const withProxy = nsPods.filter((p) => proxyContainer(p) !== undefined).length;
        if (enableNamespacesByDefault(cm)) {
          ctx.report(
            'IST0148',
            resource,
            { namespace: name },
            {
              evidence: {
                'metadata.labels': labelsForEvidence(ns),
                injectorConfigMap: cm === undefined ? cmName : fullName(cm),
                'values.sidecarInjectorWebhook.enableNamespacesByDefault': true,
              },
              fix: 'label-explicitly',
              fixParams: { namespace: name },
            },
          );
        } else {
          ctx.report(
            'IST0102',
            resource,
            { namespace: name },
            {
              evidence: {
                'metadata.labels': labelsForEvidence(ns),
                pods: nsPods.length,
                'pods with istio-proxy': withProxy,
              },
              fix: 'label-namespace',
              fixParams: { namespace: name },
            },
          );
        }
        continue;
      }

      // Any other value of istio-injection deliberately turns injection off; and a namespace
      // enabled through istio.io/rev alone is not checked pod by pod (as in istioctl).
      if (injection !== 'enabled') continue;
      injected.add(name);
    }

    for (const pod of pods) {
      const ns = namespaceOf(pod);
      if (!injected.has(ns) || !isApplicationPod(pod)) continue;
      const optOut = injectOptOut(pod);
      if (optOut?.toLowerCase() === 'false') continue;
      if (pod.spec?.hostNetwork === true) continue;
      const proxy = proxyContainer(pod);
      if (proxy?.image !== undefined && proxy.image !== '') continue;

      const deployment = deploymentOfPod(pod);
      const containers = (pod.spec?.containers ?? []).map((c) => c.name);
      const initContainers = (pod.spec?.initContainers ?? []).map((c) => c.name);
      ctx.report(
        'IST0103',
        { kind: 'Pod', namespace: ns, name: pod.metadata.name },
        { pod: fullName(pod) },
        {
          evidence: {
            namespaceInjectionLabel: 'enabled',
            'spec.containers': listForEvidence(containers),
            ...(initContainers.length > 0 ? { 'spec.initContainers': listForEvidence(initContainers) } : {}),
            ...(proxy !== undefined ? { 'istio-proxy image': '(none: istioctl does not count a sidecar without an image)' } : {}),
            'metadata.annotations[sidecar.istio.io/status]':
              pod.metadata.annotations?.['sidecar.istio.io/status'] === undefined
                ? 'absent (the injector never ran on this pod)'
                : 'present',
            ...(optOut === undefined ? {} : { [`${INJECT_OPT_OUT}`]: optOut }),
            ...(typeof pod.metadata.creationTimestamp === 'string' ? { 'metadata.creationTimestamp': pod.metadata.creationTimestamp } : {}),
          },
          ...(deployment !== undefined
            ? { fix: 'restart-deployment', fixParams: { namespace: ns, deployment } }
            : { fix: 'recreate-pod', fixParams: { namespace: ns, pod: pod.metadata.name } }),
        },
      );
    }
  },
});
