// The telemetry providers of a mesh, as istiod builds them from the `mesh` key of the `istio`
// ConfigMap (pkg/config/mesh ApplyMeshConfig): the user's extensionProviders laid over Istio's
// built-in three by name. Fields may be spelt with their JSON or proto name, the JSON one winning
// when both are given, except defaultProviders: istiod re-reads it under that name only, so
// `default_providers` is dropped. An invalid provider only makes istiod warn; a mesh config that
// does not parse, or gives a field the wrong type, leaves istioctl on the defaults, as here.

import type { ConfigMap } from '../k8s/objects.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from './mesh-config.ts';

export interface MeshProviders {
  /** Where the providers came from, for evidence. */
  source: string;
  /** Every extension provider by name, with the kind of provider it is (`prometheus`, `lightstep`, …). */
  extensionProviders: ReadonlyMap<string, string>;
  /** meshConfig.defaultProviders.accessLogging (empty by default). */
  defaultAccessLogging: readonly string[];
}

/** The extension providers every mesh has before its config adds any (mesh.DefaultMeshConfig). */
const BUILT_IN: readonly (readonly [string, string])[] = [
  ['prometheus', 'prometheus'],
  ['stackdriver', 'stackdriver'],
  ['envoy', 'envoyFileAccessLog'],
];

const defaults = (source: string): MeshProviders => ({ source, extensionProviders: new Map(BUILT_IN), defaultAccessLogging: [] });

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (v: unknown): boolean => v !== null && v !== undefined;

/** Reads the telemetry providers from the mesh ConfigMap; Istio's defaults when it is absent or would be rejected. */
export function meshProviders(configMap: ConfigMap | undefined): MeshProviders {
  const where = `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key mesh`;
  const read = readMeshConfig(configMap);
  switch (read.kind) {
    case 'absent':
      return defaults('Istio defaults');
    case 'empty':
      return defaults(where);
    case 'invalid':
      return defaults(`Istio defaults (${where} is not valid YAML)`);
    case 'not-a-mapping':
      return defaults(`Istio defaults (${where} is not a mapping)`);
  }
  const rejected = (why: string): MeshProviders => defaults(`Istio defaults (${where}: ${why})`);
  const mesh = read.mesh;
  const listed = pick(mesh, 'extensionProviders', 'extension_providers') ?? [];
  if (!Array.isArray(listed)) return rejected('extensionProviders is not a list');
  const providers = new Map(BUILT_IN);
  for (const entry of listed) {
    if (!isMapping(entry)) return rejected('an extension provider is not a mapping');
    const name = entry.name ?? '';
    if (typeof name !== 'string') return rejected('an extension provider name is not a string');
    // Unknown keys are ignored by istiod, so only the Lightstep one is looked for by name.
    const kind = given(entry.lightstep) ? 'lightstep' : (Object.keys(entry).find((k) => k !== 'name' && given(entry[k])) ?? '');
    // A provider named like an earlier one (a built-in included) takes its place.
    providers.set(name, kind);
  }
  const defaultProviders = mesh.defaultProviders ?? {};
  if (!isMapping(defaultProviders)) return rejected('defaultProviders is not a mapping');
  const accessLogging = pick(defaultProviders, 'accessLogging', 'access_logging') ?? [];
  if (!Array.isArray(accessLogging) || !accessLogging.every((p) => typeof p === 'string'))
    return rejected('defaultProviders.accessLogging is not a list of names');
  return { source: where, extensionProviders: providers, defaultAccessLogging: accessLogging as string[] };
}

// A field under its JSON name, else its proto name (absent and null count as not given).
function pick(object: Record<string, unknown>, json: string, proto: string): unknown {
  return given(object[json]) ? object[json] : given(object[proto]) ? object[proto] : undefined;
}

/** Names of the providers of one kind (`lightstep`), sorted. */
export function providersOfKind(providers: MeshProviders, kind: string): string[] {
  return [...providers.extensionProviders]
    .filter(([, k]) => k === kind)
    .map(([name]) => name)
    .sort();
}
