// Sweeps evaluate millions of connections: verdicts that carry nothing of the connection are
// shared, frozen constants — one per (direction, reason) when open, one per isolating set when
// denied — a class's isolating policies are one frozen list per direction, and two shared
// verdicts make one shared evaluation. Never mutate a verdict.

import type { CompiledPolicy } from './compile-policy.ts';
import type { ClassState } from './pod-classes.ts';
import type { Direction, Evaluation, PolicyRef, Verdict } from './types.ts';

/** The empty list shared by verdicts that name no policy or rule (frozen). */
export const NONE = Object.freeze([]) as unknown as never[];

export class VerdictCache {
  readonly #open: Record<Direction, Map<Verdict['reason'], Verdict>> = { ingress: new Map(), egress: new Map() };
  readonly #isolatingRefs: Record<Direction, (PolicyRef[] | undefined)[]> = { ingress: [], egress: [] };
  readonly #isolationKeys: Record<Direction, (string | undefined)[]> = { ingress: [], egress: [] };
  readonly #denied = new Map<string, Verdict>();
  readonly #pairs = new Map<Verdict, Map<Verdict, Evaluation>>();

  /** An allowing verdict; shared unless it names isolating policies. */
  open(direction: Direction, reason: Verdict['reason'], isolatedBy: PolicyRef[] = NONE): Verdict {
    if (isolatedBy.length > 0) return { direction, allowed: true, isolated: true, reason, isolatedBy, allowedBy: NONE };
    let verdict = this.#open[direction].get(reason);
    if (verdict === undefined) {
      verdict = Object.freeze({ direction, allowed: true, isolated: false, reason, isolatedBy, allowedBy: NONE }) as Verdict;
      this.#open[direction].set(reason, verdict);
    }
    return verdict;
  }

  /** The refs of a class's isolating policies (frozen, once per index class). */
  refsOf(cls: ClassState, direction: Direction, applying: readonly CompiledPolicy[]): PolicyRef[] {
    return cls.id < 0
      ? applying.map((p) => p.ref)
      : (this.#isolatingRefs[direction][cls.id] ??= Object.freeze(applying.map((p) => p.ref)) as PolicyRef[]);
  }

  /** A denial says only which policies isolate the end: one frozen verdict per isolating set. */
  denied(direction: Direction, cls: ClassState, isolatedBy: PolicyRef[]): Verdict {
    if (cls.id < 0) return { direction, allowed: false, isolated: true, reason: 'no-rule-matches', isolatedBy, allowedBy: NONE };
    const key = (this.#isolationKeys[direction][cls.id] ??= `${direction}|${isolatedBy.map((r) => `${r.namespace}/${r.name}`).join(',')}`);
    let verdict = this.#denied.get(key);
    if (verdict === undefined) {
      verdict = Object.freeze({
        direction,
        allowed: false,
        isolated: true,
        reason: 'no-rule-matches',
        isolatedBy,
        allowedBy: NONE,
      }) as Verdict;
      this.#denied.set(key, verdict);
    }
    return verdict;
  }

  /** The evaluation of two verdicts; shared when both are (at most one per pair of isolating sets). */
  combine(egress: Verdict, ingress: Verdict): Evaluation {
    if (!Object.isFrozen(egress) || !Object.isFrozen(ingress)) return { allowed: egress.allowed && ingress.allowed, ingress, egress };
    let byIngress = this.#pairs.get(egress);
    if (byIngress === undefined) {
      byIngress = new Map();
      this.#pairs.set(egress, byIngress);
    }
    let evaluation = byIngress.get(ingress);
    if (evaluation === undefined) {
      evaluation = Object.freeze({ allowed: egress.allowed && ingress.allowed, ingress, egress });
      byIngress.set(ingress, evaluation);
    }
    return evaluation;
  }
}
