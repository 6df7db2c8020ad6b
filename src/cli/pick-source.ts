// Chooses the cluster source a run reads from: YAML snapshots (or the bundled demo
// snapshot) with --snapshot, else a live cluster — the kubeconfig's current context, or the
// one --context / --kubeconfig name.

import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError, type ClusterSource, type GatherOptions } from '../engine/source.ts';
import { YamlSource } from '../cluster/yaml-source.ts';
// Types only: the live source (and client-node) is loaded when a live run needs it, so
// `--snapshot` runs start without it.
import type { LiveSource, LiveGatherOptions, LiveSnapshot, LiveSourceOptions } from '../cluster/live-source.ts';
import type { KubeconfigSelection } from '../cluster/kubeconfig.ts';
import type { KindId } from '../k8s/kinds.ts';
import type { TargetInfo } from '../engine/types.ts';
import type { Probes } from '../engine/check.ts';
import type { SourceOptions } from './args.ts';
import { REPO_ROOT } from '../site/pages.ts';
import { DEMO_NAME, DEMO_RELATIVE_DIR } from '../cluster/demo.ts';

/** `--snapshot demo` names the bundled demo cluster; use `./demo` for a local path of that name. */
export const DEMO_SNAPSHOT = 'demo';
export const DEMO_DIR = join(REPO_ROOT, DEMO_RELATIVE_DIR);
export { DEMO_NAME };

export interface PickedSource {
  source: ClusterSource;
  /** Reads what can be read before any check runs, so bad input is a usage error (exit 2), not a check error. */
  preflight(): Promise<void>;
  /** Releases connections (live sources); safe to call more than once. */
  close(): void;
}

/**
 * The source for these options, or a UsageError saying which flag to pass. Without
 * --snapshot it is the live cluster; `env` supplies KUBECONFIG (defaults to process.env).
 */
export function pickSource(options: SourceOptions, env: Readonly<Record<string, string | undefined>> = process.env): PickedSource {
  if (options.snapshots.length === 0) {
    const selection: KubeconfigSelection = { env };
    if (options.kubeconfig !== undefined) selection.kubeconfig = options.kubeconfig;
    if (options.context !== undefined) selection.context = options.context;
    const source = new DeferredLiveSource(selection, { readSecrets: options.readSecrets === true });
    return {
      source,
      // A broken kubeconfig or an unknown context is an input error (exit 2). An unreachable
      // server is not found here: the run goes on and every check reports the precise reason.
      preflight: async () => void (await source.open()),
      close: () => source.close(),
    };
  }
  const usesDemo = options.snapshots.includes(DEMO_SNAPSHOT);
  // Relative, so recorded results do not carry the local checkout's absolute path.
  const demo = relative(process.cwd(), DEMO_DIR) || '.';
  const paths = options.snapshots.map((p) => (p === DEMO_SNAPSHOT ? demo : p));
  const onlyDemo = options.snapshots.every((p) => p === DEMO_SNAPSHOT);
  const source = new YamlSource([...new Set(paths)], onlyDemo ? DEMO_NAME : undefined, {
    readSecrets: options.readSecrets === true,
    allowEmpty: options.allowEmpty === true,
  });
  return {
    source,
    async preflight() {
      if (usesDemo) await assertDemoPresent();
      await source.load();
    },
    close() {},
  };
}

/**
 * A LiveSource opened on first use: resolving the kubeconfig is async (files, exec plugins
 * are not run yet), and pickSource stays synchronous. Until it is open, the target names
 * what was asked for.
 */
export class DeferredLiveSource implements ClusterSource {
  readonly live = true;
  #source: LiveSource | undefined;
  #opening: Promise<LiveSource> | undefined;

  constructor(
    readonly selection: KubeconfigSelection,
    /** LiveSource options chosen by flags (only `readSecrets` today). */
    readonly options: Pick<LiveSourceOptions, 'readSecrets'> = {},
  ) {}

  get target(): TargetInfo {
    return this.#source?.target ?? { type: 'live', name: this.selection.context ?? 'current kubeconfig context' };
  }

  /** The live source's probes, once open (the CLI opens it in preflight, before any check runs). */
  get probes(): Probes | undefined {
    return this.#source?.probes;
  }

  /** Resolves the kubeconfig selection (InputError when it cannot be used). */
  open(): Promise<LiveSource> {
    this.#opening ??= import('../cluster/live-source.ts')
      .then(({ LiveSource }) => LiveSource.open(this.selection, this.options))
      .then((s) => (this.#source = s));
    return this.#opening;
  }

  async gather(kinds: readonly KindId[], options: GatherOptions & Pick<LiveGatherOptions, 'refresh'>): Promise<LiveSnapshot> {
    return (await this.open()).gather(kinds, options);
  }

  close(): void {
    this.#source?.close();
  }
}

async function assertDemoPresent(): Promise<void> {
  try {
    if ((await stat(DEMO_DIR)).isDirectory()) return;
  } catch {
    // Reported below with the path this checkout expects.
  }
  throw new InputError(
    `The bundled demo cluster snapshot is missing from this checkout (expected ${relative(process.cwd(), DEMO_DIR) || DEMO_DIR}/).`,
  );
}
