// Differential test against an implementation we did not write: the cases Cyclonus
// (github.com/mattfenwick/cyclonus) generates — about 230 policies and policy sequences over
// namespaces x, y, z with pods a, b, c serving ports 80 and 81 on TCP, UDP and SCTP — and, for
// each probe, the verdict of Cyclonus's own policy matcher. tools/cyclonus-cases/build.sh writes
// them to JSON; every probe goes through our evaluator and must agree, direction by direction,
// except the differences listed in KNOWN_DIFFERENCES with their reason.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'astro/zod';
import { describe, expect, it } from 'vitest';
import type { Namespace, NetworkPolicy, Pod } from '../../src/k8s/objects.ts';
import { buildNetpolIndex, type Evaluation, type Protocol } from '../../src/reachability/netpol/index.ts';

const CYCLONUS_VERSION = 'v0.5.6';
const JSON_PATH =
  process.env.CYCLONUS_CASES_JSON ??
  join(process.env.MESHBOOK_CACHE ?? join(homedir(), '.cache', 'meshbook'), 'cyclonus-cases', CYCLONUS_VERSION, 'cases.json');

// The generator emits Kubernetes objects as the API types serialize them; only their outline is
// checked here, the evaluator reads the rest.
const kubeObject = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null && 'metadata' in v);
const casesSchema = z.object({
  generator: z.string(),
  cases: z.array(
    z.object({
      description: z.string(),
      tags: z.array(z.string()),
      steps: z.array(
        z.object({
          namespaces: z.array(kubeObject<Namespace>()),
          pods: z.array(kubeObject<Pod>()),
          policies: z.array(kubeObject<NetworkPolicy>()).nullable(),
          unserved: z.number(),
          // [from "ns/pod", to "ns/pod", protocol, port, port name, egress allowed, ingress allowed]
          verdicts: z.array(
            z.tuple([z.string(), z.string(), z.enum(['TCP', 'UDP', 'SCTP']), z.number(), z.string(), z.boolean(), z.boolean()]),
          ),
        }),
      ),
    }),
  ),
});
type CyclonusCases = z.infer<typeof casesSchema>;
type Probe = CyclonusCases['cases'][number]['steps'][number]['verdicts'][number];

interface Difference {
  /** Why we answer differently; printed with each probe it covers. */
  reason: string;
  /** Whether this probe, with our evaluation, is an instance of the difference. */
  covers: (probe: Probe, ours: Evaluation) => boolean;
}

// Each entry is a deliberate choice, documented in docs/netpol.md; anything else is a bug.
const KNOWN_DIFFERENCES: Difference[] = [
  {
    // Cyclonus's matcher applies policies to a pod's traffic to itself; the concept page says "a
    // pod cannot block access to itself", which is what CNIs do (Cyclonus has --ignore-loopback
    // because its own probes see it). Ours answers same-pod, allowed in both directions.
    reason: 'loopback: a pod cannot block access to itself',
    covers: ([from, to], ours) => from === to && ours.ingress.reason === 'same-pod' && ours.egress.reason === 'same-pod',
  },
];

function loadCases(): CyclonusCases | undefined {
  if (!existsSync(JSON_PATH)) return undefined;
  return casesSchema.parse(JSON.parse(readFileSync(JSON_PATH, 'utf8')));
}

const data = loadCases();
const missing = `no Cyclonus cases at ${JSON_PATH}: run tools/cyclonus-cases/build.sh (or set CYCLONUS_CASES_JSON)`;
if (data === undefined) console.warn(`cyclonus: skipped, ${missing}`);

interface Mismatch {
  where: string;
  probe: Probe;
  ours: { egress: boolean; ingress: boolean };
  known?: string;
}

function compare(cases: CyclonusCases): { total: number; agree: number; mismatches: Mismatch[]; steps: number } {
  let total = 0;
  let agree = 0;
  let steps = 0;
  const mismatches: Mismatch[] = [];
  cases.cases.forEach((c, caseIndex) => {
    c.steps.forEach((step, stepIndex) => {
      steps++;
      const index = buildNetpolIndex({ namespaces: step.namespaces, pods: step.pods, policies: step.policies ?? [] });
      expect(index.problems, `case ${caseIndex} ${c.description}: policies the API server would reject`).toEqual([]);
      const pods = new Map(step.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
      const podNamed = (ref: string): Pod => {
        const found = pods.get(ref);
        if (found === undefined) throw new Error(`case ${caseIndex}: probe names ${ref}, which is not among the step's pods`);
        return found;
      };
      for (const probe of step.verdicts) {
        const [from, to, protocol, port, name, egress, ingress] = probe;
        const ours = index.evaluate(
          { kind: 'pod', pod: podNamed(from) },
          { kind: 'pod', pod: podNamed(to) },
          { protocol: protocol as Protocol, port, name },
        );
        total++;
        if (ours.egress.allowed === egress && ours.ingress.allowed === ingress) {
          agree++;
          continue;
        }
        const known = KNOWN_DIFFERENCES.find((d) => d.covers(probe, ours));
        mismatches.push({
          where: `case ${caseIndex} "${c.description}" step ${stepIndex}`,
          probe,
          ours: { egress: ours.egress.allowed, ingress: ours.ingress.allowed },
          ...(known ? { known: known.reason } : {}),
        });
      }
    });
  });
  return { total, agree, mismatches, steps };
}

describe.skipIf(data === undefined)(
  `NetworkPolicy verdicts agree with Cyclonus ${CYCLONUS_VERSION}${data === undefined ? ` (skipped: ${missing})` : ''}`,
  () => {
    const cases = data!;

    it('reads the cases of the expected Cyclonus version', () => {
      expect(cases.generator).toBe(`github.com/mattfenwick/cyclonus@${CYCLONUS_VERSION}`);
      // The generator's full list; a much smaller one means the tool dropped cases.
      expect(cases.cases.length).toBeGreaterThanOrEqual(200);
    });

    it('agrees on every probe except the known differences', () => {
      const { total, agree, mismatches, steps } = compare(cases);
      const byReason = new Map<string, number>();
      for (const m of mismatches) byReason.set(m.known ?? 'UNEXPECTED', (byReason.get(m.known ?? 'UNEXPECTED') ?? 0) + 1);
      const lines = [`cyclonus: ${agree} of ${total} verdicts agree over ${cases.cases.length} cases (${steps} probe steps)`];
      for (const [reason, n] of byReason) lines.push(`  ${n} differ: ${reason}`);
      console.log(lines.join('\n'));

      const unexpected = mismatches.filter((m) => m.known === undefined);
      const show = unexpected.slice(0, 20).map((m) => {
        const [from, to, protocol, port, name, egress, ingress] = m.probe;
        return `${m.where}: ${from} -> ${to} ${protocol}/${port} (${name}): cyclonus egress=${egress} ingress=${ingress}, ours egress=${m.ours.egress} ingress=${m.ours.ingress}`;
      });
      expect(show, `${unexpected.length} unexplained differences`).toEqual([]);
      // Every listed difference must still occur, so the list cannot outlive its reason.
      for (const d of KNOWN_DIFFERENCES) expect([...byReason.keys()], `known difference never seen: ${d.reason}`).toContain(d.reason);
    });
  },
);
