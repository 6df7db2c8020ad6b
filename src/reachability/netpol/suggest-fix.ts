// For a denied connection, the smallest change that lets it through: one rule naming exactly
// this peer and this port, appended to the isolating policy that selects the fewest pods.
// Findings show it as the remediation ("add this ingress rule to policy X").

import type { Labels, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../../k8s/objects.ts';
import { hostCidr, parseIp } from '../../k8s/cidr.ts';
import { NAMESPACE_NAME_LABEL, type NetpolIndex } from './netpol-index.ts';
import { podIps } from './pod-classes.ts';
import type { Direction, Endpoint, Evaluation, PolicyRef, PortQuery, SuggestedFix } from './types.ts';

// Labels that identify a workload, most specific convention first. One is enough: it names the
// app across rollouts, where the full label set would break at the next pod-template-hash.
const WORKLOAD_LABELS = [
  'app.kubernetes.io/name',
  'app',
  'k8s-app',
  'service.istio.io/canonical-name',
  'name',
  'component',
  'app.kubernetes.io/component',
  'istio',
];

// Labels that change per rollout or per pod, or that Istio adds: never worth selecting on.
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'security.istio.io/tlsMode',
  'service.istio.io/canonical-revision',
]);

/** The podSelector a rule should use for a workload: one identifying label if it has one, else its stable labels. */
export function workloadSelector(labels: Readonly<Labels>): LabelSelector {
  for (const key of WORKLOAD_LABELS) {
    const value = labels[key];
    if (value !== undefined) return { matchLabels: { [key]: value } };
  }
  const stable = Object.entries(labels)
    .filter(([k]) => !VOLATILE_LABELS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // No stable labels: {} selects every pod of the namespace, the narrowest selector left.
  return stable.length > 0 ? { matchLabels: Object.fromEntries(stable) } : {};
}

/** The peer that names an endpoint from a policy in `policyNamespace`, or undefined when none can (a node of unknown address). */
function peerFor(index: NetpolIndex, endpoint: Endpoint, policyNamespace: string): NetworkPolicyPeer | undefined {
  if (endpoint.kind === 'ip' || endpoint.kind === 'node') {
    const ip = endpoint.ip === undefined ? undefined : parseIp(endpoint.ip);
    return ip === undefined ? undefined : { ipBlock: { cidr: hostCidr(ip) } };
  }
  const cls = endpoint.kind === 'pod' ? index.classOf(endpoint.pod) : endpoint.podClass;
  if (cls.hostNetwork) {
    // Node traffic: only an ipBlock with the node's address can name it.
    const pod = endpoint.kind === 'pod' ? endpoint.pod : cls.pods[0];
    const ip = pod === undefined ? undefined : podIps(pod)[0];
    return ip === undefined ? undefined : { ipBlock: { cidr: hostCidr(ip) } };
  }
  const peer: NetworkPolicyPeer = { podSelector: workloadSelector(cls.labels) };
  // A podSelector alone means the policy's namespace; elsewhere, name the namespace by its automatic label.
  if (cls.namespace !== policyNamespace) peer.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: cls.namespace } };
  return peer;
}

/** Of the isolating policies, the one whose change opens the least: fewest selected pods, then already has rules, then name. */
function narrowestPolicy(index: NetpolIndex, refs: readonly PolicyRef[], direction: Direction): PolicyRef | undefined {
  const scored = refs.map((ref) => {
    const rules = index.policy(ref)?.spec?.[direction];
    return { ref, pods: index.selectedPodCount(ref), hasRules: Array.isArray(rules) && rules.length > 0 ? 0 : 1 };
  });
  scored.sort((a, b) => a.pods - b.pods || a.hasRules - b.hasRules || (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  return scored[0]?.ref;
}

function fixFor(
  index: NetpolIndex,
  direction: Direction,
  refs: readonly PolicyRef[],
  peerEndpoint: Endpoint,
  port: PortQuery,
): SuggestedFix | undefined {
  const ref = narrowestPolicy(index, refs, direction);
  if (ref === undefined) return undefined;
  const peer = peerFor(index, peerEndpoint, ref.namespace);
  if (peer === undefined) return undefined;
  // Numeric, not named: a named port only matches pods that declare it, and the caller may know
  // the number from a Service targetPort the pod never declared.
  const ports: NetworkPolicyPort[] = [{ protocol: port.protocol ?? 'TCP', port: port.port }];
  const rule = direction === 'ingress' ? { from: [peer], ports } : { to: [peer], ports };
  const spec = index.policy(ref)?.spec;
  let patch: SuggestedFix['patch'];
  if (spec === undefined || spec === null) patch = [{ op: 'add', path: '/spec', value: { [direction]: [rule] } }];
  else if (Array.isArray(spec[direction])) patch = [{ op: 'add', path: `/spec/${direction}/-`, value: rule }];
  else patch = [{ op: 'add', path: `/spec/${direction}`, value: [rule] }];
  return { direction, policy: ref, rule, patch };
}

/**
 * For each denied direction of a connection, one rule to add to one isolating policy: ingress
 * on the destination's side naming the source, egress on the source's side naming the
 * destination. Empty when the connection is allowed.
 */
export function suggestFixes(
  index: NetpolIndex,
  src: Endpoint,
  dst: Endpoint,
  port: PortQuery,
  evaluation: Evaluation = index.evaluate(src, dst, port),
): SuggestedFix[] {
  const fixes: SuggestedFix[] = [];
  if (!evaluation.egress.allowed) {
    const fix = fixFor(index, 'egress', evaluation.egress.isolatedBy, dst, port);
    if (fix !== undefined) fixes.push(fix);
  }
  if (!evaluation.ingress.allowed) {
    const fix = fixFor(index, 'ingress', evaluation.ingress.isolatedBy, src, port);
    if (fix !== undefined) fixes.push(fix);
  }
  return fixes;
}
