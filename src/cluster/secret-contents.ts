// Secret payloads, read only when the user opts in (`meshbook check --read-secrets`). Both
// sources bring a Secret to one shape: with contents, `data` always exists (base64 values,
// `stringData` merged in as the API server merges it on write, `{}` for an empty Secret);
// without, `data` and `stringData` are gone. So a check can tell "contents were read" from
// "not read" by the presence of `data` alone.

import type { KubeObject } from '../k8s/objects.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** True for a core v1 Secret. */
export function isSecret(obj: { apiVersion: string; kind: string }): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** The Secret with its payload normalized into `data`; `fail` gets a message for a malformed payload. */
export function withSecretContents(obj: KubeObject, fail: (message: string) => never): KubeObject {
  const raw = obj as KubeObject & { data?: unknown; stringData?: unknown };
  const data: Record<string, string> = {};
  for (const field of ['data', 'stringData'] as const) {
    const map = raw[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map))
      fail(`Secret ${obj.metadata.name}: ${field} must be a mapping, found ${Array.isArray(map) ? 'a list' : typeof map}.`);
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
      // A value's content is never quoted in the message: it is key material.
      if (typeof v !== 'string')
        fail(`Secret ${obj.metadata.name}: ${field}.${k} must be a string, found ${v === null ? 'null' : typeof v}.`);
      data[k] = field === 'data' ? (v as string) : Buffer.from(v as string, 'utf8').toString('base64');
    }
  }
  const { stringData: _plain, ...rest } = raw;
  return { ...rest, data } as KubeObject;
}

/** The Secret without its payload (and without the annotation `kubectl apply` copies it into). */
export function withoutSecretContents(obj: KubeObject): KubeObject {
  const { data: _data, stringData: _plain, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
  const annotations = obj.metadata.annotations;
  if (annotations === undefined || !(LAST_APPLIED in annotations)) return rest as KubeObject;
  const { [LAST_APPLIED]: _payload, ...kept } = annotations;
  return { ...rest, metadata: { ...obj.metadata, annotations: kept } } as KubeObject;
}
