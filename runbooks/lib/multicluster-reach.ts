// NetworkPolicy questions of the multi-cluster checks, asked of one cluster's evaluator: may a
// source outside the cluster reach these pods on a port, may these pods reach those. Each answer
// groups the denials by the policy that would have to change, with the rule that fixes it.

import { standInAddresses } from '../../src/mesh/api-server.ts';
import type { NetworkPolicy } from '../../src/k8s/objects.ts';
import { suggestFixes, type Endpoint, type NetpolIndex, type PolicyRef, type SuggestedFix } from '../../src/reachability/netpol/index.ts';

/** Denials that one policy would have to let through: what was denied, and the first fix found. */
export interface PolicyDenials {
  policy: PolicyRef;
  what: string[];
  fix?: SuggestedFix;
}

/** Collects denials per policy (the first isolating policy of the denied direction, as suggestFixes picks). */
export class DenialsByPolicy {
  readonly #groups = new Map<string, PolicyDenials>();

  add(index: NetpolIndex, src: Endpoint, dst: Endpoint, port: number, what: string, direction: 'ingress' | 'egress'): boolean {
    const evaluation = index.evaluate(src, dst, { port });
    const verdict = direction === 'ingress' ? evaluation.ingress : evaluation.egress;
    if (verdict.allowed) return false;
    const fix = suggestFixes(index, src, dst, { port }, evaluation).find((f) => f.direction === direction);
    const policy = fix?.policy ?? verdict.isolatedBy[0]!;
    const key = `${policy.namespace}/${policy.name}`;
    const group = this.#groups.get(key) ?? { policy, what: [] };
    if (!group.what.includes(what)) group.what.push(what);
    if (group.fix === undefined && fix !== undefined) group.fix = fix;
    this.#groups.set(key, group);
    return true;
  }

  get groups(): PolicyDenials[] {
    return [...this.#groups.values()];
  }
}

/** Sources outside the pod network a policy could admit: one address per ipBlock it names, and one outside all. */
export function outsideSources(policies: readonly NetworkPolicy[]): Endpoint[] {
  return standInAddresses(policies).map((ip) => ({ kind: 'ip', ip }) as const);
}

/** Whether some source outside the cluster may reach `dst` on `port` (ingress only: the sender is not a pod here). */
export function admitsOutside(index: NetpolIndex, policies: readonly NetworkPolicy[], dst: Endpoint, port: number): boolean {
  return outsideSources(policies).some((src) => index.evaluate(src, dst, { port }).ingress.allowed);
}

/** A fix in words, for a template's `rule` param: which list of which policy gets which rule, and the command. */
export function fixRule(fix: SuggestedFix | undefined): string {
  if (fix === undefined) return 'allow it in one of the policies listed';
  return `append ${JSON.stringify(fix.rule)} to spec.${fix.direction} of NetworkPolicy ${fix.policy.namespace}/${fix.policy.name} — \`kubectl -n ${fix.policy.namespace} patch networkpolicy ${fix.policy.name} --type=json -p '${JSON.stringify(fix.patch)}'\``;
}
