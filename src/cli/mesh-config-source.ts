// `check --mesh-config FILE` / `--mesh-networks FILE`: the run reads meshConfig from a file
// instead of the cluster, as `istioctl analyze --meshConfigFile` does. The file's text is laid
// over ConfigMap istio-system/istio after the gather, so the checks (which all read meshConfig
// from that ConfigMap) need no option of their own, and a finding on the ConfigMap points at
// the file.

import { readFile } from 'node:fs/promises';
import type { KindId } from '../k8s/kinds.ts';
import type { ConfigMap } from '../k8s/objects.ts';
import { InputError, WrappingSource, type ClusterSource, type GatherOptions } from '../engine/source.ts';
import type { Snapshot } from '../engine/snapshot.ts';
import type { SourceLocation } from '../engine/types.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../istio/mesh-config.ts';
import { meshConfigMapWith, meshFileProblem, type MeshFileKind, type MeshOverride } from '../istio/mesh-config-file.ts';
import { displayPath } from '../cluster/yaml-source.ts';

const CONFIGMAP: KindId = 'v1/ConfigMap';

/** The files given for the mesh ConfigMap's keys. */
export interface MeshFiles {
  meshConfig?: string | undefined;
  meshNetworks?: string | undefined;
}

/** Mesh files read and validated: the override, and the file shown for it. */
export interface LoadedMeshFiles {
  override: MeshOverride;
  /** The file findings on the overridden ConfigMap point at (the meshConfig file, else the meshNetworks one). */
  location: SourceLocation;
}

/** Reads and validates the mesh files; InputError naming the file and line of a problem. */
export async function loadMeshFiles(files: MeshFiles): Promise<LoadedMeshFiles | undefined> {
  const override: MeshOverride = {};
  let location: SourceLocation | undefined;
  const read = async (path: string, kind: MeshFileKind, flag: string): Promise<string> => {
    const shown = displayPath(path);
    let text;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new InputError(
        `${flag} ${JSON.stringify(shown)}: cannot read the file (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`,
        {
          cause,
        },
      );
    }
    const problem = meshFileProblem(text, shown, kind);
    if (problem !== undefined) throw new InputError(`${flag}: ${problem}`);
    location ??= { file: shown, line: 1 };
    return text;
  };
  if (files.meshConfig !== undefined) override.mesh = await read(files.meshConfig, 'mesh-config', '--mesh-config');
  if (files.meshNetworks !== undefined) override.meshNetworks = await read(files.meshNetworks, 'mesh-networks', '--mesh-networks');
  return location === undefined ? undefined : { override, location };
}

/** `source` with the mesh ConfigMap's keys replaced by the files' texts in every gather. */
export class MeshConfigSource extends WrappingSource {
  constructor(
    source: ClusterSource,
    readonly files: LoadedMeshFiles,
  ) {
    super(source);
  }

  async gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    const snapshot = await this.source.gather(kinds, options);
    // No check of this run reads ConfigMaps: nothing to replace.
    if (!snapshot.kinds.has(CONFIGMAP)) return snapshot;
    const existing = snapshot.find(CONFIGMAP, ISTIO_NAMESPACE, MESH_CONFIGMAP) as ConfigMap | undefined;
    const replaced = meshConfigMapWith(existing, this.files.override);
    const locations = new WeakMap<object, SourceLocation>([[replaced, this.files.location]]);
    return snapshot.overlay([replaced], locations);
  }
}
