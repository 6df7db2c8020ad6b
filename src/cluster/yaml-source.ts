// The snapshot source: objects from YAML files or directories of them, as `kubectl apply -f`
// would read them (multi-document files, `kind: List`, `---` separators). No defaulting,
// no invented objects: a snapshot is reported as it is.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, extname } from 'node:path';
import yaml from 'js-yaml';
import { KIND_IDS, kindIdOf, type KindId } from './kinds.ts';
import { Snapshot } from './snapshot.ts';
import { InputError, type ClusterSource, type GatherOptions } from './source.ts';
import { manifestProblems } from './snapshot-files.ts';
import { isSecret, withSecretContents, withoutSecretContents } from './secret-contents.ts';
import type { KubeObject } from '../engine/k8s-types.ts';
import type { SourceLocation, TargetInfo } from '../engine/types.ts';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadedObjects {
  objects: KubeObject[];
  locations: WeakMap<object, SourceLocation>;
  files: string[];
}

/** Expands files and directories (recursively) into the YAML files they name, sorted. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (cause) {
      throw new InputError(`Snapshot path ${JSON.stringify(path)} does not exist or cannot be read.`, { cause });
    }
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((e) => e.isFile() && YAML_EXTENSIONS.has(extname(e.name)))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      if (found.length === 0) throw new InputError(`Snapshot directory ${JSON.stringify(path)} holds no .yaml, .yml or .json files.`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return files;
}

/** Parses one file's text into objects, with the line each object starts on. */
export function parseSnapshotText(text: string, file: string, strings: StringPool = new StringPool()): { objects: KubeObject[]; lines: number[] } {
  const objects: KubeObject[] = [];
  const lines: number[] = [];
  // Split on document markers ourselves so each object keeps its starting line.
  const docs = splitDocuments(text);
  for (const doc of docs) {
    let value: unknown;
    try {
      value = yaml.load(doc.text, { filename: file });
    } catch (cause) {
      const mark = (cause as { mark?: { line?: number } }).mark;
      const line = doc.line + (mark?.line ?? 0);
      const reason = (cause as { reason?: string }).reason ?? String(cause);
      throw new InputError(`${file}:${line}: invalid YAML: ${reason}`, { cause });
    }
    if (value === null || value === undefined) continue;
    collect(compact(value, strings, new Map()), file, doc.line, objects, lines);
  }
  return { objects, lines };
}

/**
 * One copy of each distinct string a load reads. js-yaml returns substrings of the document's
 * text, and V8 keeps a long substring as a view of its parent: without this, every parsed
 * document would keep its whole source text alive. An object pool's keys are V8's internalized
 * strings: stand-alone copies, one per distinct value (namespaces, labels, images repeat a lot).
 */
export class StringPool {
  readonly #pool: Record<string, string> = Object.create(null) as Record<string, string>;

  intern(s: string): string {
    const known = this.#pool[s];
    if (known !== undefined) return known;
    this.#pool[s] = s;
    // The key, not `s`: storing it made an internalized copy, which is what the pool returns.
    return this.#pool[s] ?? s;
  }
}

// The parsed value with its strings pooled and its arrays exactly sized (a pushed-to array keeps
// spare capacity). Plain objects are updated in place; anything else js-yaml builds (Date, binary
// data) is left as it is. `seen` keeps aliases (`*anchor`) pointing at one value, as js-yaml made them.
function compact(value: unknown, strings: StringPool, seen: Map<object, unknown>): unknown {
  if (typeof value === 'string') return strings.intern(value);
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = compact(value[i], strings, seen);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  seen.set(value, value);
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (typeof v !== 'object' && typeof v !== 'string') continue;
    const next = compact(v, strings, seen);
    if (next === v) continue;
    // `__proto__` is an own data property here (js-yaml defines it so): assigning would set the prototype.
    if (key === '__proto__') Object.defineProperty(rec, key, { value: next, writable: true, enumerable: true, configurable: true });
    else rec[key] = next;
  }
  return value;
}

function collect(value: unknown, file: string, line: number, objects: KubeObject[], lines: number[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${file}:${line}: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found ${Array.isArray(value) ? 'a list' : typeof value}.`);
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    for (const item of obj.items) collect(item, file, line, objects, lines);
    return;
  }
  const where = `${file}:${line}`;
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') throw new InputError(`${where}: object has no apiVersion.`);
  if (typeof obj.kind !== 'string' || obj.kind === '') throw new InputError(`${where}: object has no kind.`);
  const meta = obj.metadata;
  if (typeof meta !== 'object' || meta === null || typeof (meta as { name?: unknown }).name !== 'string') {
    throw new InputError(`${where}: ${obj.kind} has no metadata.name.`);
  }
  const ns = (meta as { namespace?: unknown }).namespace;
  if (ns !== undefined && typeof ns !== 'string') throw new InputError(`${where}: ${obj.kind} metadata.namespace must be a string.`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = (meta as Record<string, unknown>)[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) throw new InputError(`${where}: ${obj.kind} metadata.${field} must be a mapping.`);
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') throw new InputError(`${where}: ${obj.kind} metadata.${field}.${k} must be a string, found ${JSON.stringify(v)}.`);
    }
  }
  objects.push(obj as KubeObject);
  lines.push(line);
}

function splitDocuments(text: string): { text: string; line: number }[] {
  // Without \r, each document is a plain slice of the text: no array of lines to split and join.
  if (!text.includes('\r')) return sliceDocuments(text);
  const docs: { text: string; line: number }[] = [];
  const src = text.split(/\r?\n/);
  let start = 0;
  for (let i = 0; i <= src.length; i++) {
    const l = src[i];
    if (i === src.length || (l !== undefined && /^---(\s|$)/.test(l))) {
      if (i > start || i === src.length) {
        // Pad with blank lines so YAML error marks stay relative to the document start.
        docs.push({ text: src.slice(start, i).join('\n'), line: start + 1 });
      }
      start = i + 1;
    }
  }
  return docs;
}

// splitDocuments for text whose lines all end in \n: the same documents, found with indexOf.
function sliceDocuments(text: string): { text: string; line: number }[] {
  const docs: { text: string; line: number }[] = [];
  let startLine = 0; // the current document's first line (0-based) and where it starts
  let startAt = 0;
  for (let line = 0, at = 0; ; line++) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    if (end - at >= 3 && text.startsWith('---', at) && (end === at + 3 || /\s/.test(text.charAt(at + 3)))) {
      if (line > startLine) docs.push({ text: text.slice(startAt, at - 1), line: startLine + 1 });
      startLine = line + 1;
      startAt = end + 1;
    }
    if (nl === -1) break;
    at = nl + 1;
  }
  docs.push({ text: text.slice(startAt), line: startLine + 1 });
  return docs;
}

/** Reads and validates every object in `paths`. */
export async function loadObjects(paths: readonly string[]): Promise<LoadedObjects> {
  const files = await expandPaths(paths);
  const objects: KubeObject[] = [];
  const locations = new WeakMap<object, SourceLocation>();
  const strings = new StringPool();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new InputError(`Cannot read snapshot file ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
    }
    const display = relative(process.cwd(), file) || file;
    const parsed = parseSnapshotText(text, display, strings);
    parsed.objects.forEach((obj, i) => {
      objects.push(obj);
      locations.set(obj, { file: display, line: parsed.lines[i] ?? 1 });
    });
  }
  return { objects, locations, files };
}

/** A source over YAML files; parses them once, then serves any number of gathers. */
export interface YamlSourceOptions {
  /** Keep Secret payloads (`data`, `stringData`): only for `--read-secrets`. Default: dropped on load. */
  readSecrets?: boolean;
}

export class YamlSource implements ClusterSource {
  readonly live = false;
  readonly target: TargetInfo;
  readonly readSecrets: boolean;
  #loaded: Promise<LoadedObjects> | undefined;

  constructor(readonly paths: readonly string[], name?: string, options: YamlSourceOptions = {}) {
    this.target = { type: 'snapshot', name: name ?? paths.join(', '), paths: [...paths] };
    this.readSecrets = options.readSecrets === true;
  }

  /** Parses the files now, so input errors surface before any check runs. */
  load(): Promise<LoadedObjects> {
    // A malformed snapshot manifest is an input error too, reported before any check runs.
    this.#loaded ??= loadObjects(this.paths)
      .then((l) => this.#secrets(l))
      .then((l) => (manifestProblems(l.objects, (o) => locationText(l.locations, o)), l));
    return this.#loaded;
  }

  // A snapshot file may hold Secret payloads; they are read only when the user opted in.
  #secrets(loaded: LoadedObjects): LoadedObjects {
    const objects = loaded.objects.map((o) => {
      if (!isSecret(o)) return o;
      const where = locationText(loaded.locations, o);
      const out = this.readSecrets
        ? withSecretContents(o, (message) => {
            throw new InputError(`${where}: ${message}`);
          })
        : withoutSecretContents(o);
      const at = loaded.locations.get(o);
      if (at !== undefined) loaded.locations.set(out, at);
      return out;
    });
    return { ...loaded, objects };
  }

  async gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    const loaded = await this.load();
    options.signal.throwIfAborted();
    // A directory written by `meshbook snapshot` records the kinds it could not read: they stay problems.
    const wanted = new Set(kinds);
    const problems = manifestProblems(loaded.objects, (o) => locationText(loaded.locations, o)).filter((p) => wanted.has(p.kind));
    const held = kinds.filter((k) => !problems.some((p) => p.kind === k && p.reason !== 'not-installed'));
    // The whole file set is read regardless of options.namespace; the runner filters findings.
    return new Snapshot(loaded.objects, { kinds: held, problems, locations: loaded.locations });
  }
}

/** Every kind present in a set of objects (for reporting what a snapshot holds). */
export function kindsIn(objects: readonly KubeObject[]): KindId[] {
  const seen = new Set<KindId>();
  for (const o of objects) {
    const id = kindIdOf(o.apiVersion, o.kind);
    if (id !== undefined) seen.add(id);
  }
  return KIND_IDS.filter((id) => seen.has(id));
}

function locationText(locations: WeakMap<object, SourceLocation>, o: object): string {
  const at = locations.get(o);
  return at === undefined ? 'snapshot manifest' : `${at.file}:${at.line}`;
}
