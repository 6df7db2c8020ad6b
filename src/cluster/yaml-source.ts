// The snapshot source: objects from YAML files or directories of them, as `kubectl apply -f`
// would read them (multi-document files, `kind: List`, `---` separators). No defaulting,
// no invented objects: a snapshot is reported as it is.

import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, extname, isAbsolute, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import { KIND_IDS, kindIdOf, type KindId } from '../k8s/kinds.ts';
import { Snapshot } from '../engine/snapshot.ts';
import { InputError, type ClusterSource, type GatherOptions } from '../engine/source.ts';
import { manifestProblems } from './snapshot-files.ts';
import { isSecret, withSecretContents, withoutSecretContents } from './secret-contents.ts';
import { describeValue, validateObject } from './validate-object.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { SourceLocation, TargetInfo } from '../engine/types.ts';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The largest file a snapshot may hold: far above real snapshots, so a wrong path (a disk image, a log) fails at once. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** How many problems one input error lists before it counts the rest. */
export const MAX_LISTED_PROBLEMS = 20;
/**
 * How many nodes one YAML document may expand to through aliases (`*anchor`) beyond its own size:
 * a few nested aliases (billion laughs) expand to billions of nodes that every reader, writer and
 * check would walk. Real manifests use aliases for a shared label block, nowhere near this.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

export interface LoadedObjects {
  objects: KubeObject[];
  locations: WeakMap<object, SourceLocation>;
  files: string[];
}

export interface LoadOptions {
  /** Refuse files larger than this many bytes (default MAX_FILE_BYTES). */
  maxFileBytes?: number;
  /** A path that holds no objects is an empty cluster rather than an input error (`--allow-empty`). */
  allowEmpty?: boolean;
}

/** A path as every snapshot message shows it: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const absolute = resolve(path);
  const rel = relative(process.cwd(), absolute);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? absolute : rel;
}

/** The problems found while reading a snapshot, thrown together as one InputError. */
class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  throwIfAny(): void {
    const n = this.list.length;
    if (n === 0) return;
    if (n === 1) throw new InputError(this.list[0]!);
    const shown = this.list.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${p}`);
    if (n > MAX_LISTED_PROBLEMS) shown.push(`  … and ${n - MAX_LISTED_PROBLEMS} more.`);
    throw new InputError(`the snapshot has ${n} problems:\n${shown.join('\n')}`);
  }
}

/** Expands files and directories (recursively, following symbolic links) into the YAML files they name, sorted. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const problems = new Problems();
  const files = (await expandEach(paths, problems)).flatMap((e) => e.files);
  problems.throwIfAny();
  return files;
}

interface Expanded {
  path: string;
  directory: boolean;
  files: string[];
}

async function expandEach(paths: readonly string[], problems: Problems): Promise<Expanded[]> {
  const out: Expanded[] = [];
  for (const path of paths) {
    const shown = displayPath(path);
    let info;
    try {
      info = await stat(path);
    } catch (cause) {
      problems.add(`Snapshot path ${JSON.stringify(shown)} does not exist or cannot be read (${errorCode(cause)}).`);
      continue;
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      await walk(path, new Set([await realOrSame(path)]), found, problems);
      found.sort();
      if (found.length === 0) problems.add(`Snapshot directory ${JSON.stringify(shown)} holds no .yaml, .yml or .json files.`);
      out.push({ path, directory: true, files: found });
    } else if (info.isFile()) {
      out.push({ path, directory: false, files: [path] });
    } else {
      // Reading a FIFO waits for a writer forever, and a device never ends.
      problems.add(`Snapshot path ${JSON.stringify(shown)} is ${fileType(info)}, not a regular file or directory.`);
    }
  }
  return out;
}

// Every YAML file under `dir`. Symbolic links are followed (a directory once: `seen` holds real
// paths, so a link back up the tree ends); a link that leads nowhere, or to something that is not
// a file, is reported when its name says it is YAML: never skipped without a word.
async function walk(dir: string, seen: Set<string>, found: string[], problems: Problems): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    problems.add(`Cannot read snapshot directory ${JSON.stringify(displayPath(dir))} (${errorCode(cause)}).`);
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    const yamlName = YAML_EXTENSIONS.has(extname(e.name));
    if (e.isDirectory()) {
      // Held by real path too: a link elsewhere in the tree to this directory must not read it twice.
      const real = await realOrSame(path);
      if (seen.has(real)) continue;
      seen.add(real);
      await walk(path, seen, found, problems);
      continue;
    }
    if (e.isFile()) {
      if (yamlName) found.push(path);
      continue;
    }
    if (!e.isSymbolicLink()) {
      if (yamlName) problems.add(`${displayPath(path)}: is ${fileType(e)}, not a regular file.`);
      continue;
    }
    let target;
    try {
      target = await stat(path);
    } catch (cause) {
      if (yamlName) problems.add(`${displayPath(path)}: is a symbolic link that cannot be followed (${errorCode(cause)}).`);
      continue;
    }
    if (target.isDirectory()) {
      const real = await realOrSame(path);
      if (seen.has(real)) continue;
      seen.add(real);
      await walk(path, seen, found, problems);
    } else if (target.isFile()) {
      if (yamlName) found.push(path);
    } else if (yamlName) {
      problems.add(`${displayPath(path)}: is a symbolic link to ${fileType(target)}, not a regular file.`);
    }
  }
}

function realOrSame(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

function fileType(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function errorCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
}

/** Parses one file's text into objects, with the line each object starts on. */
export function parseSnapshotText(
  text: string,
  file: string,
  strings: StringPool = new StringPool(),
): { objects: KubeObject[]; lines: number[] } {
  const problems = new Problems();
  const parsed = parseInto(text, file, strings, problems);
  problems.throwIfAny();
  return parsed;
}

// parseSnapshotText, collecting every problem of the file instead of stopping at the first.
function parseInto(text: string, file: string, strings: StringPool, problems: Problems): { objects: KubeObject[]; lines: number[] } {
  const objects: KubeObject[] = [];
  const lines: number[] = [];
  // Split on document markers ourselves so each object keeps its starting line.
  const docs = splitDocuments(text);
  // Aliases need an anchor (`&a`) and a reference (`*a`): without both characters there are none to measure.
  const mayAlias = text.includes('&') && text.includes('*');
  for (const doc of docs) {
    let value: unknown;
    try {
      value = yaml.load(doc.text, { filename: file });
    } catch (cause) {
      const mark = (cause as { mark?: { line?: number } }).mark;
      const line = doc.line + (mark?.line ?? 0);
      const reason = (cause as { reason?: string }).reason ?? String(cause);
      problems.add(`${file}:${line}: invalid YAML: ${reason}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (mayAlias) {
      const problem = aliasProblem(value);
      if (problem !== undefined) {
        problems.add(`${file}:${doc.line}: ${problem}`);
        continue;
      }
    }
    collect(compact(value, strings, new Map()), file, doc.line, objects, lines, problems);
  }
  return { objects, lines };
}

// Whether a document's aliases expand it too far, or make it contain itself. Counts the nodes a
// walk that follows every alias would visit, computing each shared node's size once.
function aliasProblem(root: unknown): string | undefined {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  let unique = 0;
  let cyclic = false;
  const size = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) {
      // Reached only from a node walked for the first time: a scalar of the document's own text.
      unique++;
      return 1;
    }
    const known = sizes.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) {
      cyclic = true;
      return Infinity;
    }
    open.add(value);
    unique++;
    let n = 1;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      n += size(child);
      // Past the bound already: no need to walk (possibly billions of) further nodes.
      if (!Number.isFinite(n) || n > MAX_ALIAS_EXPANSION + unique * 10) break;
    }
    open.delete(value);
    sizes.set(value, n);
    return n;
  };
  const total = size(root);
  if (cyclic) return 'a YAML alias refers to a node that contains it (the document would be infinite).';
  // A document without shared nodes is its own size, whatever that is; only expansion is bounded.
  if (total > MAX_ALIAS_EXPANSION + unique * 10) {
    return `YAML aliases expand this document to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes (an alias bomb?); write the repeated parts out instead.`;
  }
  return undefined;
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

function collect(value: unknown, file: string, line: number, objects: KubeObject[], lines: number[], problems: Problems): void {
  const where = `${file}:${line}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(
      `${where}: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found ${Array.isArray(value) ? 'a list' : typeof value}.`,
    );
    return;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && obj.items !== undefined) {
    if (!Array.isArray(obj.items)) {
      problems.add(`${where}: ${obj.kind} items must be a list, found ${describeValue(obj.items)}.`);
      return;
    }
    for (const item of obj.items) collect(item, file, line, objects, lines, problems);
    return;
  }
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') return problems.add(`${where}: object has no apiVersion.`);
  if (typeof obj.kind !== 'string' || obj.kind === '') return problems.add(`${where}: object has no kind.`);
  const meta = obj.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta) || typeof (meta as { name?: unknown }).name !== 'string') {
    return problems.add(`${where}: ${obj.kind} has no metadata.name.`);
  }
  const ns = (meta as { namespace?: unknown }).namespace;
  if (ns !== undefined && typeof ns !== 'string')
    return problems.add(`${where}: ${obj.kind} metadata.namespace must be a string, found ${describeValue(ns)}.`);
  const name = (meta as { name: string }).name;
  const who = `${obj.kind} ${ns === undefined ? '' : `${ns}/`}${name}`;
  for (const field of ['labels', 'annotations'] as const) {
    const map = (meta as Record<string, unknown>)[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map))
      return problems.add(`${where}: ${who}: metadata.${field} must be a mapping, found ${describeValue(map)}.`);
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string')
        return problems.add(`${where}: ${who}: metadata.${field}.${k} must be a string, found ${describeValue(v)}.`);
    }
  }
  const kind = kindIdOf(obj.apiVersion, obj.kind);
  if (kind !== undefined) {
    const wrong = validateObject(kind, obj as KubeObject);
    if (wrong.length > 0) {
      for (const w of wrong) problems.add(`${where}: ${who}: ${w}.`);
      return;
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

/** Reads and validates every object in `paths`; InputError listing every problem found (up to MAX_LISTED_PROBLEMS). */
export async function loadObjects(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedObjects> {
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  const problems = new Problems();
  const expanded = await expandEach(paths, problems);
  const objects: KubeObject[] = [];
  const locations = new WeakMap<object, SourceLocation>();
  const strings = new StringPool();
  for (const entry of expanded) {
    const before = objects.length;
    const problemsBefore = problems.list.length;
    let readable = 0;
    for (const file of entry.files) {
      const display = displayPath(file);
      const text = await readSnapshotFile(file, display, maxBytes, problems);
      if (text === undefined) continue;
      readable++;
      const parsed = parseInto(text, display, strings, problems);
      parsed.objects.forEach((obj, i) => {
        objects.push(obj);
        locations.set(obj, { file: display, line: parsed.lines[i] ?? 1 });
      });
    }
    // Reading nothing is not a cluster with nothing wrong in it: only the user can say it is.
    if (
      objects.length === before &&
      readable === entry.files.length &&
      entry.files.length > 0 &&
      options.allowEmpty !== true &&
      problems.list.length === problemsBefore
    ) {
      const shown = JSON.stringify(displayPath(entry.path));
      problems.add(
        entry.directory
          ? `Snapshot directory ${shown} holds no Kubernetes objects (in ${entry.files.length} YAML file${entry.files.length === 1 ? '' : 's'}). Pass --allow-empty to check an empty cluster.`
          : `Snapshot file ${shown} holds no Kubernetes objects. Pass --allow-empty to check an empty cluster.`,
      );
    }
  }
  problems.throwIfAny();
  return { objects, locations, files: expanded.flatMap((e) => e.files) };
}

// One file's text, or undefined (with a problem added) when it is not a regular file, too large or unreadable.
async function readSnapshotFile(file: string, display: string, maxBytes: number, problems: Problems): Promise<string | undefined> {
  let handle;
  try {
    // Non-blocking: opening a FIFO that replaced the file since it was listed must not wait for a writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    problems.add(`${display}: cannot read the file (${errorCode(cause)}).`);
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      problems.add(`${display}: is ${fileType(info)}, not a regular file.`);
      return undefined;
    }
    if (info.size > maxBytes) {
      problems.add(`${display}: is ${mebibytes(info.size)}, over the ${mebibytes(maxBytes)} limit for one snapshot file.`);
      return undefined;
    }
    const bytes = await handle.readFile();
    // The file grew while it was read.
    if (bytes.length > maxBytes) {
      problems.add(`${display}: is over the ${mebibytes(maxBytes)} limit for one snapshot file.`);
      return undefined;
    }
    return bytes.toString('utf8');
  } catch (cause) {
    problems.add(`${display}: cannot read the file (${errorCode(cause)}).`);
    return undefined;
  } finally {
    await handle.close();
  }
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}

/** A source over YAML files; parses them once, then serves any number of gathers. */
export interface YamlSourceOptions extends LoadOptions {
  /** Keep Secret payloads (`data`, `stringData`): only for `--read-secrets`. Default: dropped on load. */
  readSecrets?: boolean;
}

export class YamlSource implements ClusterSource {
  readonly live = false;
  readonly target: TargetInfo;
  readonly readSecrets: boolean;
  readonly #load: LoadOptions;
  #loaded: Promise<LoadedObjects> | undefined;

  constructor(
    readonly paths: readonly string[],
    name?: string,
    options: YamlSourceOptions = {},
  ) {
    this.target = { type: 'snapshot', name: name ?? paths.join(', '), paths: [...paths] };
    this.readSecrets = options.readSecrets === true;
    this.#load = {
      ...(options.allowEmpty === undefined ? {} : { allowEmpty: options.allowEmpty }),
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
    };
  }

  /** Parses the files now, so input errors surface before any check runs. */
  load(): Promise<LoadedObjects> {
    // A malformed snapshot manifest is an input error too, reported before any check runs.
    this.#loaded ??= loadObjects(this.paths, this.#load)
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
