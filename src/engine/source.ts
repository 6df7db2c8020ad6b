// The one interface every cluster source implements: read the declared kinds, once.
// Sources offer reads only; there is no way to express a write through them. The engine owns
// this interface and src/cluster implements it (files, a live API server), so the analyzers
// never depend on where the objects came from.

import type { KindId } from '../k8s/kinds.ts';
import type { Snapshot } from './snapshot.ts';
import type { TargetInfo } from './types.ts';
import type { Probes } from './check.ts';

export interface GatherOptions {
  signal: AbortSignal;
  /**
   * The namespace the run reports on. A source may read less because of it (a live
   * source whose user may only list that namespace), but should read everything it can:
   * the runner filters findings, and checks need other namespaces to resolve references.
   */
  namespace?: string;
}

export interface ClusterSource {
  readonly target: TargetInfo;
  /** True for sources backed by a live API server (live-only checks can run). */
  readonly live: boolean;
  /** Reads each of `kinds` once and returns them as one snapshot. */
  gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot>;
  /** Live-only, read-only probes (access reviews, proxied GETs); absent on snapshots. */
  readonly probes?: Probes;
}

/**
 * A source in front of another: the same target, liveness and probes, and a gather of its own
 * (read once for two runs, or with proposed objects or a mesh config file laid over the result).
 */
export abstract class WrappingSource<S extends ClusterSource = ClusterSource> implements ClusterSource {
  constructor(readonly source: S) {}

  get target(): TargetInfo {
    return this.source.target;
  }

  get live(): boolean {
    return this.source.live;
  }

  get probes(): Probes | undefined {
    return this.source.probes;
  }

  abstract gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot>;
}

/** Why a whole source could not be read (as opposed to one kind of it). */
export type SourceProblemReason =
  'not-kubernetes' | 'unreachable' | 'unauthorized' | 'forbidden' | 'timeout' | 'tls' | 'server-error' | 'invalid';

/**
 * The source as a whole cannot be read: the server is not a Kubernetes API server, cannot
 * be reached, or refuses the credentials. Thrown by `gather`; the runner says it once per
 * run and runs no check on it (every check is an error, none passes).
 */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
  readonly reason: SourceProblemReason;
  constructor(reason: SourceProblemReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** A problem with the user's input (file, flag, kubeconfig): reported, never a crash. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
