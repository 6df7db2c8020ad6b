// A group's fix in words: the rule as one line of JSON, the kubectl command, and the sentence a
// finding's remediation quotes.

import yaml from 'js-yaml';
import { MAX_FIX_PEERS, type GroupFix } from './group-fix.ts';

/** A fix's rules as compact one-line JSON, for evidence: the rule itself when there is one. */
export function ruleText(fix: GroupFix): string {
  return JSON.stringify(fix.rules.length === 1 ? fix.rules[0] : fix.rules);
}

/** The kubectl command that applies a group's fix. */
export function patchCommand(fix: GroupFix): string {
  return `kubectl -n ${fix.policy.namespace} patch networkpolicy ${fix.policy.name} --type=json -p '${JSON.stringify(fix.patch)}'`;
}

/** A remediation sentence for a fix: which list of which policy gets which rules, and the command. */
export function fixSentence(fix: GroupFix): string {
  const more = fix.omitted > 0 ? ` (naming the first ${MAX_FIX_PEERS} peers; ${fix.omitted} more need the same)` : '';
  const what = fix.rules.length === 1 ? 'this rule' : `these ${fix.rules.length} rules`;
  return `append ${what} to spec.${fix.direction} of NetworkPolicy ${fix.policy.namespace}/${fix.policy.name}${more}: ${ruleText(fix)} — \`${patchCommand(fix)}\``;
}

/**
 * A NetworkPolicy of its own that applies a fix: the same pods as the policy to change, the fix's
 * rules as its only rules. NetworkPolicies add up, so applying it opens exactly what the fix
 * opens without editing a policy someone else may own (ambient's 15008 is the usual case). One
 * line of flow YAML, for a finding's remediation; `kubectl apply -f -` takes it.
 */
export function companionPolicyYaml(fix: GroupFix, podSelector: unknown, name: string): string {
  const list = fix.direction === 'ingress' ? 'ingress' : 'egress';
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: fix.policy.namespace },
    spec: { podSelector: podSelector ?? {}, policyTypes: [list === 'ingress' ? 'Ingress' : 'Egress'], [list]: fix.rules },
  };
  return yaml.dump(policy, { flowLevel: 0, lineWidth: -1, noRefs: true }).trim();
}
