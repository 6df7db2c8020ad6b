// A meshConfig (or meshNetworks) given as a file, the way `istioctl analyze --meshConfigFile`
// takes one: it stands in for the `mesh` (or `meshNetworks`) key of ConfigMap `istio`, so every
// check that reads meshConfig from that ConfigMap sees the file's text without knowing where it
// came from.

import yaml from 'js-yaml';
import type { ConfigMap } from '../k8s/objects.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from './mesh-config.ts';

/** The ConfigMap keys istiod reads meshConfig and meshNetworks from. */
export const MESH_KEY = 'mesh';
export const MESH_NETWORKS_KEY = 'meshNetworks';

export type MeshFileKind = 'mesh-config' | 'mesh-networks';

/**
 * Why a mesh file cannot stand in for its ConfigMap key (`file:line: reason`), or undefined when
 * it can. Only what every reader relies on is checked: YAML that parses to a mapping (an empty
 * file is Istio's defaults), with mapping-valued sections where Istio's schema has maps.
 */
export function meshFileProblem(text: string, file: string, kind: MeshFileKind): string | undefined {
  let parsed: unknown;
  try {
    parsed = yaml.load(text, { filename: file });
  } catch (cause) {
    const mark = (cause as { mark?: { line?: number } }).mark;
    const reason = (cause as { reason?: string }).reason ?? String(cause);
    return `${file}:${(mark?.line ?? 0) + 1}: invalid YAML: ${reason}`;
  }
  if (parsed === null || parsed === undefined) return undefined;
  const what = kind === 'mesh-config' ? 'a MeshConfig' : 'a MeshNetworks';
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    return `${file}:1: expected ${what} (a YAML mapping), found ${Array.isArray(parsed) ? 'a list' : typeof parsed}.`;
  const sections = kind === 'mesh-config' ? ['defaultConfig'] : ['networks'];
  for (const key of sections) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      return `${file}:${lineOfKey(text, key)}: ${key} must be a mapping, found ${Array.isArray(value) ? 'a list' : typeof value}.`;
  }
  return undefined;
}

/** The 1-based line of a top-level `key:` in YAML text (1 when it cannot be found). */
function lineOfKey(text: string, key: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`"${key}":`));
  return i === -1 ? 1 : i + 1;
}

/** Replacement texts for the keys of the mesh ConfigMap. */
export interface MeshOverride {
  mesh?: string;
  meshNetworks?: string;
}

/**
 * ConfigMap `istio` as it would read with `override` applied: the given keys replaced, the other
 * keys kept (`existing` is the cluster's ConfigMap, if it has one).
 */
export function meshConfigMapWith(existing: ConfigMap | undefined, override: MeshOverride): ConfigMap {
  const data: Record<string, string> = { ...existing?.data };
  if (override.mesh !== undefined) data[MESH_KEY] = override.mesh;
  if (override.meshNetworks !== undefined) data[MESH_NETWORKS_KEY] = override.meshNetworks;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    ...existing,
    metadata: { ...existing?.metadata, name: MESH_CONFIGMAP, namespace: ISTIO_NAMESPACE },
    data,
  };
}
