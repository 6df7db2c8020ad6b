// What-if: the same checks run twice over one gather, without and with proposed objects
// applied, and the findings compared. A pull request that adds or changes a NetworkPolicy
// can then be judged by what it would break or repair, not by the cluster's existing debt.

import type { KindId } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { Check } from './check.ts';
import { runChecks, type RunOptions } from './runner.ts';
import type { Snapshot } from './snapshot.ts';
import { WrappingSource, type ClusterSource, type GatherOptions } from './source.ts';
import type { Finding, RunReport, SourceLocation, WhatIf } from './types.ts';

/** Proposed objects, as read from the `--with` files. */
export interface Overlay {
  objects: readonly KubeObject[];
  locations: WeakMap<object, SourceLocation>;
  /** The files read, as shown to the user. */
  files: readonly string[];
}

/** Runs `checks` without and with `overlay`; the report is the run with it, carrying `whatIf`. */
export async function runWhatIf(
  checks: readonly Check[],
  source: ClusterSource,
  overlay: Overlay,
  options: RunOptions = {},
): Promise<RunReport> {
  const once = new GatherOnce(source);
  // Progress events describe the run the user sees: the one with the change.
  const { onEvent: _quiet, ...withoutEvents } = options;
  const before = await runChecks(checks, once, withoutEvents);
  const after = await runChecks(checks, new Overlaid(once, overlay), options);
  return { ...after, whatIf: { ...compareFindings(before, after), files: [...overlay.files] } };
}

/**
 * Findings of `after` that `before` does not have (added), and the reverse (fixed). Findings match
 * by code, resource and message first; what is left matches by code and resource alone, so a
 * finding whose message only changed (a policy now blocks 10 workloads, not 11) is neither added
 * nor fixed: the problem is still there, and the change did not introduce it.
 */
export function compareFindings(before: RunReport, after: RunReport): Pick<WhatIf, 'added' | 'fixed'> {
  const all = (report: RunReport): Finding[] => report.checks.flatMap((c) => c.findings);
  let [added, fixed] = unmatched(all(after), all(before), exactKey);
  [added, fixed] = unmatched(added, fixed, resourceKey);
  return { added, fixed };
}

/** The findings of `a` and of `b` left once each is paired with one of the other side by `key` (a multiset difference). */
function unmatched(a: readonly Finding[], b: readonly Finding[], key: (f: Finding) => string): [Finding[], Finding[]] {
  const counts = new Map<string, number>();
  for (const f of b) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  const onlyA: Finding[] = [];
  for (const f of a) {
    const n = counts.get(key(f)) ?? 0;
    if (n > 0) counts.set(key(f), n - 1);
    else onlyA.push(f);
  }
  const onlyB: Finding[] = [];
  for (const f of [...b].reverse()) {
    const n = counts.get(key(f)) ?? 0;
    if (n > 0) {
      counts.set(key(f), n - 1);
      onlyB.push(f);
    }
  }
  return [onlyA, onlyB.reverse()];
}

function resourceKey(f: Finding): string {
  return [f.code, f.resource.kind, f.resource.namespace ?? '', f.resource.name].join('\u0000');
}

function exactKey(f: Finding): string {
  return [resourceKey(f), f.message].join('\u0000');
}

// The source read once for both runs: the cluster does not change between them, and a live
// cluster is not asked twice.
class GatherOnce extends WrappingSource {
  #gathered: Promise<Snapshot> | undefined;

  gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    // Both runs ask for the same kinds: they run the same checks.
    this.#gathered ??= this.source.gather(kinds, options);
    return this.#gathered;
  }
}

class Overlaid extends WrappingSource<GatherOnce> {
  constructor(
    source: GatherOnce,
    readonly overlay: Overlay,
  ) {
    super(source);
  }

  async gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    return (await this.source.gather(kinds, options)).overlay(this.overlay.objects, this.overlay.locations);
  }
}
