import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import type { Labels } from '../../src/k8s/objects.ts';
import { matchesLabels } from '../../src/k8s/selectors.ts';
import { countedList, deploymentOfPod, IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';
import { meshPolicySettings, policySelector } from '../lib/security-policies.ts';

interface Workload {
  kind: string;
  name: string;
  namespace: string;
  labels: Labels;
}

// Kiali's UncoveredWorkloadChecker (KIA1301, business/checkers/workloads/ in kiali/kiali) as info
// findings, one per namespace listing its uncovered workloads (Kiali marks each workload; one line
// per namespace keeps a large cluster's report readable): a workload is covered when an AuthorizationPolicy in its namespace or in the
// mesh root namespace has no selector (or an empty one) or a selector its labels match. Kiali
// judges every workload it lists, in namespaces with policies or without, and ships the code in
// its ignore list by default; here it stays informational so the check passes.
// Workloads are Deployments and DaemonSets (pod template labels) and the pods no Deployment or
// DaemonSet owns, grouped by their owner (StatefulSet, Job, …) or alone. targetRefs are not
// counted, as in Kiali. Namespaces istioctl ignores (kube-system, …) are skipped.
export default defineCheck({
  id: 'authorization-policy-coverage',
  title: 'Every workload is governed by an AuthorizationPolicy',
  description: 'Lists the workloads no AuthorizationPolicy of their namespace or of the mesh root namespace applies to.',
  why: 'A workload no AuthorizationPolicy applies to accepts every caller that can reach it; in a mesh meant to deny by default, these are its gaps.',
  inputs: ['security.istio.io/v1/AuthorizationPolicy', 'apps/v1/Deployment', 'apps/v1/DaemonSet', 'v1/Pod', 'v1/ConfigMap'],
  kiali: ['KIA1301'],
  docs: '/concepts/security-policies/#authorization-policy-coverage',
  analyze(ctx) {
    const { rootNamespace } = meshPolicySettings(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const selectorsByNamespace = new Map<string, Labels[]>();
    for (const policy of ctx.list('security.istio.io/v1/AuthorizationPolicy')) {
      const ns = namespaceOf(policy);
      selectorsByNamespace.set(ns, [...(selectorsByNamespace.get(ns) ?? []), policySelector(policy) ?? {}]);
    }

    const workloads = new Map<string, Workload>();
    const add = (w: Workload): void => {
      if (!IGNORED_NAMESPACES.has(w.namespace)) workloads.set(`${w.namespace}/${w.kind}/${w.name}`, w);
    };
    for (const d of ctx.list('apps/v1/Deployment'))
      add({ kind: 'Deployment', name: d.metadata.name, namespace: namespaceOf(d), labels: d.spec?.template?.metadata?.labels ?? {} });
    for (const ds of ctx.list('apps/v1/DaemonSet'))
      add({ kind: 'DaemonSet', name: ds.metadata.name, namespace: namespaceOf(ds), labels: ds.spec?.template?.metadata?.labels ?? {} });
    for (const pod of ctx.list('v1/Pod')) {
      const ns = namespaceOf(pod);
      const deployment = deploymentOfPod(pod);
      if (deployment !== undefined && workloads.has(`${ns}/Deployment/${deployment}`)) continue;
      const ref = pod.metadata.ownerReferences?.[0];
      const owner =
        ref?.kind !== undefined && ref.name !== undefined && ref.kind !== 'ReplicaSet' ? { kind: ref.kind, name: ref.name } : undefined;
      if (owner !== undefined && workloads.has(`${ns}/${owner.kind}/${owner.name}`)) continue;
      add({ ...(owner ?? { kind: 'Pod', name: pod.metadata.name }), namespace: ns, labels: pod.metadata.labels ?? {} });
    }

    const uncovered = new Map<string, string[]>();
    for (const w of [...workloads.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))) {
      const candidates = [
        ...(selectorsByNamespace.get(w.namespace) ?? []),
        ...(w.namespace === rootNamespace ? [] : (selectorsByNamespace.get(rootNamespace) ?? [])),
      ];
      if (candidates.some((sel) => matchesLabels(sel, w.labels))) continue;
      uncovered.set(w.namespace, [...(uncovered.get(w.namespace) ?? []), `${w.kind} ${w.name}`]);
    }
    for (const [namespace, names] of uncovered) {
      ctx.report(
        'MB0855',
        { kind: 'Namespace', name: namespace },
        { namespace, count: names.length, rootNamespace },
        {
          evidence: {
            'uncovered workloads': countedList(names, 12),
            'AuthorizationPolicies in the namespace': selectorsByNamespace.get(namespace)?.length ?? 0,
            'AuthorizationPolicies in the root namespace': selectorsByNamespace.get(rootNamespace)?.length ?? 0,
          },
        },
      );
    }
  },
});
