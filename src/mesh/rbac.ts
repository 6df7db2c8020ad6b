// Kubernetes RBAC evaluated statically over a snapshot: would the authorizer allow this identity
// this verb on this resource? Follows the RBAC authorizer (pkg/registry/rbac/validation/rule.go
// and pkg/apis/rbac/v1/evaluation_helpers.go): a request is allowed when any rule of any role
// bound to the user or one of its groups matches it; ClusterRoleBindings grant everywhere,
// RoleBindings only in their namespace. Aggregated ClusterRoles contribute the rules of every
// ClusterRole their selectors match, as the aggregation controller would write them.

import type { ClusterRole, LabelSelector, PolicyRule, RoleBinding, Subject } from '../k8s/objects.ts';
import { matchesSelector } from '../k8s/selectors.ts';
import { fullName, namespaceOf } from '../k8s/names.ts';

export interface RbacInput {
  clusterRoles: readonly ClusterRole[];
  clusterRoleBindings: readonly RoleBinding[];
  roles: readonly ClusterRole[];
  roleBindings: readonly RoleBinding[];
}

/** Who is asking: a user name and the groups the authenticator adds. */
export interface Identity {
  user: string;
  groups: readonly string[];
  /** For a ServiceAccount: its namespace and name (ServiceAccount subjects match on these). */
  serviceAccount?: { namespace: string; name: string };
}

/** The identity the API server gives a ServiceAccount's token. */
export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    serviceAccount: { namespace, name },
  };
}

/** A resource request without a name (list, watch, create) or for any name (get). */
export interface ResourceRequest {
  verb: string;
  /** API group, '' for the core group. */
  group: string;
  /** Plural resource name, e.g. `endpointslices`. */
  resource: string;
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** A role bound to an identity, with the rules it grants (aggregated rules included). */
export interface BoundRole {
  binding: ObjectRef;
  role: ObjectRef;
  /** Cluster-wide for ClusterRoleBindings, else the RoleBinding's namespace. */
  scope: { cluster: true } | { cluster: false; namespace: string };
  /** Undefined when the role the binding refers to is not in the snapshot. */
  rules: readonly PolicyRule[] | undefined;
  /** ClusterRoles whose rules this role aggregates (besides its own). */
  aggregatedFrom: readonly string[];
}

/** Where a request is allowed from: the binding, the role and the index of the rule. */
export interface Grant {
  bound: BoundRole;
  rule: number;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether one rule allows an unnamed request (VerbMatches, APIGroupMatches, ResourceMatches; resourceNames limit it to named requests). */
export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
  const verbs = strings(rule?.verbs);
  const groups = strings(rule?.apiGroups);
  const resources = strings(rule?.resources);
  if (!verbs.includes('*') && !verbs.includes(request.verb)) return false;
  if (!groups.includes('*') && !groups.includes(request.group)) return false;
  if (!resources.includes('*') && !resources.includes(request.resource)) return false;
  // A rule with resourceNames only allows requests for those names: never list/watch of all, never create.
  return strings(rule?.resourceNames).length === 0;
}

/** Whether a binding subject is this identity (appliesToUser). ServiceAccount subjects default to the RoleBinding's namespace. */
export function subjectMatches(subject: Subject, identity: Identity, bindingNamespace: string): boolean {
  switch (subject?.kind) {
    case 'User':
      return subject.name === identity.user;
    case 'Group':
      return typeof subject.name === 'string' && identity.groups.includes(subject.name);
    case 'ServiceAccount': {
      const sa = identity.serviceAccount;
      if (sa === undefined) return false;
      const ns = subject.namespace !== undefined && subject.namespace !== '' ? subject.namespace : bindingNamespace;
      return subject.name === sa.name && ns === sa.namespace;
    }
    default:
      return false;
  }
}

/** The label selectors of a ClusterRole's aggregationRule, validated (an unreadable rule aggregates nothing). */
function aggregationSelectors(role: ClusterRole): LabelSelector[] {
  const rule = role.aggregationRule as { clusterRoleSelectors?: unknown } | undefined;
  if (rule === undefined || rule === null || typeof rule !== 'object' || !Array.isArray(rule.clusterRoleSelectors)) return [];
  return rule.clusterRoleSelectors.filter((s): s is LabelSelector => s !== null && typeof s === 'object' && !Array.isArray(s));
}

/** The RBAC state of a snapshot, indexed for "may this identity do this?". */
export class RbacIndex {
  readonly #clusterRoles = new Map<string, ClusterRole>();
  readonly #roles = new Map<string, ClusterRole>();
  readonly #input: RbacInput;
  readonly #aggregated = new Map<string, { rules: PolicyRule[]; from: string[] }>();

  constructor(input: RbacInput) {
    this.#input = input;
    for (const r of input.clusterRoles) this.#clusterRoles.set(r.metadata.name, r);
    for (const r of input.roles) this.#roles.set(fullName(r), r);
  }

  /** Whether a ClusterRole is aggregated: the aggregation controller rewrites its rules, so edits to them do not last. */
  isAggregated(name: string): boolean {
    const role = this.#clusterRoles.get(name);
    return role !== undefined && aggregationSelectors(role).length > 0;
  }

  /** Whether a ClusterRole of this name is in the snapshot. */
  hasClusterRole(name: string): boolean {
    return this.#clusterRoles.has(name);
  }

  /** Whether the snapshot holds any binding at all (a snapshot taken without RBAC kinds has none). */
  get hasBindings(): boolean {
    return this.#input.clusterRoleBindings.length > 0 || this.#input.roleBindings.length > 0;
  }

  /** A ClusterRole's effective rules: its own plus, when aggregated, those of every ClusterRole its selectors match (transitively). */
  clusterRoleRules(name: string): { rules: PolicyRule[]; from: string[] } | undefined {
    const cached = this.#aggregated.get(name);
    if (cached !== undefined) return cached;
    const role = this.#clusterRoles.get(name);
    if (role === undefined) return undefined;
    const rules: PolicyRule[] = [];
    const from: string[] = [];
    const seen = new Set<string>();
    const visit = (r: ClusterRole): void => {
      if (seen.has(r.metadata.name)) return;
      seen.add(r.metadata.name);
      if (r !== role) from.push(r.metadata.name);
      rules.push(...(Array.isArray(r.rules) ? r.rules : []));
      const selectors = aggregationSelectors(r);
      if (selectors.length === 0) return;
      for (const other of this.#input.clusterRoles) {
        if (other === r) continue;
        if (selectors.some((s) => matchesSelector(s, other.metadata.labels))) visit(other);
      }
    };
    visit(role);
    const result = { rules, from: from.sort() };
    this.#aggregated.set(name, result);
    return result;
  }

  /** Every role bound to the identity, with its scope and rules. */
  boundRoles(identity: Identity): BoundRole[] {
    const out: BoundRole[] = [];
    for (const b of this.#input.clusterRoleBindings) {
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, identity, ''))) continue;
      const name = b.roleRef?.name ?? '';
      // A ClusterRoleBinding can only refer to a ClusterRole.
      const resolved =
        b.roleRef?.kind === 'ClusterRole' && (b.roleRef.apiGroup ?? RBAC_GROUP) === RBAC_GROUP ? this.clusterRoleRules(name) : undefined;
      out.push({
        binding: { kind: 'ClusterRoleBinding', name: b.metadata.name },
        role: { kind: b.roleRef?.kind ?? 'ClusterRole', name },
        scope: { cluster: true },
        rules: resolved?.rules,
        aggregatedFrom: resolved?.from ?? [],
      });
    }
    for (const b of this.#input.roleBindings) {
      const ns = namespaceOf(b);
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, identity, ns))) continue;
      const name = b.roleRef?.name ?? '';
      const kind = b.roleRef?.kind;
      let rules: PolicyRule[] | undefined;
      let from: string[] = [];
      if (kind === 'ClusterRole') {
        const resolved = this.clusterRoleRules(name);
        rules = resolved?.rules;
        from = resolved?.from ?? [];
      } else if (kind === 'Role') {
        const role = this.#roles.get(`${ns}/${name}`);
        rules = role === undefined ? undefined : Array.isArray(role.rules) ? role.rules : [];
      }
      out.push({
        binding: { kind: 'RoleBinding', namespace: ns, name: b.metadata.name },
        role: kind === 'Role' ? { kind: 'Role', namespace: ns, name } : { kind: kind ?? 'ClusterRole', name },
        scope: { cluster: false, namespace: ns },
        rules,
        aggregatedFrom: from,
      });
    }
    return out;
  }

  /**
   * Where a request is allowed for the identity. With `namespace` undefined the request is
   * cluster-wide (list/watch across all namespaces, or a cluster-scoped resource): only
   * ClusterRoleBindings count. With a namespace, RoleBindings in it count too.
   */
  grants(
    identity: Identity,
    request: ResourceRequest,
    namespace?: string,
    bound: readonly BoundRole[] = this.boundRoles(identity),
  ): Grant[] {
    const out: Grant[] = [];
    for (const b of bound) {
      if (!b.scope.cluster && b.scope.namespace !== namespace) continue;
      (b.rules ?? []).forEach((rule, i) => {
        if (ruleAllows(rule, request)) out.push({ bound: b, rule: i });
      });
    }
    return out;
  }

  /** Namespaces where a RoleBinding (and only a RoleBinding) grants the request: partial, namespace-limited access. */
  namespacedOnly(identity: Identity, request: ResourceRequest, bound: readonly BoundRole[] = this.boundRoles(identity)): string[] {
    const namespaces = new Set<string>();
    for (const b of bound) {
      if (b.scope.cluster) continue;
      if ((b.rules ?? []).some((rule) => ruleAllows(rule, request))) namespaces.add(b.scope.namespace);
    }
    return [...namespaces].sort();
  }
}
