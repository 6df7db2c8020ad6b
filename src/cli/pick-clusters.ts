// Chooses the clusters a run reads: one (whatever pickSource picks), or several named ones —
// kubeconfig contexts, each read read-only like a one-cluster live run, or named snapshots.

import type { FleetCluster } from '../engine/fleet.ts';
import { UsageError } from './errors.ts';
import { pickSource, type PickedSource } from './pick-source.ts';
import type { ClusterOption, SourceOptions } from './args.ts';

export interface PickedClusters {
  /** One entry, named '', for a one-cluster run; else each cluster by its name, in the order given. */
  clusters: FleetCluster[];
  /** The first cluster's source: the only one in a one-cluster run. */
  source: FleetCluster['source'];
  /** Every cluster's preflight (bad input in any of them is a usage error before anything runs). */
  preflight(): Promise<void>;
  close(): void;
}

/** The clusters for these options: pickSource's one, or one source per named cluster. */
export function pickClusters(options: SourceOptions, env: Readonly<Record<string, string | undefined>> = process.env): PickedClusters {
  const named = options.clusters ?? [];
  const picked: { name: string; picked: PickedSource }[] =
    named.length === 0
      ? [{ name: '', picked: pickSource(options, env) }]
      : named.map((c) => ({ name: c.name, picked: pickSource(clusterOptions(options, c), env) }));
  return {
    clusters: picked.map((p) => ({ name: p.name, source: p.picked.source })),
    source: picked[0]!.picked.source,
    preflight: async () => {
      // One at a time: a kubeconfig exec plugin may prompt, and the first bad input is the one reported.
      for (const p of picked) {
        try {
          await p.picked.preflight();
        } catch (error) {
          if (p.name !== '' && error instanceof Error) error.message = `cluster ${p.name}: ${error.message}`;
          throw error;
        }
      }
    },
    close: () => {
      for (const p of picked) p.picked.close();
    },
  };
}

// One named cluster's options: the shared flags (--kubeconfig, --read-secrets, --allow-empty) with its own source.
function clusterOptions(options: SourceOptions, cluster: ClusterOption): SourceOptions {
  const { clusters: _all, context: _context, snapshots: _snapshots, ...shared } = options;
  return 'context' in cluster ? { ...shared, snapshots: [], context: cluster.context } : { ...shared, snapshots: cluster.snapshots };
}

/**
 * A directory name for a cluster's snapshot (`meshbook snapshot` over several clusters): the
 * name, with characters a path cannot safely hold (a context such as `arn:aws:eks:…/prod`) as `_`.
 */
export function clusterDirName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (safe === '' || safe === '.' || safe === '..') throw new UsageError(`Cluster name ${JSON.stringify(name)} cannot name a directory.`);
  return safe;
}
