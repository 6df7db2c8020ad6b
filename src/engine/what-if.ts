// What-if: the same checks run twice over one gather, without and with proposed objects
// applied, and the findings compared. A pull request that adds or changes a NetworkPolicy
// can then be judged by what it would break or repair, not by the cluster's existing debt.

import type { KindId } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { Check } from './check.ts';
import { runChecks, type RunOptions } from './runner.ts';
import type { Snapshot } from './snapshot.ts';
import type { ClusterSource, GatherOptions } from './source.ts';
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

/** Findings of `after` that `before` does not have (added), and the reverse (fixed), matched by code, resource and message. */
export function compareFindings(before: RunReport, after: RunReport): Pick<WhatIf, 'added' | 'fixed'> {
  const findingsOf = (report: RunReport): Map<string, Finding> =>
    new Map(report.checks.flatMap((c) => c.findings).map((f) => [findingKey(f), f] as const));
  const was = findingsOf(before);
  const is = findingsOf(after);
  return {
    added: [...is].filter(([key]) => !was.has(key)).map(([, f]) => f),
    fixed: [...was].filter(([key]) => !is.has(key)).map(([, f]) => f),
  };
}

function findingKey(f: Finding): string {
  return [f.code, f.resource.kind, f.resource.namespace ?? '', f.resource.name, f.message].join('\u0000');
}

// The source read once for both runs: the cluster does not change between them, and a live
// cluster is not asked twice.
class GatherOnce implements ClusterSource {
  #gathered: Promise<Snapshot> | undefined;

  constructor(readonly source: ClusterSource) {}

  get target(): ClusterSource['target'] {
    return this.source.target;
  }

  get live(): boolean {
    return this.source.live;
  }

  get probes(): ClusterSource['probes'] {
    return this.source.probes;
  }

  gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    // Both runs ask for the same kinds: they run the same checks.
    this.#gathered ??= this.source.gather(kinds, options);
    return this.#gathered;
  }
}

class Overlaid implements ClusterSource {
  constructor(
    readonly source: GatherOnce,
    readonly overlay: Overlay,
  ) {}

  get target(): ClusterSource['target'] {
    return this.source.target;
  }

  get live(): boolean {
    return this.source.live;
  }

  get probes(): ClusterSource['probes'] {
    return this.source.probes;
  }

  async gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    return (await this.source.gather(kinds, options)).overlay(this.overlay.objects, this.overlay.locations);
  }
}
