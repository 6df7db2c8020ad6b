// "Why is this blocked?": the verdict chain of one connection, hop by hop, as data (renderers and
// the CLI format it). For each hop the data plane makes, each direction says which policies
// select that end (the source for egress, the destination for ingress), the rules that allow the
// connection, or for each rule of those policies whether its peers or its ports miss, and the
// smallest change that would let it through.

import type { Service } from '../k8s/objects.ts';
import type { NetworkModel } from './network-model.ts';
import { suggestFixes } from './netpol/suggest-fix.ts';
import type {
  Direction,
  Endpoint,
  PodClass,
  PolicyRef,
  PortQuery,
  RuleCheck,
  RuleRef,
  SuggestedFix,
  VerdictReason,
} from './netpol/types.ts';
import type { DataPlaneMode, HopPurpose } from './data-plane.ts';

export interface SideExplanation {
  direction: Direction;
  allowed: boolean;
  reason: VerdictReason;
  /** The policies that select this end for the direction (none: not isolated). */
  policies: PolicyRef[];
  /** The rules that allow the connection. */
  allowedBy: RuleRef[];
  /** Every rule of those policies, with the condition it misses (a rule allowing it has both true). */
  rules: RuleCheck[];
  /** When denied: one rule to append to one of the policies (the one selecting the fewest pods). */
  fix?: SuggestedFix;
}

export interface HopExplanation {
  /** The hop's own source when it is not the connection's (a waypoint forwarding the request). */
  from?: Endpoint;
  to: Endpoint;
  port: PortQuery;
  via: string;
  allowed: boolean;
  egress: SideExplanation;
  ingress: SideExplanation;
}

export interface Explanation {
  /** Whether every hop gets through. */
  allowed: boolean;
  hops: HopExplanation[];
}

/** The verdict chain of `source` opening a connection to `destination`'s pods on `port` (the port addressed there: a targetPort or a control port). */
export function explain(
  net: NetworkModel,
  source: Endpoint,
  destination: PodClass,
  port: PortQuery,
  purpose: HopPurpose = 'service',
  service?: Service,
): Explanation {
  const hops = net.hops({ from: modeOf(net, source), to: destination, port, purpose }, service).map((hop): HopExplanation => {
    const from = hop.from?.endpoint ?? source;
    const evaluation = net.index.evaluate(from, hop.to, hop.port);
    const fixes = evaluation.allowed ? [] : suggestFixes(net.index, from, hop.to, hop.port, evaluation);
    const side = (direction: Direction): SideExplanation => {
      const verdict = evaluation[direction];
      const fix = fixes.find((f) => f.direction === direction);
      return {
        direction,
        allowed: verdict.allowed,
        reason: verdict.reason,
        policies: [...verdict.isolatedBy],
        allowedBy: [...verdict.allowedBy],
        rules: verdict.isolated ? net.index.ruleChecks(from, hop.to, hop.port, direction) : [],
        ...(fix === undefined ? {} : { fix }),
      };
    };
    return {
      ...(hop.from === undefined ? {} : { from: hop.from.endpoint }),
      to: hop.to,
      port: hop.port,
      via: hop.via,
      allowed: evaluation.allowed,
      egress: side('egress'),
      ingress: side('ingress'),
    };
  });
  return { allowed: hops.every((h) => h.allowed), hops };
}

function modeOf(net: NetworkModel, source: Endpoint): DataPlaneMode | 'outside' {
  switch (source.kind) {
    case 'class':
      return net.dataPlaneOf(source.podClass);
    case 'pod':
      return net.dataPlaneOf(net.index.classOf(source.pod));
    default:
      return 'outside';
  }
}
