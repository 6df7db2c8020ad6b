// The input policies compiled once, grouped by namespace and by name, and which of them select a
// pod class (only those of its namespace are tested). Identical ipBlocks share an id, so pod
// classes record their membership once. Namespace labels carry kubernetes.io/metadata.name even
// where a snapshot omits it or the Namespace object is missing.

import type { Namespace, NetworkPolicy } from '../../k8s/objects.ts';
import { matchesSelector } from '../../k8s/selectors.ts';
import type { Cidr } from '../../k8s/cidr.ts';
import { compilePolicy, type CompiledBlock, type CompiledPolicy } from './compile-policy.ts';
import type { ClassState } from './pod-classes.ts';
import type { PolicyProblem, PolicyRef } from './types.ts';

/** The label the API server sets on every namespace (immutable, value = the name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface PolicyState {
  compiled: CompiledPolicy;
  /** The index classes the policy selects. */
  selected: ClassState[];
}

export const policyKey = (ref: PolicyRef): string => `${ref.namespace}/${ref.name}`;

function byName(a: CompiledPolicy, b: CompiledPolicy): number {
  return a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0;
}

function cidrKey(c: Cidr): string {
  return `${c.family}:${c.base.toString(16)}/${c.prefix}`;
}

export class PolicyTable {
  /** Every distinct ipBlock, by id. */
  readonly blocks: CompiledBlock[] = [];
  readonly byNamespace = new Map<string, PolicyState[]>();
  readonly byKey = new Map<string, PolicyState>();
  /** How many peers were compiled (peer ids are 0..peerCount-1). */
  peerCount = 0;
  readonly #namespaceLabels = new Map<string, Readonly<Record<string, string>>>();

  constructor(policies: readonly NetworkPolicy[], namespaces: readonly Namespace[], problems: PolicyProblem[]) {
    for (const ns of namespaces) {
      this.#namespaceLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name });
    }
    const blockIds = new Map<string, CompiledBlock>();
    const ids = {
      nextPeerId: () => this.peerCount++,
      block: (cidr: Cidr, except: Cidr[]): CompiledBlock => {
        const key = [cidrKey(cidr), ...except.map(cidrKey).sort()].join(' ');
        let block = blockIds.get(key);
        if (block === undefined) {
          block = { id: this.blocks.length, cidr, except };
          this.blocks.push(block);
          blockIds.set(key, block);
        }
        return block;
      },
    };
    for (const policy of policies) {
      const state: PolicyState = { compiled: compilePolicy(policy, ids, problems), selected: [] };
      const list = this.byNamespace.get(state.compiled.namespace) ?? [];
      list.push(state);
      this.byNamespace.set(state.compiled.namespace, list);
      if (!this.byKey.has(policyKey(state.compiled.ref))) this.byKey.set(policyKey(state.compiled.ref), state);
    }
  }

  /** A namespace's labels, with the automatic name label. */
  labelsOfNamespace(name: string): Readonly<Record<string, string>> {
    let labels = this.#namespaceLabels.get(name);
    if (labels === undefined) {
      labels = { [NAMESPACE_NAME_LABEL]: name };
      this.#namespaceLabels.set(name, labels);
    }
    return labels;
  }

  /** Records which policies select a class (`record`: also in the policies' own lists, for index classes). */
  attach(cls: ClassState, record: boolean): void {
    if (cls.hostNetwork) return; // node traffic: not isolated by NetworkPolicy (docs/netpol.md)
    for (const state of this.byNamespace.get(cls.namespace) ?? []) {
      const p = state.compiled;
      if (!p.usable || !matchesSelector(p.podSelector, cls.labels)) continue;
      if (record) state.selected.push(cls);
      if (p.ingress !== undefined) cls.ingressPolicies.push(p);
      if (p.egress !== undefined) cls.egressPolicies.push(p);
    }
    cls.ingressPolicies.sort(byName);
    cls.egressPolicies.sort(byName);
  }
}
