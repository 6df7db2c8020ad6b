// The `check --with` files: proposed objects, read and validated exactly as a snapshot is, so
// a file that `--snapshot` would refuse is refused here with the same file:line message.

import { InputError } from '../engine/source.ts';
import type { Overlay } from '../engine/what-if.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { SourceLocation } from '../engine/types.ts';
import { displayPath, loadObjects, parseSnapshotText } from './yaml-source.ts';
import { isSecret, withSecretContents, withoutSecretContents } from './secret-contents.ts';

/** The objects in `paths` (files or directories); InputError naming the file and line of each problem. */
export async function loadOverlay(paths: readonly string[], options: { readSecrets?: boolean } = {}): Promise<Overlay> {
  let loaded;
  try {
    // Emptiness is judged below, with a message about --with rather than about snapshots.
    loaded = await loadObjects(paths, { allowEmpty: true });
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`--with: ${error.message}`, { cause: error });
    throw error;
  }
  if (loaded.objects.length === 0)
    throw new InputError(`--with ${paths.map((p) => JSON.stringify(displayPath(p))).join(', ')} holds no Kubernetes objects to apply.`);
  const objects = secretsAsAsked(loaded.objects, loaded.locations, options);
  return { objects, locations: loaded.locations, files: loaded.files.map(displayPath) };
}

/**
 * Proposed objects pasted as text (the page's what-if box), read and validated as a `--with`
 * file is; `name` stands for the file in messages (`name:line: …`).
 */
export function overlayFromText(text: string, name: string, options: { readSecrets?: boolean } = {}): Overlay {
  const parsed = parseSnapshotText(text, name);
  if (parsed.objects.length === 0) throw new InputError(`${name} holds no Kubernetes objects to apply.`);
  const locations = new WeakMap<object, SourceLocation>();
  parsed.objects.forEach((o, i) => locations.set(o, { file: name, line: parsed.lines[i] ?? 1 }));
  return { objects: secretsAsAsked(parsed.objects, locations, options), locations, files: [name] };
}

// Secret payloads are kept only when the user opted in, as for the snapshot itself.
function secretsAsAsked(
  loaded: readonly KubeObject[],
  locations: WeakMap<object, SourceLocation>,
  options: { readSecrets?: boolean },
): KubeObject[] {
  return loaded.map((o) => {
    if (!isSecret(o)) return o;
    const at = locations.get(o);
    const out =
      options.readSecrets === true
        ? withSecretContents(o, (message) => {
            throw new InputError(`--with: ${at === undefined ? '' : `${at.file}:${at.line}: `}${message}`);
          })
        : withoutSecretContents(o);
    if (at !== undefined) locations.set(out, at);
    return out;
  });
}
