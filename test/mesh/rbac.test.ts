// The static RBAC evaluator against the rules of the Kubernetes RBAC authorizer: one case per
// rule (verbs, groups, resources, wildcards, resourceNames, subjects, binding scope, aggregation).

import { describe, expect, it } from 'vitest';
import type { ClusterRole, PolicyRule, RoleBinding, Subject } from '../../src/k8s/objects.ts';
import { RbacIndex, ruleAllows, serviceAccountIdentity, subjectMatches, type RbacInput } from '../../src/mesh/rbac.ts';

const sa = serviceAccountIdentity('istio-system', 'istiod');

const clusterRole = (name: string, rules: PolicyRule[], extra: Partial<ClusterRole> = {}): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, ...(extra.metadata ?? {}) },
  rules,
  ...(extra.aggregationRule === undefined ? {} : { aggregationRule: extra.aggregationRule }),
});
const role = (namespace: string, name: string, rules: PolicyRule[]): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
const binding = (
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  name: string,
  roleRef: { kind: string; name: string },
  subjects: Subject[],
  namespace?: string,
): RoleBinding => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: namespace === undefined ? { name } : { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
const index = (input: Partial<RbacInput>): RbacIndex =>
  new RbacIndex({ clusterRoles: [], clusterRoleBindings: [], roles: [], roleBindings: [], ...input });
const SA_SUBJECT: Subject = { kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' };

describe('serviceAccountIdentity', () => {
  it('is the user and groups the API server gives a ServiceAccount token', () => {
    expect(sa).toEqual({
      user: 'system:serviceaccount:istio-system:istiod',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:istio-system', 'system:authenticated'],
      serviceAccount: { namespace: 'istio-system', name: 'istiod' },
    });
  });
});

describe('ruleAllows', () => {
  const list = { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices' };
  it.each<[string, PolicyRule, boolean]>([
    ['exact verb, group and resource', { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] }, true],
    ['another verb', { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'watch'] }, false],
    ['verbs *', { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['*'] }, true],
    ['apiGroups * ', { apiGroups: ['*'], resources: ['endpointslices'], verbs: ['list'] }, true],
    ['resources *', { apiGroups: ['discovery.k8s.io'], resources: ['*'], verbs: ['list'] }, true],
    ['the core group is not every group', { apiGroups: [''], resources: ['endpointslices'], verbs: ['list'] }, false],
    [
      'a subresource is not the resource',
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices/status'], verbs: ['list'] },
      false,
    ],
    [
      'resourceNames restrict to named requests: no list of all',
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'], resourceNames: ['one'] },
      false,
    ],
    [
      'empty resourceNames restrict nothing',
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'], resourceNames: [] },
      true,
    ],
    ['a nonResourceURLs rule grants no resource', { nonResourceURLs: ['*'], verbs: ['*'] }, false],
  ])('%s', (_name, rule, allowed) => {
    expect(ruleAllows(rule, list)).toBe(allowed);
  });
});

describe('subjectMatches', () => {
  it.each<[string, Subject, string, boolean]>([
    ['the ServiceAccount by name and namespace', SA_SUBJECT, '', true],
    ['a ServiceAccount of the same name in another namespace', { kind: 'ServiceAccount', name: 'istiod', namespace: 'default' }, '', false],
    [
      'a RoleBinding subject without namespace defaults to the binding namespace',
      { kind: 'ServiceAccount', name: 'istiod' },
      'istio-system',
      true,
    ],
    ['… and not to another', { kind: 'ServiceAccount', name: 'istiod' }, 'shop', false],
    ['the User form of the ServiceAccount name', { kind: 'User', name: 'system:serviceaccount:istio-system:istiod' }, '', true],
    ['the group of all ServiceAccounts', { kind: 'Group', name: 'system:serviceaccounts' }, '', true],
    ['the group of its namespace', { kind: 'Group', name: 'system:serviceaccounts:istio-system' }, '', true],
    ['system:authenticated', { kind: 'Group', name: 'system:authenticated' }, '', true],
    ["another namespace's group", { kind: 'Group', name: 'system:serviceaccounts:shop' }, '', false],
    ['an unknown kind', { kind: 'Robot', name: 'istiod' }, '', false],
  ])('%s', (_name, subject, bindingNamespace, matches) => {
    expect(subjectMatches(subject, sa, bindingNamespace)).toBe(matches);
  });
});

describe('RbacIndex', () => {
  const read = (resource: string, group = '') => ({ verb: 'list', group, resource });

  it('grants cluster-wide through ClusterRoleBindings only; RoleBindings grant in their namespace', () => {
    const rbac = index({
      clusterRoles: [
        clusterRole('pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
        clusterRole('slices', [{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] }]),
      ],
      roles: [role('shop', 'svc', [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }])],
      clusterRoleBindings: [binding('ClusterRoleBinding', 'pods', { kind: 'ClusterRole', name: 'pods' }, [SA_SUBJECT])],
      roleBindings: [
        binding('RoleBinding', 'slices', { kind: 'ClusterRole', name: 'slices' }, [SA_SUBJECT], 'shop'),
        binding('RoleBinding', 'svc', { kind: 'Role', name: 'svc' }, [SA_SUBJECT], 'shop'),
      ],
    });
    expect(rbac.grants(sa, read('pods'))).toHaveLength(1);
    expect(rbac.grants(sa, read('pods'), 'anywhere')).toHaveLength(1);
    expect(rbac.grants(sa, read('endpointslices', 'discovery.k8s.io'))).toEqual([]);
    expect(rbac.grants(sa, read('endpointslices', 'discovery.k8s.io'), 'shop')).toHaveLength(1);
    expect(rbac.namespacedOnly(sa, read('endpointslices', 'discovery.k8s.io'))).toEqual(['shop']);
    expect(rbac.namespacedOnly(sa, read('services'))).toEqual(['shop']);
    expect(rbac.grants(sa, read('services'), 'other')).toEqual([]);
  });

  it('ignores a ClusterRoleBinding to a Role, and reports a role that does not exist with no rules', () => {
    const rbac = index({
      roles: [role('istio-system', 'pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }])],
      clusterRoleBindings: [
        binding('ClusterRoleBinding', 'bad-ref', { kind: 'Role', name: 'pods' }, [SA_SUBJECT]),
        binding('ClusterRoleBinding', 'gone', { kind: 'ClusterRole', name: 'gone' }, [SA_SUBJECT]),
      ],
    });
    expect(rbac.grants(sa, read('pods'))).toEqual([]);
    expect(rbac.boundRoles(sa).map((b) => [b.binding.name, b.rules])).toEqual([
      ['bad-ref', undefined],
      ['gone', undefined],
    ]);
  });

  it('unions the rules of aggregated ClusterRoles, transitively and without looping', () => {
    const rbac = index({
      clusterRoles: [
        clusterRole('top', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'agg/top': 'true' } }] } }),
        clusterRole('middle', [], {
          metadata: { name: 'middle', labels: { 'agg/top': 'true' } },
          aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'agg/middle', operator: 'Exists' }] }] },
        }),
        clusterRole('leaf', [{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] }], {
          metadata: { name: 'leaf', labels: { 'agg/middle': 'x' } },
        }),
        // Selects top back: a cycle the aggregation must survive.
        clusterRole('cycle', [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }], {
          metadata: { name: 'cycle', labels: { 'agg/top': 'true' } },
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: {} }] },
        }),
        clusterRole('unlabelled', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]),
      ],
      clusterRoleBindings: [
        binding('ClusterRoleBinding', 'top', { kind: 'ClusterRole', name: 'top' }, [
          { kind: 'Group', name: 'system:serviceaccounts:istio-system' },
        ]),
      ],
    });
    expect(rbac.grants(sa, read('endpointslices', 'discovery.k8s.io'))).toHaveLength(1);
    expect(rbac.grants(sa, read('nodes'))).toHaveLength(1);
    // `cycle` selects every ClusterRole (an empty selector), so it brings in `unlabelled` too.
    expect(rbac.grants(sa, read('secrets'))).toHaveLength(1);
    expect(rbac.boundRoles(sa)[0]!.aggregatedFrom).toEqual(['cycle', 'leaf', 'middle', 'unlabelled']);
    expect(rbac.isAggregated('top')).toBe(true);
    expect(rbac.isAggregated('leaf')).toBe(false);
  });

  it('says whether the snapshot has bindings at all', () => {
    expect(index({}).hasBindings).toBe(false);
    expect(index({ roleBindings: [binding('RoleBinding', 'x', { kind: 'Role', name: 'x' }, [], 'ns')] }).hasBindings).toBe(true);
  });
});
