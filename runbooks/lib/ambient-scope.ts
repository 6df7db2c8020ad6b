// What the two ambient data-plane checks both need to know before judging anything: whether the
// control plane is new enough for ambient mode to apply, which workloads are in ambient mode, and
// which nodes run a ready ztunnel and istio-cni node agent. Not a check: test/meta.test.ts exempts
// runbooks/lib/ from the one-check-per-file rule.

import type { CheckContext } from '../../src/engine/check.ts';
import type { KindId } from '../../src/k8s/kinds.ts';
import type { ConfigMap, DaemonSet, Deployment, Namespace, Pod } from '../../src/k8s/objects.ts';
import { imageOf, imageTag, isControlPlane } from '../../src/mesh/control-plane.ts';
import { parseMinor } from '../../src/mesh/istio-version.ts';
import {
  DATAPLANE_MODE_LABEL,
  REDIRECTION_ANNOTATION,
  isAmbientPod,
  isCniNodePod,
  isZtunnelPod,
  namespaceIsAmbient,
} from '../../src/mesh/ambient.ts';
import { isLivePod } from '../../src/mesh/meshed.ts';
import { fullName, isPodReady, namespaceOf } from './mesh.ts';

/** Ambient mode became beta in Istio 1.22 (experimental from 1.18, alpha in 1.21 with other mechanics). */
export const AMBIENT_MIN_MINOR: readonly [number, number] = [1, 22];

/** The ConfigMap the istio-cni chart renders its agent settings into (`<name>-config`, name `istio-cni`). */
export const CNI_CONFIGMAP = 'istio-cni-config';
/** The key of that ConfigMap that turns the agent's ambient enrolment on (chart value ambient.enabled). */
export const CNI_AMBIENT_KEY = 'AMBIENT_ENABLED';

export interface ControlPlaneVersion {
  deployment: Deployment;
  /** The discovery container's image tag (`1.24.1`, `unknown`). */
  version: string;
  minor: [number, number] | undefined;
}

/** Every istiod (or Istio 1.0 Pilot) Deployment with its version. */
export function controlPlaneVersions(deployments: readonly Deployment[]): ControlPlaneVersion[] {
  return deployments.filter(isControlPlane).map((d) => {
    const version = imageTag(imageOf(d));
    return { deployment: d, version, minor: parseMinor(version) };
  });
}

function older(minor: readonly [number, number], than: readonly [number, number]): boolean {
  return minor[0] < than[0] || (minor[0] === than[0] && minor[1] < than[1]);
}

/**
 * The control plane that makes ambient mode inapplicable: every control plane found has a readable
 * version older than 1.22. An unreadable tag (`latest`, a digest) or no control plane at all (an
 * external one) leaves the ambient checks on: they then judge what they see.
 */
export function preAmbientControlPlane(planes: readonly ControlPlaneVersion[]): ControlPlaneVersion | undefined {
  if (planes.length === 0) return undefined;
  if (!planes.every((p) => p.minor !== undefined && older(p.minor, AMBIENT_MIN_MINOR))) return undefined;
  return planes[0];
}

/** Pods that exist and hold (or will hold) an IP, in snapshot order. */
export function livePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isLivePod);
}

/** The application pods in ambient mode (by label or by istio-cni's annotation), with their namespace object. */
export function ambientPods(pods: readonly Pod[], namespaces: ReadonlyMap<string, Namespace>): Pod[] {
  return livePods(pods).filter((p) => isAmbientPod(p, namespaces.get(namespaceOf(p))));
}

/** Whether anything in the snapshot is in ambient mode or says it should be: a namespace label, a pod label, an annotation. */
export function ambientInUse(namespaces: readonly Namespace[], pods: readonly Pod[]): boolean {
  if (namespaces.some(namespaceIsAmbient)) return true;
  return pods.some(
    (p) => p.metadata.labels?.[DATAPLANE_MODE_LABEL] === 'ambient' || p.metadata.annotations?.[REDIRECTION_ANNOTATION] !== undefined,
  );
}

/** The node agents of ambient mode on one node. */
export interface NodeAgents {
  ztunnel: Pod[];
  cni: Pod[];
}

/** ztunnel and istio-cni pods by node name (pods not yet scheduled are left out). */
export function agentsByNode(pods: readonly Pod[]): Map<string, NodeAgents> {
  const out = new Map<string, NodeAgents>();
  for (const pod of livePods(pods)) {
    const node = pod.spec?.nodeName;
    if (node === undefined || node === '') continue;
    const ztunnel = isZtunnelPod(pod);
    const cni = isCniNodePod(pod);
    if (!ztunnel && !cni) continue;
    const entry = out.get(node) ?? { ztunnel: [], cni: [] };
    (ztunnel ? entry.ztunnel : entry.cni).push(pod);
    out.set(node, entry);
  }
  return out;
}

/** Whether one of the pods is ready (Running, Ready=True, not terminating). */
export function anyReady(pods: readonly Pod[] | undefined): boolean {
  return (pods ?? []).some(isPodReady);
}

/** One pod's state for evidence: `ns/name: Running, not ready (CrashLoopBackOff)`. */
export function podState(pod: Pod): string {
  const phase = pod.status?.phase ?? 'no status';
  const waiting = [...(pod.status?.containerStatuses ?? [])].map((c) => c.state?.waiting?.reason).find((r) => r !== undefined);
  const ready = isPodReady(pod) ? 'ready' : 'not ready';
  return `${fullName(pod)}: ${phase}, ${ready}${waiting === undefined ? '' : ` (${waiting})`}`;
}

/** A ztunnel DaemonSet: its pod template runs `proxy ztunnel`, or carries `app: ztunnel` (as the chart's selector does). */
export function isZtunnelDaemonSet(ds: DaemonSet): boolean {
  return isZtunnelPod(templatePod(ds));
}

/** An istio-cni node agent DaemonSet (`k8s-app: istio-cni-node` on its pods). */
export function isCniDaemonSet(ds: DaemonSet): boolean {
  return isCniNodePod(templatePod(ds));
}

// A DaemonSet's pod template as a pod, so the pod predicates of src/mesh/ambient.ts apply to it.
function templatePod(ds: DaemonSet): Pod {
  const template = ds.spec?.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: ds.metadata.name, namespace: namespaceOf(ds), labels: template?.metadata?.labels ?? {} },
    ...(template?.spec === undefined ? {} : { spec: template.spec }),
  };
}

/** The image tag of a DaemonSet's container (the named one, else the first). */
export function daemonSetVersion(ds: DaemonSet, container: string): string {
  const containers = ds.spec?.template?.spec?.containers ?? [];
  return imageTag((containers.find((c) => c.name === container) ?? containers[0])?.image);
}

/** The istio-cni agent's AMBIENT_ENABLED setting, when its ConfigMap is in the snapshot. */
export function cniAmbientSetting(
  configMaps: readonly ConfigMap[],
  cniNamespaces: ReadonlySet<string>,
): { configMap: ConfigMap; value: string } | undefined {
  for (const cm of configMaps) {
    if (cm.metadata.name !== CNI_CONFIGMAP || !cniNamespaces.has(namespaceOf(cm))) continue;
    const value = cm.data?.[CNI_AMBIENT_KEY];
    if (value !== undefined) return { configMap: cm, value };
  }
  return undefined;
}

/**
 * Skips an ambient check, saying why, where ambient mode has nothing to judge: every control plane
 * predates ambient mode, or no namespace or pod is in ambient mode. Skipped, not passed: a pass
 * would read as "ambient is healthy". Returns whether it skipped (the check then returns).
 */
export function skipUnlessAmbientApplies(
  ctx: Pick<CheckContext<KindId>, 'skip'>,
  planes: readonly ControlPlaneVersion[],
  namespaces: readonly Namespace[],
  pods: readonly Pod[],
): boolean {
  const old = preAmbientControlPlane(planes);
  if (old !== undefined) {
    ctx.skip(
      `Does not apply: control plane ${fullName(old.deployment)} runs Istio ${old.version}, older than 1.22, where ambient mode became beta (generally available since 1.24).`,
    );
    return true;
  }
  if (!ambientInUse(namespaces, pods)) {
    ctx.skip('Nothing to check: no namespace or pod is in ambient mode (label istio.io/dataplane-mode=ambient).');
    return true;
  }
  return false;
}
