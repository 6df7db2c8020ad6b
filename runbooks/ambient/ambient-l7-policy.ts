import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from '../../src/istio/mesh-config.ts';
import type { IstioPolicy, KubeObject, Pod } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { USE_WAYPOINT_LABEL, isAmbientPod, namespaceIsAmbient } from '../../src/mesh/ambient.ts';
import { countedList, namespaceOf } from '../lib/mesh.ts';
import { boundToWaypoint } from '../lib/waypoints.ts';

// Where L7 policy takes effect in ambient mode, as istiod decides it:
// - An AuthorizationPolicy without targetRefs is sent to the ztunnel of the pods it selects (by
//   selector, namespace-wide, or from the root namespace across all namespaces). ztunnel has no
//   HTTP: istiod drops to.operation hosts/methods/paths (and not*), from.source
//   requestPrincipals/remoteIpBlocks (and not*), and `when` keys other than source.ip,
//   source.namespace, source.principal, destination.ip and destination.port. An ALLOW rule using
//   them is removed (never matches); a DENY keeps only its L4 parts, or has no effect when none
//   remain (convertAuthorizationPolicy/handleRule in pilot/pkg/serviceregistry/ambient/authorization.go)
//   → MB0735. CUSTOM and AUDIT are refused by ztunnel → MB0736.
// - RequestAuthentication, WasmPlugin and a Telemetry with tracing, access logging or metric
//   overrides need an HTTP proxy; ztunnel does not read them and waypoints never take policy by
//   selector (WorkloadPolicyMatcher.ShouldAttachPolicy in pilot/pkg/model/policyattachment.go), so
//   on ambient pods they do nothing → MB0737. As in Kiali, namespace-wide ones are reported in
//   ambient namespaces only, never mesh-wide ones in the root namespace (they still serve sidecars).
// - A policy with targetRefs is for a waypoint: a Service or ServiceEntry it names must exist and
//   be bound to one (istio.io/use-waypoint on it or its namespace) → MB0738, MB0739; a named
//   Gateway must exist → MB0739.
// A pod counts as ambient by isAmbientPod (src/mesh/ambient.ts); a selector only matches pods
// that exist in the snapshot.
export default defineCheck({
  id: 'ambient-l7-policy',
  title: 'L7 policies reach a proxy that can enforce them',
  description:
    'No AuthorizationPolicy asks ztunnel to enforce HTTP rules or actions it cannot, no RequestAuthentication, WasmPlugin or L7 Telemetry selects ambient pods without targetRefs, and every targetRef names a resource that exists and is served by a waypoint.',
  why: 'ztunnel enforces only L4; an HTTP rule left to it is dropped, so an ALLOW denies what it should let through and a DENY blocks more, or nothing. Policies a waypoint never receives look active and do nothing.',
  inputs: [
    'security.istio.io/v1/AuthorizationPolicy',
    'security.istio.io/v1/RequestAuthentication',
    'telemetry.istio.io/v1/Telemetry',
    'extensions.istio.io/v1alpha1/WasmPlugin',
    'v1/Pod',
    'v1/Namespace',
    'v1/Service',
    'networking.istio.io/v1/ServiceEntry',
    'gateway.networking.k8s.io/v1/Gateway',
    'v1/ConfigMap',
  ],
  kiali: ['KIA0109', 'KIA0110', 'KIA1110', 'KIA1111', 'KIA1112', 'KIA1115', 'KIA1116', 'KIA1117'],
  docs: '/concepts/ambient/#ambient-l7-policy',
  analyze(ctx) {
    const root = rootNamespace(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const namespaces = new Map(ctx.list('v1/Namespace').map((n) => [n.metadata.name, n]));
    const ambientPods = ctx.list('v1/Pod').filter((p) => isAmbientPod(p, namespaces.get(namespaceOf(p))));
    const ref = (p: KubeObject) => ({ kind: p.kind, namespace: namespaceOf(p), name: p.metadata.name });

    // The ambient pods a policy without targetRefs applies to, and whether it is namespace-wide.
    const selected = (policy: IstioPolicy): { pods: Pod[]; namespaceWide: boolean } => {
      const ns = namespaceOf(policy);
      const labels = policy.spec?.selector?.matchLabels ?? {};
      const namespaceWide = Object.keys(labels).length === 0;
      const pods = ambientPods.filter((p) => (ns === root || namespaceOf(p) === ns) && matchesLabels(labels, p.metadata.labels));
      return { pods, namespaceWide };
    };
    const selectionEvidence = (policy: IstioPolicy, pods: Pod[]): Record<string, string> => ({
      'spec.selector.matchLabels': selectorString(policy.spec?.selector?.matchLabels) || '(none: namespace-wide)',
      'ambient pods it applies to': countedList(pods.map((p) => `${namespaceOf(p)}/${p.metadata.name}`)),
    });

    for (const policy of ctx.list('security.istio.io/v1/AuthorizationPolicy')) {
      if (targetRefsOf(policy).length > 0) {
        checkTargets(policy);
        continue;
      }
      const { pods, namespaceWide } = selected(policy);
      const ns = namespaceOf(policy);
      const applies = pods.length > 0 || (namespaceWide && ns !== root && namespaceIsAmbient(namespaces.get(ns)));
      if (!applies) continue;
      const spec = policy.spec as { action?: unknown; rules?: unknown } | undefined;
      const action = typeof spec?.action === 'string' && spec.action !== '' ? spec.action : 'ALLOW';
      const name = `${ns}/${policy.metadata.name}`;
      if (action !== 'ALLOW' && action !== 'DENY') {
        ctx.report(
          'MB0736',
          ref(policy),
          { policy: name, action },
          { evidence: { 'spec.action': action, ...selectionEvidence(policy, pods) } },
        );
        continue;
      }
      const analysis = analyzeRules(Array.isArray(spec?.rules) ? (spec.rules as Rule[]) : []);
      if (analysis.attributes.length === 0) continue;
      ctx.report(
        'MB0735',
        ref(policy),
        { policy: name, action, attributes: analysis.attributes.join(', '), consequence: consequence(action, analysis) },
        {
          evidence: {
            'spec.action': action,
            'rules with HTTP attributes': `${analysis.l7Rules} of ${analysis.rules}`,
            ...selectionEvidence(policy, pods),
          },
          fix: 'attach-to-waypoint',
          fixParams: { namespace: ns, policy: policy.metadata.name },
        },
      );
    }

    const others: { kind: string; list: readonly IstioPolicy[]; what: (p: IstioPolicy) => string | undefined }[] = [
      { kind: 'RequestAuthentication', list: ctx.list('security.istio.io/v1/RequestAuthentication'), what: () => 'JWT validation' },
      { kind: 'WasmPlugin', list: ctx.list('extensions.istio.io/v1alpha1/WasmPlugin'), what: () => 'an Envoy Wasm filter' },
      { kind: 'Telemetry', list: ctx.list('telemetry.istio.io/v1/Telemetry'), what: l7Telemetry },
    ];
    for (const { kind, list, what } of others) {
      for (const policy of list) {
        if (targetRefsOf(policy).length > 0) {
          checkTargets(policy);
          continue;
        }
        const purpose = what(policy);
        if (purpose === undefined) continue;
        const ns = namespaceOf(policy);
        const { pods, namespaceWide } = selected(policy);
        const applies = namespaceWide ? ns !== root && namespaceIsAmbient(namespaces.get(ns)) : pods.length > 0;
        if (!applies) continue;
        ctx.report(
          'MB0737',
          ref(policy),
          { kind, policy: `${ns}/${policy.metadata.name}`, what: purpose },
          {
            evidence: selectionEvidence(policy, pods),
            fix: 'attach-to-waypoint',
            fixParams: { kind, namespace: ns, policy: policy.metadata.name },
          },
        );
      }
    }

    // targetRefs: a Service or ServiceEntry must exist and be bound to a waypoint; a Gateway must exist.
    function checkTargets(policy: IstioPolicy): void {
      const ns = namespaceOf(policy);
      const policyName = `${ns}/${policy.metadata.name}`;
      targetRefsOf(policy).forEach((target, i) => {
        const kind = typeof target.kind === 'string' ? target.kind : '';
        const group = typeof target.group === 'string' ? target.group : '';
        const name = typeof target.name === 'string' ? target.name : '';
        const targetNs = typeof target.namespace === 'string' && target.namespace !== '' ? target.namespace : ns;
        let found: KubeObject | undefined;
        if (kind === 'Service' && (group === '' || group === 'core')) found = ctx.find('v1/Service', targetNs, name);
        else if (kind === 'ServiceEntry' && group === 'networking.istio.io')
          found = ctx.find('networking.istio.io/v1/ServiceEntry', targetNs, name);
        else if (kind === 'Gateway' && group === 'gateway.networking.k8s.io')
          found = ctx.find('gateway.networking.k8s.io/v1/Gateway', targetNs, name);
        else return;
        const shown = `${kind} ${targetNs}/${name}`;
        const evidence = { [`spec.targetRefs[${i}]`]: `${group === '' ? 'core' : group}/${kind} ${name}` };
        if (found === undefined) {
          ctx.report('MB0739', ref(policy), { kind: policy.kind, policy: policyName, target: shown }, { evidence });
          return;
        }
        if (kind === 'Gateway' || boundToWaypoint(found, namespaces.get(targetNs))) return;
        ctx.report(
          'MB0738',
          ref(policy),
          { kind: policy.kind, policy: policyName, target: shown },
          {
            evidence: {
              ...evidence,
              [`${kind} label ${USE_WAYPOINT_LABEL}`]: found.metadata.labels?.[USE_WAYPOINT_LABEL] ?? '(none)',
              [`namespace label ${USE_WAYPOINT_LABEL}`]: namespaces.get(targetNs)?.metadata.labels?.[USE_WAYPOINT_LABEL] ?? '(none)',
            },
            fix: 'bind-to-waypoint',
            fixParams: { kind, namespace: targetNs, name },
          },
        );
      });
    }
  },
});

/** meshConfig.rootNamespace (istio-system unless set): policies there apply to every namespace. */
function rootNamespace(cm: Parameters<typeof readMeshConfig>[0]): string {
  const read = readMeshConfig(cm);
  const value = read.kind === 'mapping' ? read.mesh.rootNamespace : undefined;
  return typeof value === 'string' && value !== '' ? value : ISTIO_NAMESPACE;
}

/** targetRefs, else the older single targetRef (model.GetTargetRefs). */
function targetRefsOf(policy: IstioPolicy): Record<string, unknown>[] {
  const refs = (policy.spec?.targetRefs ?? []).filter((r) => typeof r === 'object' && r !== null);
  if (refs.length > 0) return refs;
  const one = policy.spec?.targetRef;
  return typeof one === 'object' && one !== null ? [one] : [];
}

/** What makes a Telemetry need an HTTP proxy, as Kiali classifies it (ambient.IsL7Telemetry); undefined when L4 only. */
function l7Telemetry(policy: IstioPolicy): string | undefined {
  const spec = policy.spec as { tracing?: unknown; accessLogging?: unknown; metrics?: unknown } | undefined;
  const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
  if (nonEmpty(spec?.tracing)) return 'tracing';
  if (nonEmpty(spec?.accessLogging)) return 'access logging';
  if (Array.isArray(spec?.metrics) && spec.metrics.some((m: { overrides?: unknown } | null) => nonEmpty(m?.overrides)))
    return 'metric overrides';
  return undefined;
}

interface Rule {
  from?: { source?: Record<string, unknown> }[];
  to?: { operation?: Record<string, unknown> }[];
  when?: { key?: string; values?: unknown; notValues?: unknown }[];
}

interface RuleAnalysis {
  /** The attributes ztunnel cannot enforce, sorted (Istio's names; `when` keys as written). */
  attributes: string[];
  rules: number;
  l7Rules: number;
  /** Whether a rule would still match something at ztunnel once HTTP attributes are dropped (DENY). */
  effectiveWithoutHttp: boolean;
}

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const HTTP_SOURCE_FIELDS = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];
const L4_OPERATION_FIELDS = ['ports', 'notPorts'];
const L4_SOURCE_FIELDS = [
  'ipBlocks',
  'notIpBlocks',
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'principals',
  'notPrincipals',
];
const L4_WHEN_KEYS: ReadonlySet<string> = new Set([
  'source.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
]);

const nonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

// handleRule and hasEffectiveRules of pilot/pkg/serviceregistry/ambient/authorization.go: each
// rule becomes clauses (its `to`, its `from`, each `when`); a clause whose matches are all empty
// after HTTP fields are dropped never fires, and a rule fires only if all its clauses can.
function analyzeRules(rules: Rule[]): RuleAnalysis {
  const found = new Set<string>();
  let l7Rules = 0;
  let effective = false;
  for (const rule of rules) {
    const http: string[] = [];
    const clauses: boolean[] = [];
    const to = Array.isArray(rule?.to) ? rule.to : [];
    const from = Array.isArray(rule?.from) ? rule.from : [];
    const when = Array.isArray(rule?.when) ? rule.when : [];
    if (to.length > 0) {
      for (const t of to) http.push(...HTTP_OPERATION_FIELDS.filter((f) => nonEmptyList(t?.operation?.[f])));
      clauses.push(to.some((t) => L4_OPERATION_FIELDS.some((f) => nonEmptyList(t?.operation?.[f]))));
    }
    if (from.length > 0) {
      for (const s of from) http.push(...HTTP_SOURCE_FIELDS.filter((f) => nonEmptyList(s?.source?.[f])));
      clauses.push(from.some((s) => L4_SOURCE_FIELDS.some((f) => nonEmptyList(s?.source?.[f]))));
    }
    for (const w of when) {
      const key = typeof w?.key === 'string' ? w.key : '';
      const l4 = L4_WHEN_KEYS.has(key);
      if (!l4) http.push(key);
      clauses.push(l4 && (nonEmptyList(w.values) || nonEmptyList(w.notValues)));
    }
    for (const f of http) found.add(f);
    if (http.length > 0) l7Rules++;
    if (clauses.every(Boolean)) effective = true;
  }
  return { attributes: [...found].sort(), rules: rules.length, l7Rules, effectiveWithoutHttp: effective };
}

function consequence(action: string, a: RuleAnalysis): string {
  if (action === 'DENY')
    return a.effectiveWithoutHttp
      ? 'ztunnel enforces its rules without their HTTP parts, so it denies more than written'
      : 'no rule remains that ztunnel can enforce, so the DENY has no effect';
  return a.l7Rules === a.rules
    ? 'ztunnel drops every rule, so the policy allows nothing and requests it should allow are denied'
    : 'ztunnel drops the rules that use them, so requests only those rules allow are denied';
}
