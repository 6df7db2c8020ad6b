// Chooses the cluster source a run reads from. Today that is YAML snapshots (or the
// bundled demo snapshot); the live source plugs in here, behind its own flags.

import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError, type ClusterSource } from '../cluster/source.ts';
import { YamlSource } from '../cluster/yaml-source.ts';
import type { SourceOptions } from './args.ts';
import { UsageError } from './errors.ts';
import { REPO_ROOT } from './pages.ts';

/** `--snapshot demo` names the bundled demo cluster; use `./demo` for a local path of that name. */
export const DEMO_SNAPSHOT = 'demo';
export const DEMO_DIR = join(REPO_ROOT, 'runbooks', 'demo-cluster');
export const DEMO_NAME = 'demo cluster snapshot';

export interface PickedSource {
  source: ClusterSource;
  /** Reads what can be read before any check runs, so bad input is a usage error (exit 2), not a check error. */
  preflight(): Promise<void>;
}

/** The source for these options, or a UsageError saying which flag to pass. */
export function pickSource(options: SourceOptions): PickedSource {
  if (options.snapshots.length === 0) {
    throw new UsageError(
      'No cluster to check. Live clusters (kubeconfig contexts) are coming; for now pass --snapshot PATH ' +
        '(a YAML file or a directory of them), or --snapshot demo for the bundled demo cluster snapshot.',
    );
  }
  const usesDemo = options.snapshots.includes(DEMO_SNAPSHOT);
  // Relative, so recorded results do not carry the local checkout's absolute path.
  const demo = relative(process.cwd(), DEMO_DIR) || '.';
  const paths = options.snapshots.map((p) => (p === DEMO_SNAPSHOT ? demo : p));
  const onlyDemo = options.snapshots.every((p) => p === DEMO_SNAPSHOT);
  const source = new YamlSource([...new Set(paths)], onlyDemo ? DEMO_NAME : undefined);
  return {
    source,
    async preflight() {
      if (usesDemo) await assertDemoPresent();
      await source.load();
    },
  };
}

async function assertDemoPresent(): Promise<void> {
  try {
    if ((await stat(DEMO_DIR)).isDirectory()) return;
  } catch {
    // Reported below with the path this checkout expects.
  }
  throw new InputError(`The bundled demo cluster snapshot is missing from this checkout (expected ${relative(process.cwd(), DEMO_DIR) || DEMO_DIR}/).`);
}
