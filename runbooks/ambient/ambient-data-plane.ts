import { defineCheck } from '../../src/engine/check.ts';
import type { DaemonSet, Namespace, Pod } from '../../src/k8s/objects.ts';
import { isCniNodePod, isZtunnelPod, namespaceIsAmbient } from '../../src/mesh/ambient.ts';
import { parseMinor } from '../../src/mesh/istio-version.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import {
  agentsByNode,
  ambientPods,
  anyReady,
  cniAmbientSetting,
  controlPlaneVersions,
  daemonSetVersion,
  isCniDaemonSet,
  isZtunnelDaemonSet,
  podState,
  skipUnlessAmbientApplies,
} from '../lib/ambient-scope.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// Ambient mode's data plane is two DaemonSets (istio/istio manifests/charts/ztunnel and
// manifests/charts/istio-cni): ztunnel (pods `app: ztunnel`, container istio-proxy running
// `proxy ztunnel`, image `ztunnel`) and the istio-cni node agent (pods `k8s-app: istio-cni-node`,
// container install-cni, host network). A pod is served by the ztunnel and the agent of its own
// node, so readiness is judged per node that hosts ambient pods (spec.nodeName), from the agents'
// pods, not from DaemonSet counters alone. The agent enrols pods only when its chart was installed
// with ambient.enabled, which it writes as AMBIENT_ENABLED into ConfigMap istio-cni-config.
// Versions are image tags, compared by major.minor with istiod's discovery container.
// No istioctl analyzer or Kiali validation covers this: both assume the node agents are there.

const ZTUNNEL_CONTAINER = 'istio-proxy';
const CNI_CONTAINER = 'install-cni';

type Component = 'ztunnel' | 'istio-cni';

// The charts' pod selectors, for a DaemonSet whose own selector uses expressions only.
const fallbackSelector = (ds: DaemonSet): string => (isZtunnelDaemonSet(ds) ? 'app=ztunnel' : 'k8s-app=istio-cni-node');

export default defineCheck({
  id: 'ambient-data-plane',
  title: 'ztunnel and istio-cni serve every node with ambient pods',
  description:
    'Where pods are in ambient mode, the ztunnel and istio-cni node agent DaemonSets exist, run a ready pod on every node that hosts such pods, have ambient enrolment turned on, and run the same Istio minor version as istiod.',
  why: "In ambient mode a pod has no proxy of its own: its node's ztunnel carries its mesh traffic and the node's istio-cni agent redirects it there. A node without either leaves its ambient pods unprotected or cut off.",
  inputs: ['v1/Namespace', 'v1/Pod', 'v1/ConfigMap', 'apps/v1/Deployment', 'apps/v1/DaemonSet'],
  docs: '/concepts/ambient/#ambient-data-plane',
  analyze(ctx) {
    const namespaces = ctx.list('v1/Namespace');
    const pods = ctx.list('v1/Pod');
    const configMaps = ctx.list('v1/ConfigMap');
    const deployments = ctx.list('apps/v1/Deployment');
    const daemonSets = ctx.list('apps/v1/DaemonSet');

    const planes = controlPlaneVersions(deployments);
    const byName = new Map<string, Namespace>(namespaces.map((n) => [n.metadata.name, n]));
    if (skipUnlessAmbientApplies(ctx, planes, namespaces, pods)) return;

    const ambient = ambientPods(pods, byName);
    const ztunnelSets = daemonSets.filter(isZtunnelDaemonSet);
    const cniSets = daemonSets.filter(isCniDaemonSet);
    const ztunnelPods = pods.filter(isZtunnelPod);
    const cniPods = pods.filter(isCniNodePod);
    const hasZtunnel = ztunnelSets.length > 0 || ztunnelPods.length > 0;
    const hasCni = cniSets.length > 0 || cniPods.length > 0;

    // A run limited to one namespace does not see the Istio namespace's node agents: their absence proves nothing.
    if (ctx.namespace !== undefined && ctx.namespace !== ISTIO_NAMESPACE && !hasZtunnel && !hasCni) {
      ctx.skip(
        `Nothing to check: the run is limited to namespace ${ctx.namespace} and cannot see the ztunnel and istio-cni pods of the Istio namespace (ambient pods seen: ${countedList(ambient.map(fullName), 6)}).`,
      );
      return;
    }

    // Namespaces in ambient mode: by their label, or because pods in them enrol themselves.
    const enrolled = new Map<string, Pod[]>();
    for (const ns of namespaces) if (namespaceIsAmbient(ns)) enrolled.set(ns.metadata.name, []);
    for (const pod of ambient) enrolled.set(namespaceOf(pod), [...(enrolled.get(namespaceOf(pod)) ?? []), pod]);

    const missing: [Component, boolean][] = [
      ['ztunnel', hasZtunnel],
      ['istio-cni', hasCni],
    ];
    for (const [component, present] of missing) {
      if (present) continue;
      for (const [ns, nsPods] of enrolled) {
        const labelled = namespaceIsAmbient(byName.get(ns));
        ctx.report(
          component === 'ztunnel' ? 'MB0701' : 'MB0702',
          { kind: 'Namespace', name: ns },
          { namespace: ns, pods: nsPods.length },
          {
            evidence: {
              enrolledBy: labelled ? 'namespace label istio.io/dataplane-mode=ambient' : 'pod labels istio.io/dataplane-mode=ambient',
              'ambient pods': countedList(
                nsPods.map((p) => p.metadata.name),
                6,
              ),
              [component === 'ztunnel' ? 'ztunnel DaemonSets' : 'istio-cni DaemonSets']: '(none)',
              'DaemonSets read': daemonSets.length,
            },
          },
        );
      }
    }

    // Per node: which nodes host ambient pods and lack a ready agent.
    const agents = agentsByNode(pods);
    const onNode = new Map<string, Pod[]>();
    for (const pod of ambient) {
      const node = pod.spec?.nodeName;
      if (node === undefined || node === '') continue;
      onNode.set(node, [...(onNode.get(node) ?? []), pod]);
    }
    const agentNamespace = (sets: readonly DaemonSet[], found: readonly Pod[]): string =>
      sets[0] !== undefined ? namespaceOf(sets[0]) : found[0] !== undefined ? namespaceOf(found[0]) : ISTIO_NAMESPACE;
    for (const [node, nodePods] of [...onNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const here = agents.get(node);
      const checks: [Component, Pod[], boolean][] = [
        ['ztunnel', here?.ztunnel ?? [], hasZtunnel],
        ['istio-cni', here?.cni ?? [], hasCni],
      ];
      for (const [component, agentPods, present] of checks) {
        // A missing DaemonSet is already reported once per namespace above.
        if (!present || anyReady(agentPods)) continue;
        const found = agentPods.length === 0 ? `no ${component} pod is scheduled there` : agentPods.map(podState).join('; ');
        const evidence = {
          'ambient pods on the node': countedList(nodePods.map(fullName), 6),
          [`${component} pods on the node`]: agentPods.length === 0 ? '(none)' : listForEvidence(agentPods.map(podState), 4),
        };
        if (component === 'ztunnel') {
          ctx.report(
            'MB0703',
            { kind: 'Node', name: node },
            { node, pods: nodePods.length, found },
            { evidence, fix: 'inspect-ztunnel', fixParams: { namespace: agentNamespace(ztunnelSets, ztunnelPods), node } },
          );
        } else {
          ctx.report(
            'MB0704',
            { kind: 'Node', name: node },
            { node, pods: nodePods.length, found },
            { evidence, fix: 'inspect-cni-agent', fixParams: { namespace: agentNamespace(cniSets, cniPods), node } },
          );
        }
      }
    }

    // The DaemonSets' own counters: nodes that should run an agent and do not (yet).
    for (const ds of [...ztunnelSets, ...cniSets]) {
      const status = ds.status;
      const desired = status?.desiredNumberScheduled;
      if (desired === undefined) continue;
      const ready = status?.numberReady ?? 0;
      const updated = status?.updatedNumberScheduled ?? desired;
      if (ready >= desired && updated >= desired) continue;
      const selector = Object.entries(ds.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      ctx.report(
        'MB0705',
        { kind: 'DaemonSet', namespace: namespaceOf(ds), name: ds.metadata.name },
        { daemonSet: fullName(ds), desired, ready, updated },
        {
          evidence: {
            'status.desiredNumberScheduled': desired,
            'status.numberReady': ready,
            'status.numberAvailable': status?.numberAvailable ?? '(unset)',
            'status.updatedNumberScheduled': status?.updatedNumberScheduled ?? '(unset)',
          },
          fix: 'finish-rollout',
          fixParams: {
            namespace: namespaceOf(ds),
            daemonSet: ds.metadata.name,
            selector: selector === '' ? fallbackSelector(ds) : selector,
          },
        },
      );
    }

    // istio-cni installed for sidecars only never enrols ambient pods.
    const cniSetting = cniAmbientSetting(configMaps, new Set([...cniSets, ...cniPods].map(namespaceOf)));
    if (cniSetting !== undefined && cniSetting.value.trim().toLowerCase() !== 'true') {
      ctx.report(
        'MB0707',
        { kind: 'ConfigMap', namespace: namespaceOf(cniSetting.configMap), name: cniSetting.configMap.metadata.name },
        { configMap: fullName(cniSetting.configMap), value: JSON.stringify(cniSetting.value) },
        {
          evidence: {
            'data.AMBIENT_ENABLED': JSON.stringify(cniSetting.value),
            'ambient namespaces': countedList([...enrolled.keys()], 6),
          },
          fix: 'enable-ambient-in-cni',
          fixParams: { namespace: namespaceOf(cniSetting.configMap) },
        },
      );
    }

    // Versions: each node agent against istiod's (any revision of the same minor will do).
    const istiodMinors = planes.filter((p) => p.minor !== undefined);
    if (istiodMinors.length === 0) return;
    const istiodVersions = listForEvidence([...new Set(planes.map((p) => p.version))], 4);
    const agentSets: [Component, DaemonSet, string][] = [
      ...ztunnelSets.map((ds): [Component, DaemonSet, string] => ['ztunnel', ds, daemonSetVersion(ds, ZTUNNEL_CONTAINER)]),
      ...cniSets.map((ds): [Component, DaemonSet, string] => ['istio-cni', ds, daemonSetVersion(ds, CNI_CONTAINER)]),
    ];
    for (const [component, ds, version] of agentSets) {
      const minor = parseMinor(version);
      if (minor === undefined) continue;
      if (istiodMinors.some((p) => p.minor![0] === minor[0] && p.minor![1] === minor[1])) continue;
      ctx.report(
        'MB0706',
        { kind: 'DaemonSet', namespace: namespaceOf(ds), name: ds.metadata.name },
        { daemonSet: fullName(ds), component, version, istiod: istiodVersions },
        {
          evidence: {
            [`${component} image`]: ds.spec?.template?.spec?.containers?.map((c) => c.image ?? '(none)').join(', ') ?? '(none)',
            'istiod Deployments': listForEvidence(istiodMinors.map((p) => `${fullName(p.deployment)} ${p.version}`)),
          },
        },
      );
    }
  },
});
