import { defineCheck } from '../../src/engine/check.ts';
import type { Namespace, Pod } from '../../src/k8s/objects.ts';
import {
  DATAPLANE_MODE_LABEL,
  REDIRECTION_ANNOTATION,
  isAmbientInfrastructurePod,
  isCniNodePod,
  namespaceIsAmbient,
} from '../../src/mesh/ambient.ts';
import { hasProxy } from '../../src/mesh/meshed.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import {
  CNI_AMBIENT_KEY,
  CNI_CONFIGMAP,
  agentsByNode,
  anyReady,
  cniAmbientSetting,
  controlPlaneVersions,
  livePods,
  skipUnlessAmbientApplies,
} from '../lib/ambient-scope.ts';
import { IGNORED_NAMESPACES, countedList, fullName, isPodReady, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// Which data plane each application pod is on, from what its labels ask for and what happened:
// - ambient is asked by the pod's istio.io/dataplane-mode=ambient, or its namespace's unless the
//   pod says `none` (istio-cni's default enablement selectors, manifests/charts/istio-cni/values.yaml);
// - a sidecar is asked by the namespace's istio-injection=enabled or istio.io/rev (unless
//   istio-injection=disabled), or the pod's istio.io/rev or sidecar.istio.io/inject=true label,
//   and refused by the pod's sidecar.istio.io/inject=false;
// - istio-cni writes ambient.istio.io/redirection=enabled once ztunnel took the pod over, and
//   `pending` while rules are in place but no ztunnel accepted it (pkg/config/constants, and
//   cni/pkg/util/podutil.go); it never enrols a pod that has a sidecar or uses the host network
//   (cni/pkg/util/enablement_selector.go).
// Kiali's workload validations (kiali/kiali business/checkers/ambient) are covered per pod:
// KIA1311 both labels, KIA1314 sidecar label and redirection, KIA1315 sidecar container and ambient
// label, KIA1316 sidecar in an ambient namespace. KIA1312/1313 (waypoint labels) and KIA1317 (L7
// policy without waypoint) belong to the waypoint and policy checks.
// A running, unredirected ambient pod on a node whose ztunnel and agent are ready is reported: the
// agent enrols running pods when labels change, so its absence means the enrolment failed.

const INJECTION_LABEL = 'istio-injection';
const REVISION_LABEL = 'istio.io/rev';
const INJECT_LABEL = 'sidecar.istio.io/inject';

/** What enrols the pod in ambient mode, in words for messages; undefined when nothing does. */
function ambientVia(pod: Pod, ns: Namespace | undefined): string | undefined {
  const own = pod.metadata.labels?.[DATAPLANE_MODE_LABEL];
  if (own === 'ambient') return `its label ${DATAPLANE_MODE_LABEL}=ambient`;
  if (own !== 'none' && namespaceIsAmbient(ns)) return `namespace ${namespaceOf(pod)}'s label ${DATAPLANE_MODE_LABEL}=ambient`;
  return undefined;
}

/** What asks the injector for a sidecar on this pod, in words; undefined when nothing does or the pod refuses. */
function sidecarVia(pod: Pod, ns: Namespace | undefined): string | undefined {
  const labels = pod.metadata.labels ?? {};
  const inject = labels[INJECT_LABEL] ?? pod.metadata.annotations?.[INJECT_LABEL];
  if (inject?.toLowerCase() === 'false') return undefined;
  if (inject?.toLowerCase() === 'true') return `its label ${INJECT_LABEL}=true`;
  const podRev = labels[REVISION_LABEL];
  if (podRev !== undefined && podRev !== '') return `its label ${REVISION_LABEL}=${podRev}`;
  const nsLabels = ns?.metadata.labels ?? {};
  const injection = nsLabels[INJECTION_LABEL];
  if (injection === 'enabled') return `namespace ${namespaceOf(pod)}'s label ${INJECTION_LABEL}=enabled`;
  const nsRev = nsLabels[REVISION_LABEL];
  if (injection === undefined && nsRev !== undefined && nsRev !== '')
    return `namespace ${namespaceOf(pod)}'s label ${REVISION_LABEL}=${nsRev}`;
  return undefined;
}

function labelsForEvidence(obj: { metadata: { labels?: Record<string, string> } } | undefined): string {
  return listForEvidence(Object.entries(obj?.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`));
}

export default defineCheck({
  id: 'ambient-enrollment',
  title: 'Each pod is on one data plane, and ambient pods are captured',
  description:
    'No pod is both sidecar-injected and enrolled in ambient mode, opt-outs from ambient namespaces are listed, and every running pod that ambient mode should capture carries the redirection annotation istio-cni writes once ztunnel serves it.',
  why: 'Labels only ask: the sidecar injector and istio-cni decide, each at its own moment. A pod caught between the two, or one that istio-cni never redirected, runs outside the data plane its labels promise, often in plain text.',
  inputs: ['v1/Namespace', 'v1/Pod', 'v1/ConfigMap', 'apps/v1/Deployment'],
  kiali: ['KIA1311', 'KIA1314', 'KIA1315', 'KIA1316'],
  docs: '/concepts/ambient/#ambient-enrollment',
  analyze(ctx) {
    const namespaces = ctx.list('v1/Namespace');
    const pods = ctx.list('v1/Pod');
    const configMaps = ctx.list('v1/ConfigMap');
    const planes = controlPlaneVersions(ctx.list('apps/v1/Deployment'));

    if (skipUnlessAmbientApplies(ctx, planes, namespaces, pods)) return;

    const byName = new Map<string, Namespace>(namespaces.map((n) => [n.metadata.name, n]));
    const agents = agentsByNode(pods);
    const cniSetting = cniAmbientSetting(configMaps, new Set(pods.filter(isCniNodePod).map(namespaceOf)));
    const cniEnrols = cniSetting === undefined || cniSetting.value.trim().toLowerCase() === 'true';
    const optedOut = new Map<string, string[]>();

    for (const pod of livePods(pods)) {
      const nsName = namespaceOf(pod);
      if (IGNORED_NAMESPACES.has(nsName) || isAmbientInfrastructurePod(pod)) continue;
      const ns = byName.get(nsName);
      const resource = { kind: 'Pod', namespace: nsName, name: pod.metadata.name };
      const redirection = pod.metadata.annotations?.[REDIRECTION_ANNOTATION];
      const ambient = ambientVia(pod, ns);
      const sidecarAsked = sidecarVia(pod, ns);
      const sidecar = hasProxy(pod);
      const evidence = {
        'metadata.labels': labelsForEvidence(pod),
        'namespace labels': labelsForEvidence(ns),
        [`metadata.annotations[${REDIRECTION_ANNOTATION}]`]: redirection ?? '(absent)',
        'istio-proxy container': sidecar ? 'present' : 'absent',
      };

      if (namespaceIsAmbient(ns) && pod.metadata.labels?.[DATAPLANE_MODE_LABEL] === 'none') {
        optedOut.set(nsName, [...(optedOut.get(nsName) ?? []), pod.metadata.name]);
        continue;
      }
      if (sidecar && redirection === 'enabled') {
        ctx.report('MB0710', resource, { pod: fullName(pod) }, { evidence });
        continue;
      }
      if (sidecar) {
        if (ambient !== undefined) ctx.report('MB0711', resource, { pod: fullName(pod), via: ambient }, { evidence });
        continue;
      }
      if (redirection === 'enabled') {
        if (sidecarAsked !== undefined) ctx.report('MB0712', resource, { pod: fullName(pod), via: sidecarAsked }, { evidence });
        continue;
      }
      if (ambient !== undefined && sidecarAsked !== undefined) {
        ctx.report('MB0713', resource, { pod: fullName(pod), sidecar: sidecarAsked, ambient }, { evidence });
        continue;
      }
      const node = pod.spec?.nodeName;
      if (redirection === 'pending') {
        const zt = agents.get(node ?? '')?.ztunnel ?? [];
        ctx.report(
          'MB0714',
          resource,
          { pod: fullName(pod), node: node ?? '(unscheduled)' },
          {
            evidence: { ...evidence, 'ztunnel pods on the node': zt.length === 0 ? '(none)' : listForEvidence(zt.map(fullName), 4) },
            fix: 'ready-ztunnel',
            fixParams: { namespace: zt[0] === undefined ? ISTIO_NAMESPACE : namespaceOf(zt[0]), node: node ?? '<node>' },
          },
        );
        continue;
      }
      // Not captured: judged only where capture could have happened. Pods still starting, on the
      // host network, or on a node without ready agents are the data-plane check's to explain.
      if (ambient === undefined || pod.status?.phase !== 'Running' || pod.spec?.hostNetwork === true || node === undefined) continue;
      const here = agents.get(node);
      const agent = here?.cni.find(isPodReady);
      if (!cniEnrols || !anyReady(here?.ztunnel) || agent === undefined) continue;
      ctx.report(
        'MB0715',
        resource,
        { pod: fullName(pod), node, via: ambient },
        {
          evidence: {
            ...evidence,
            'ztunnel on the node': listForEvidence((here?.ztunnel ?? []).map(fullName), 2),
            'istio-cni agent on the node': listForEvidence((here?.cni ?? []).map(fullName), 2),
            ...(cniSetting === undefined ? {} : { [`${CNI_CONFIGMAP} ${CNI_AMBIENT_KEY}`]: cniSetting.value }),
          },
          fix: 'recreate-after-cni-log',
          fixParams: { namespace: namespaceOf(agent), node, podNamespace: nsName, pod: pod.metadata.name },
        },
      );
    }

    for (const [ns, names] of optedOut) {
      ctx.report(
        'MB0716',
        { kind: 'Namespace', name: ns },
        { namespace: ns, pods: names.length },
        {
          evidence: { [`pods labelled ${DATAPLANE_MODE_LABEL}=none`]: countedList(names, 8) },
        },
      );
    }
  },
});
