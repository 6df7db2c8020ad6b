// The wording of an explanation ("why is this blocked?"), once, as indented lines with a tone:
// the terminal joins them (colour optional), the page draws each as a text node. Pure: no Node
// APIs, so the browser bundle uses the same words. Every cluster name passes through printable().

import { printable } from '../engine/display-text.ts';
import type { ConnectionReport, ExplainReport, SideReport } from './explain-query.ts';

export interface ExplainLine {
  depth: number;
  text: string;
  tone: 'plain' | 'allowed' | 'blocked' | 'code';
}

const VERDICT: Record<ExplainReport['verdict'], string> = { allowed: 'ALLOWED', blocked: 'BLOCKED', partial: 'PARTLY BLOCKED' };

// What each reason means for the end it is about (`the source` / `the destination`).
function reasonText(s: SideReport, end: string, direction: 'egress' | 'ingress'): string {
  switch (s.reason) {
    case 'not-isolated':
      return `allowed: no NetworkPolicy selects ${end} for ${direction}, so everything is allowed`;
    case 'allowed-by-rule':
      return `allowed by ${s.allowedBy.map((r) => `rule ${r.rule} of ${r.policy}`).join(', ')}`;
    case 'no-rule-matches':
      return `blocked: ${end} is selected for ${direction} by ${s.policies.join(', ')}, and no rule of ${s.policies.length === 1 ? 'it' : 'them'} matches`;
    case 'not-a-pod':
      return `allowed: ${end} is not a pod (NetworkPolicy governs pods only)`;
    case 'host-network':
      return `allowed: ${end} uses the host network (node traffic, not governed by NetworkPolicy)`;
    case 'same-pod':
      return 'allowed: a pod cannot block access to itself';
    case 'node-local':
      return "allowed: traffic from the destination's own node is always allowed";
  }
}

function sideLines(s: SideReport, direction: 'egress' | 'ingress', depth: number): ExplainLine[] {
  const end = direction === 'egress' ? 'the source' : 'the destination';
  const lines: ExplainLine[] = [
    { depth, text: `${direction} (${end}): ${reasonText(s, end, direction)}`, tone: s.allowed ? 'allowed' : 'blocked' },
  ];
  if (s.allowed || s.reason !== 'no-rule-matches') return lines;
  const withRules = new Set(s.rules.map((r) => r.policy));
  for (const p of s.policies.filter((p) => !withRules.has(p)))
    lines.push({ depth: depth + 1, text: `${p}: no ${direction} rules (it allows nothing, it only isolates)`, tone: 'plain' });
  for (const r of s.rules) {
    const misses = [
      !r.peers && (direction === 'egress' ? 'its peers (to) do not include the destination' : 'its peers (from) do not include the source'),
      !r.ports && 'its ports do not include the port',
    ].filter((x): x is string => typeof x === 'string');
    lines.push({ depth: depth + 1, text: `${r.policy} ${direction} rule ${r.rule}: ${misses.join(', and ')}`, tone: 'plain' });
  }
  if (s.fix !== undefined) {
    lines.push({
      depth: depth + 1,
      text: `The smallest change that allows it: append this rule to ${s.fix.field} of NetworkPolicy ${s.fix.policy}:`,
      tone: 'plain',
    });
    for (const line of s.fix.yaml.trimEnd().split('\n')) lines.push({ depth: depth + 2, text: line, tone: 'code' });
    lines.push({ depth: depth + 1, text: 'or, with kubectl:', tone: 'plain' });
    lines.push({ depth: depth + 2, text: s.fix.kubectl, tone: 'code' });
  }
  return lines;
}

function connectionLines(c: ConnectionReport, depth: number): ExplainLine[] {
  const port = `${c.targetPort.port}/${c.targetPort.protocol}${c.targetPort.name === undefined ? '' : ` (${c.targetPort.name})`}`;
  const lines: ExplainLine[] = [
    {
      depth,
      text: `${c.from.workload} → ${c.to.workload} on target port ${port}: ${c.allowed ? 'allowed' : 'blocked'}`,
      tone: c.allowed ? 'allowed' : 'blocked',
    },
    { depth: depth + 1, text: `pods: ${c.from.pods.join(', ')} → ${c.to.pods.join(', ')}`, tone: 'plain' },
  ];
  // A request through a waypoint is several connections: say which of them drops it.
  const many = c.hops.length > 1;
  c.hops.forEach((hop, i) => {
    const verdict = !many ? '' : hop.allowed ? ': allowed' : ': blocked, the request is dropped here';
    const text = `hop${many ? ` ${i + 1} of ${c.hops.length}` : ''}: ${hop.via}, port ${hop.port}${verdict}`;
    lines.push({ depth: depth + 1, text, tone: !many ? 'plain' : hop.allowed ? 'allowed' : 'blocked' });
    lines.push(...sideLines(hop.egress, 'egress', depth + 2), ...sideLines(hop.ingress, 'ingress', depth + 2));
  });
  return lines;
}

/** The verdict chain as lines: the verdict, then per connection (source class → destination class) each hop's egress and ingress. */
export function explainLines(report: ExplainReport): ExplainLine[] {
  const to = `${report.to.namespace}/${report.to.service}:${report.to.port}/${report.to.protocol}`;
  const lines: ExplainLine[] = [
    {
      depth: 0,
      text: `${report.from.namespace}/${report.from.name} → Service ${to}: ${VERDICT[report.verdict]}`,
      tone: report.verdict === 'allowed' ? 'allowed' : 'blocked',
    },
  ];
  for (const c of report.connections) lines.push(...connectionLines(c, 1));
  for (const u of report.unresolved)
    lines.push({ depth: 1, text: `${u.workload}: not a target of this port (${u.reason})`, tone: 'plain' });
  return lines.map((l) => ({ ...l, text: printable(l.text) }));
}

const COLORS: Record<ExplainLine['tone'], [string, string]> = {
  plain: ['', ''],
  allowed: ['\u001b[32m', '\u001b[39m'],
  blocked: ['\u001b[31m', '\u001b[39m'],
  code: ['\u001b[2m', '\u001b[22m'],
};

/** The explanation as terminal text (two spaces per depth). */
export function renderExplainText(report: ExplainReport, options: { color: boolean }): string {
  return `${explainLines(report)
    .map((l) => {
      const [on, off] = options.color ? COLORS[l.tone] : ['', ''];
      return `${'  '.repeat(l.depth)}${on}${l.text}${off}`;
    })
    .join('\n')}\n`;
}
