// The few meshConfig facts the traffic checks need, read the way `istioctl analyze` reads them on a
// live cluster: from the `mesh` key of ConfigMap `istio` in the Istio namespace, laid over Istio's
// defaults. When the ConfigMap is missing or its YAML does not parse, istioctl falls back to the
// defaults, and so do we.

import yaml from 'js-yaml';
import type { ConfigMap } from '../k8s/objects.ts';

/** The namespace Istio installs its control plane in (and reads its root config from) by default. */
export const ISTIO_NAMESPACE = 'istio-system';
export const MESH_CONFIGMAP = 'istio';

/** The `mesh` key of a mesh ConfigMap, parsed once for every reader; each reader decides what a failure means to it. */
export type MeshConfigText =
  /** No ConfigMap, or no `mesh` key: Istio's defaults. */
  | { kind: 'absent' }
  /** The key holds an empty YAML document. */
  | { kind: 'empty' }
  /** The YAML does not parse; `error` is the parser's first line. */
  | { kind: 'invalid'; error: string }
  /** Parses, but to a scalar or a list. */
  | { kind: 'not-a-mapping' }
  | { kind: 'mapping'; mesh: Record<string, unknown> };

/** Parses the `mesh` key of a mesh ConfigMap (`istio`, or `istio-<rev>` for a revision). */
export function readMeshConfig(configMap: ConfigMap | undefined): MeshConfigText {
  return parseConfigMapKey(configMap?.data?.mesh);
}

/**
 * Parses the `meshNetworks` key of the mesh ConfigMap the same way (the multi-network registries
 * and gateways); what a failure means is the reader's call.
 */
export function readMeshNetworks(configMap: ConfigMap | undefined): MeshConfigText {
  return parseConfigMapKey(configMap?.data?.meshNetworks);
}

function parseConfigMapKey(text: string | undefined): MeshConfigText {
  if (text === undefined) return { kind: 'absent' };
  let parsed: unknown;
  try {
    parsed = yaml.load(text);
  } catch (error) {
    return { kind: 'invalid', error: (error as Error).message.split('\n')[0] ?? '' };
  }
  if (parsed === null || parsed === undefined) return { kind: 'empty' };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'not-a-mapping' };
  return { kind: 'mapping', mesh: parsed as Record<string, unknown> };
}

export interface MeshFacts {
  /** Where the facts came from, for evidence. */
  source: string;
  /** meshConfig.defaultConfig.proxyMetadata (empty by default). */
  proxyMetadata: Readonly<Record<string, string>>;
}

const DEFAULTS: MeshFacts = { source: 'Istio defaults', proxyMetadata: {} };

/** Reads meshConfig from the `istio` ConfigMap; the defaults when it is absent or unreadable. */
export function meshFacts(configMap: ConfigMap | undefined): MeshFacts {
  const read = readMeshConfig(configMap);
  const where = `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key mesh`;
  switch (read.kind) {
    case 'absent':
      return DEFAULTS;
    case 'invalid':
      return { ...DEFAULTS, source: `Istio defaults (${where} is not valid YAML)` };
    case 'empty':
      return { ...DEFAULTS, source: where };
    case 'not-a-mapping':
      return { ...DEFAULTS, source: `Istio defaults (${where} is not a mapping)` };
  }
  const defaultConfig = read.mesh.defaultConfig;
  if (defaultConfig === undefined || defaultConfig === null) return { ...DEFAULTS, source: where };
  if (typeof defaultConfig !== 'object' || Array.isArray(defaultConfig))
    return { ...DEFAULTS, source: `Istio defaults (${where}: defaultConfig is not a mapping)` };
  const metadata = (defaultConfig as Record<string, unknown>).proxyMetadata;
  if (metadata === undefined || metadata === null) return { ...DEFAULTS, source: where };
  if (typeof metadata !== 'object' || Array.isArray(metadata))
    return { ...DEFAULTS, source: `Istio defaults (${where}: proxyMetadata is not a mapping)` };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    // proxyMetadata is map<string,string>: istiod rejects the whole meshConfig over a non-string
    // value (e.g. an unquoted true), and istioctl then analyzes with the defaults.
    if (typeof v !== 'string') return { ...DEFAULTS, source: `Istio defaults (${where}: proxyMetadata.${k} is not a string)` };
    out[k] = v;
  }
  return { source: where, proxyMetadata: out };
}

/**
 * True when proxies get ServiceEntry addresses allocated for them: DNS capture on, plus DNS
 * auto-allocation or istiod IP auto-allocation (the rule of istioctl's serviceentry.Analyzer).
 */
export function addressesAutoAllocated(facts: MeshFacts): boolean {
  const md = facts.proxyMetadata;
  if (md.ISTIO_META_DNS_CAPTURE !== 'true') return false;
  return md.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || md.PILOT_ENABLE_IP_AUTOALLOCATE === 'true';
}
