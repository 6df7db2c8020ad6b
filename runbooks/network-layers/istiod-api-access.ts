import { defineCheck } from '../../src/engine/check.ts';
import type { Deployment } from '../../src/k8s/objects.ts';
import { imageOf, imageTag, isControlPlane, podsOfDeployment, revisionOf, serviceAccountOf } from '../../src/mesh/control-plane.ts';
import { discoveryPermissions, resourceText } from '../../src/mesh/istiod-permissions.ts';
import { RbacIndex, serviceAccountIdentity, type BoundRole } from '../../src/mesh/rbac.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { fullName, isPodReady, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R2: istiod discovers the mesh by listing and watching the API server. Two things must hold:
// it is running and ready (its readiness says its caches synced from the API server), and its
// ServiceAccount is allowed to read what it discovers. The second is evaluated statically over
// the snapshot's RBAC objects, as the API server's RBAC authorizer would decide.

function boundText(b: BoundRole): string {
  const binding =
    b.binding.namespace === undefined
      ? `${b.binding.kind} ${b.binding.name}`
      : `${b.binding.kind} ${b.binding.namespace}/${b.binding.name}`;
  const role = b.role.namespace === undefined ? `${b.role.kind} ${b.role.name}` : `${b.role.kind} ${b.role.namespace}/${b.role.name}`;
  const missing = b.rules === undefined ? ' (not found)' : '';
  const aggregated = b.aggregatedFrom.length > 0 ? ` (aggregates ${listForEvidence([...b.aggregatedFrom], 4)})` : '';
  return `${binding} → ${role}${missing}${aggregated}`;
}

function planeText(d: Deployment): string {
  return `Deployment ${fullName(d)} (Istio ${imageTag(imageOf(d))}, revision ${revisionOf(d)})`;
}

export default defineCheck({
  id: 'istiod-api-access',
  title: 'istiod can read the API server',
  description:
    "istiod is running and ready, and its ServiceAccount is bound to rules that let it get, list and watch Services, EndpointSlices, Pods, Nodes, Namespaces and Istio's networking and security kinds, and create TokenReviews and SubjectAccessReviews — evaluated over the snapshot's ClusterRoles, Roles and bindings (groups, wildcards and aggregated ClusterRoles included).",
  why: 'istiod learns every service, endpoint and routing rule from the API server (R2). Without a permission it never becomes ready, or its view goes stale while proxies keep receiving it.',
  inputs: [
    'apps/v1/Deployment',
    'v1/Pod',
    'v1/ServiceAccount',
    'rbac.authorization.k8s.io/v1/ClusterRole',
    'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    'rbac.authorization.k8s.io/v1/Role',
    'rbac.authorization.k8s.io/v1/RoleBinding',
  ],
  docs: '/network-layers/r2-api-server/#istiod-api-access',
  analyze(ctx) {
    const planes = ctx.list('apps/v1/Deployment').filter(isControlPlane);
    if (planes.length === 0) {
      const namespace = ctx.namespace ?? ISTIO_NAMESPACE;
      ctx.report(
        'MB0101',
        { kind: 'Namespace', name: namespace },
        { scope: ctx.namespace === undefined ? 'anywhere in the cluster' : `in namespace ${ctx.namespace}, the only one this run reads` },
        {
          evidence: {
            'Deployments read': ctx.list('apps/v1/Deployment').length,
            'Deployments named istiod, istiod-<rev>, istio-pilot or labelled app=istiod': 0,
          },
          fix: 'nothing-reads-the-api-server',
        },
      );
      return;
    }

    // Running and ready: a ready istiod has listed and watched everything it needs at least once.
    const pods = ctx.list('v1/Pod');
    for (const d of planes) {
      const own = podsOfDeployment(d, pods);
      const ready = own.filter(isPodReady);
      const statusReady = d.status?.readyReplicas;
      const notReady = own.length > 0 ? ready.length === 0 : d.status !== undefined && (statusReady ?? 0) === 0;
      if (!notReady) continue;
      const ns = namespaceOf(d);
      ctx.report(
        'MB0301',
        { kind: 'Deployment', namespace: ns, name: d.metadata.name },
        { deployment: fullName(d), ready: ready.length, pods: own.length },
        {
          evidence: {
            'control plane': planeText(d),
            pods: listForEvidence(
              own.map(
                (p) =>
                  `${p.metadata.name} (${p.status?.phase ?? 'unknown'}, Ready=${p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'unknown'})`,
              ),
            ),
            'status.readyReplicas': statusReady ?? 0,
            'spec.replicas': d.spec?.replicas ?? 1,
          },
          fix: 'read-discovery-log',
          fixParams: { namespace: ns, name: d.metadata.name },
        },
      );
    }

    // Permissions, once per ServiceAccount (revisions often share one).
    const rbac = new RbacIndex({
      clusterRoles: ctx.list('rbac.authorization.k8s.io/v1/ClusterRole'),
      clusterRoleBindings: ctx.list('rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
      roles: ctx.list('rbac.authorization.k8s.io/v1/Role'),
      roleBindings: ctx.list('rbac.authorization.k8s.io/v1/RoleBinding'),
    });
    const byAccount = new Map<string, Deployment[]>();
    for (const d of planes) {
      const key = `${namespaceOf(d)}/${serviceAccountOf(d)}`;
      byAccount.set(key, [...(byAccount.get(key) ?? []), d]);
    }
    for (const [key, deployments] of byAccount) {
      const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      const resource = { kind: 'ServiceAccount', namespace: ns, name };
      const serviceAccountObject = ctx.find('v1/ServiceAccount', ns, name) === undefined ? 'not in the snapshot' : 'present';
      const used = listForEvidence(deployments.map(planeText), 4);
      if (!rbac.hasBindings) {
        ctx.report(
          'MB0303',
          resource,
          { serviceAccount: key },
          {
            evidence: { 'used by': used, 'ClusterRoleBindings and RoleBindings in the snapshot': 0 },
            fix: 'snapshot-rbac',
          },
        );
        continue;
      }
      const identity = serviceAccountIdentity(ns, name);
      const bound = rbac.boundRoles(identity);
      const boundList = listForEvidence(bound.map(boundText), 6);
      // Where a missing rule should go: a ClusterRole bound cluster-wide that the aggregation controller does not rewrite.
      const target =
        bound.find(
          (b) =>
            b.scope.cluster &&
            b.role.kind === 'ClusterRole' &&
            b.rules !== undefined &&
            !rbac.isAggregated(b.role.name) &&
            /istiod|pilot/.test(b.role.name),
        ) ??
        bound.find((b) => b.scope.cluster && b.role.kind === 'ClusterRole' && b.rules !== undefined && !rbac.isAggregated(b.role.name));
      const era = deployments.some((d) => d.metadata.name === 'istio-pilot') ? 'split' : 'istiod';

      for (const need of discoveryPermissions(era)) {
        const granted: string[] = [];
        const missing: string[] = [];
        for (const verb of need.verbs) {
          const grants = rbac.grants(identity, { verb, group: need.group, resource: need.resource }, undefined, bound);
          if (grants.length === 0) missing.push(verb);
          else granted.push(`${verb} (${grants[0]!.bound.role.kind} ${grants[0]!.bound.role.name} rules[${grants[0]!.rule}])`);
        }
        if (missing.length === 0) continue;
        const partial = [
          ...new Set(missing.flatMap((verb) => rbac.namespacedOnly(identity, { verb, group: need.group, resource: need.resource }, bound))),
        ].sort();
        const res = resourceText(need.group, need.resource);
        const rule = { apiGroups: [need.group], resources: [need.resource], verbs: missing };
        ctx.report(
          'MB0302',
          resource,
          { serviceAccount: key, verbs: missing.join(', '), resource: res, purpose: need.purpose },
          {
            evidence: {
              identity: `${identity.user} (groups ${identity.groups.join(', ')})`,
              'used by': used,
              'ServiceAccount object': serviceAccountObject,
              'roles bound to it': boundList,
              'missing verbs (cluster-wide)': missing.join(', '),
              'granted verbs': granted.length > 0 ? granted.join(', ') : '(none)',
              ...(partial.length > 0
                ? { 'granted only in namespaces (RoleBinding; istiod watches all namespaces)': listForEvidence(partial) }
                : {}),
            },
            ...(target !== undefined
              ? { fix: 'patch-clusterrole', fixParams: { rule: JSON.stringify(rule), role: target.role.name } }
              : {
                  fix: 'create-clusterrole',
                  fixParams: { serviceAccount: key, name, namespace: ns, verbs: missing.join(','), resource: res },
                }),
          },
        );
      }
    }
  },
});
