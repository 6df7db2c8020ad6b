// Kubeconfig, read the way kubectl reads it: `--kubeconfig PATH` alone, else every file in
// $KUBECONFIG merged (first file to set a name or current-context wins; missing files are
// skipped), else ~/.kube/config. Relative paths resolve against the file that holds them.
//
// Why @kubernetes/client-node's KubeConfig: credential handling (exec plugins such as cloud
// auth helpers, bearer tokens, client certificates, impersonation, proxy-url) is the part
// that is hard to get right and easy to get subtly wrong; we take it from the official client.
// We do the file discovery and merging ourselves, because client-node's merge differs from
// kubectl's (it throws on a name defined in two files, lets a later file's current-context
// win, and reads token files of users nobody selected). Requests are made by kube-http.ts
// over node:https with the options client-node applies (`applyToHTTPSOptions`), so that every
// request gets our timeout, AbortSignal, pagination, size bound and Accept headers, and so
// the client surface stays read-only by construction. See docs/live-clusters.md.

import { access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import type https from 'node:https';
// Only the type: the library (about 0.3 s of CPU to load) is loaded when a user needs it — exec
// plugins, auth providers, impersonation, a proxy-url. Client certificates, tokens and basic auth,
// the common case, are applied here the way its applyToHTTPSOptions applies them.
import type { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../engine/source.ts';
import { BoundedReadError, readBounded } from './read-bounded.ts';

/** Which kubeconfig to read and which context to use, as kubectl's flags say it. */
export interface KubeconfigSelection {
  /** `--kubeconfig PATH`: read only this file (KUBECONFIG is then ignored, as in kubectl). */
  kubeconfig?: string;
  /** `--context NAME`: use this context instead of current-context. */
  context?: string;
  /** Environment to read KUBECONFIG from (tests); defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for ~/.kube/config (tests); defaults to os.homedir(). */
  home?: string;
}

/** One context, as `kubectl config get-contexts` shows it. Never carries credentials. */
export interface ContextInfo {
  name: string;
  cluster: string;
  /** The cluster's API server URL ('' when the cluster is not defined). */
  server: string;
  user: string;
  namespace?: string;
  current: boolean;
  /** Why this context cannot be used, if it cannot. */
  problem?: string;
  /** Changes when the context's name, cluster, server, user or namespace change. */
  fingerprint: string;
}

/** A context ready to connect with: who, where, and the credentials to apply. */
export interface ResolvedContext {
  name: string;
  cluster: string;
  server: string;
  user: string;
  namespace?: string;
  /** The kubeconfig files that were read, in order. */
  files: string[];
  fingerprint: string;
  /** Also changes when the credentials or TLS settings change: keys caches of what this identity may read. */
  cacheKey: string;
  /** TLS options and credentials for a request. */
  auth: ContextAuth;
  /** The exec credential plugin of the user, if any (for error messages). */
  exec?: { command: string; installHint?: string };
}

/** What a request to the context's API server needs: TLS options and credentials. */
export interface ContextAuth {
  /** Sets the TLS options (ca, cert, key, servername, rejectUnauthorized) and credentials (Authorization header, auth) of a request; may run an exec plugin. */
  apply(opts: https.RequestOptions): Promise<void>;
  /** Requests go through the cluster's proxy-url (client-node's agent handles it). */
  readonly proxied: boolean;
  /** Who applies them: our own code for certificates, tokens and basic auth, else @kubernetes/client-node. */
  readonly via: 'meshbook' | 'client-node';
}

// A dynamic import fails inside the dev server, whose integration is loaded by Vite's config
// module runner and closed afterwards ("Vite module runner has been closed"): the server hands
// the class over with a static import (src/cluster/client-node.ts) instead.
let providedKubeConfig: typeof KubeConfig | undefined;

/** Gives this module client-node's KubeConfig, for hosts that cannot import it later (see above). */
export function provideKubeConfig(kubeConfig: typeof KubeConfig): void {
  providedKubeConfig = kubeConfig;
}

async function kubeConfigClass(): Promise<typeof KubeConfig> {
  if (providedKubeConfig !== undefined) return providedKubeConfig;
  // Under tsx (source maps on) Node would read the maps of the library's ~1,000 files as they load.
  const maps = process.sourceMapsEnabled;
  if (maps) process.setSourceMapsEnabled(false);
  try {
    return (await import('@kubernetes/client-node')).KubeConfig;
  } finally {
    if (maps) process.setSourceMapsEnabled(true);
  }
}

const SIMPLE_CLUSTER_KEYS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
]);
const SIMPLE_USER_KEYS = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'username',
  'password',
]);

/**
 * Our own credentials for a context whose cluster and user use only the keys above, applied as
 * client-node's applyToHTTPSOptions applies them (files read once, here; *-data base64-decoded);
 * undefined when something else is configured.
 */
async function simpleAuth(cluster: Raw, user: Raw): Promise<ContextAuth | undefined> {
  const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== false;
  if (Object.entries(cluster).some(([k, v]) => isSet(v) && !SIMPLE_CLUSTER_KEYS.has(k))) return undefined;
  if (Object.entries(user).some(([k, v]) => isSet(v) && !SIMPLE_USER_KEYS.has(k))) return undefined;
  const tls: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'> = {};
  const bytes = async (file: unknown, data: unknown): Promise<Buffer | undefined> => {
    if (typeof file === 'string' && file !== '') return await readCredentialFile(file);
    if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
    return undefined;
  };
  const ca = await bytes(cluster['certificate-authority'], cluster['certificate-authority-data']);
  if (ca !== undefined) tls.ca = ca;
  const cert = await bytes(user['client-certificate'], user['client-certificate-data']);
  if (cert !== undefined) tls.cert = cert;
  const key = await bytes(user['client-key'], user['client-key-data']);
  if (key !== undefined) tls.key = key;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (typeof cluster['tls-server-name'] === 'string' && cluster['tls-server-name'] !== '') tls.servername = cluster['tls-server-name'];
  const token = typeof user.token === 'string' && user.token !== '' ? user.token : undefined;
  const basic =
    typeof user.username === 'string' && user.username !== ''
      ? `${user.username}:${typeof user.password === 'string' ? user.password : ''}`
      : undefined;
  return {
    proxied: false,
    via: 'meshbook',
    apply: async (opts) => {
      Object.assign(opts, tls);
      if (basic !== undefined) opts.auth = basic;
      if (token !== undefined) opts.headers = { ...(opts.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
    },
  };
}

const ANONYMOUS = 'meshbook-no-user';

type Raw = Record<string, unknown>;

interface Entry {
  name: string;
  body: Raw;
  file: string;
}

/** A merged kubeconfig, before any context is chosen. */
export interface MergedKubeconfig {
  files: string[];
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  currentContext?: string;
}

/** The files kubectl would read for this selection, in precedence order, and where the list came from. */
export function kubeconfigFiles(sel: KubeconfigSelection = {}): { files: string[]; from: 'flag' | 'env' | 'default' } {
  if (sel.kubeconfig !== undefined && sel.kubeconfig !== '') return { files: [resolve(sel.kubeconfig)], from: 'flag' };
  const env = sel.env ?? process.env;
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const files = [
      ...new Set(
        list
          .split(delimiter)
          .filter((f) => f !== '')
          .map((f) => resolve(f)),
      ),
    ];
    if (files.length > 0) return { files, from: 'env' };
  }
  return { files: [join(sel.home ?? homedir(), '.kube', 'config')], from: 'default' };
}

/** Reads and merges the kubeconfig files of a selection; throws InputError on unusable input. */
export async function loadKubeconfig(sel: KubeconfigSelection = {}): Promise<MergedKubeconfig> {
  const { files, from } = kubeconfigFiles(sel);
  const merged: MergedKubeconfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  const missing: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = (await readBounded(file, MAX_KUBECONFIG_BYTES)).toString('utf8');
    } catch (cause) {
      if (cause instanceof BoundedReadError)
        throw new InputError(`Kubeconfig ${JSON.stringify(file)} ${cause.message}: pass the kubeconfig file itself.`, { cause });
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && from !== 'flag') {
        // kubectl skips files in $KUBECONFIG that do not exist.
        missing.push(file);
        continue;
      }
      if (code === 'ENOENT') {
        throw new InputError(
          `Kubeconfig ${JSON.stringify(file)} (from --kubeconfig) does not exist. Pass an existing file, or leave out --kubeconfig to use $KUBECONFIG or ~/.kube/config.`,
          { cause },
        );
      }
      throw new InputError(`Cannot read kubeconfig ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
    }
    merged.files.push(file);
    mergeFile(merged, parseKubeconfigText(text, file), file);
  }
  if (merged.files.length === 0) {
    if (from === 'env') {
      throw new InputError(
        `None of the files in $KUBECONFIG exist (${missing.map((f) => JSON.stringify(f)).join(', ')}). Fix KUBECONFIG, pass --kubeconfig PATH, or use the demo cluster snapshot.`,
      );
    }
    throw new InputError(
      `No kubeconfig found: $KUBECONFIG is not set and ${JSON.stringify(missing[0])} does not exist. Point KUBECONFIG or --kubeconfig at a kubeconfig file, or use the demo cluster snapshot.`,
    );
  }
  return merged;
}

/** Parses one kubeconfig file into a plain mapping; YAML and shape errors become InputError. */
export function parseKubeconfigText(text: string, file: string): Raw {
  let value: unknown;
  try {
    value = yaml.load(text, { filename: file });
  } catch (cause) {
    const mark = (cause as { mark?: { line?: number } }).mark;
    const where = mark?.line === undefined ? file : `${file}:${mark.line + 1}`;
    const reason = (cause as { reason?: string }).reason ?? String(cause);
    throw new InputError(
      `Kubeconfig ${where}: invalid YAML: ${reason}. Fix the file (\`kubectl config view\` shows how kubectl reads it).`,
      { cause },
    );
  }
  // An empty file is an empty config, as in kubectl.
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      `Kubeconfig ${file}: expected a mapping with clusters, users and contexts, found ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}.`,
    );
  }
  return value as Raw;
}

const SECTIONS = [
  ['clusters', 'cluster'],
  ['users', 'user'],
  ['contexts', 'context'],
] as const;

// kubectl's merge: the first file to define a name keeps it, the first non-empty current-context wins.
function mergeFile(merged: MergedKubeconfig, raw: Raw, file: string): void {
  for (const [section, field] of SECTIONS) {
    const list = raw[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new InputError(`Kubeconfig ${file}: ${section} must be a list, found ${JSON.stringify(list)}.`);
    list.forEach((item: unknown, i) => {
      const name = isRaw(item) ? item.name : undefined;
      if (typeof name !== 'string' || name === '') throw new InputError(`Kubeconfig ${file}: ${section}[${i}] has no name.`);
      const body = (item as Raw)[field];
      if (body !== undefined && body !== null && !isRaw(body)) {
        throw new InputError(
          `Kubeconfig ${file}: ${section}[${i}] (${JSON.stringify(name)}) ${field} must be a mapping, found ${JSON.stringify(body)}.`,
        );
      }
      const map = merged[section];
      if (!map.has(name)) map.set(name, { name, body: resolvePaths(section, isRaw(body) ? body : {}, dirname(file)), file });
    });
  }
  const current = raw['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') {
    throw new InputError(`Kubeconfig ${file}: current-context must be a string, found ${JSON.stringify(current)}.`);
  }
  if (merged.currentContext === undefined && typeof current === 'string' && current !== '') merged.currentContext = current;
}

// Relative file references are relative to the kubeconfig that holds them (client-go ResolveLocalPaths).
function resolvePaths(section: string, body: Raw, dir: string): Raw {
  const out: Raw = { ...body };
  const fix = (key: string): void => {
    const v = out[key];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[key] = join(dir, v);
  };
  if (section === 'clusters') fix('certificate-authority');
  if (section === 'users') {
    fix('client-certificate');
    fix('client-key');
    fix('token-file');
    const exec = out.exec;
    // An exec command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
    if (isRaw(exec) && typeof exec.command === 'string' && exec.command.includes(sep) && !isAbsolute(exec.command)) {
      out.exec = { ...exec, command: join(dir, exec.command) };
    }
  }
  return out;
}

/** Every context of the merged kubeconfig, with what it points at and why it might not work. */
export async function listContexts(sel: KubeconfigSelection = {}): Promise<{ files: string[]; current?: string; contexts: ContextInfo[] }> {
  const merged = await loadKubeconfig(sel);
  const current = sel.context !== undefined && sel.context !== '' ? sel.context : merged.currentContext;
  const contexts = [...merged.contexts.values()].map((entry) => describeContext(merged, entry, entry.name === current));
  return { files: merged.files, current, contexts };
}

function describeContext(merged: MergedKubeconfig, entry: Entry, current: boolean): ContextInfo {
  const cluster = str(entry.body.cluster);
  const user = str(entry.body.user);
  const namespace = str(entry.body.namespace);
  const server = str(merged.clusters.get(cluster)?.body.server);
  const info: ContextInfo = {
    name: entry.name,
    cluster,
    server,
    user,
    current,
    fingerprint: fingerprint(entry.name, cluster, server, user, namespace),
  };
  if (namespace !== '') info.namespace = namespace;
  const problem = contextProblem(merged, entry);
  if (problem !== undefined) info.problem = problem;
  return info;
}

function contextProblem(merged: MergedKubeconfig, entry: Entry): string | undefined {
  const name = JSON.stringify(entry.name);
  const clusterName = str(entry.body.cluster);
  if (clusterName === '') return `Context ${name} (in ${entry.file}) names no cluster.`;
  const cluster = merged.clusters.get(clusterName);
  if (cluster === undefined) return `Context ${name} refers to cluster ${JSON.stringify(clusterName)}, which no kubeconfig file defines.`;
  const server = str(cluster.body.server);
  if (server === '') return `Cluster ${JSON.stringify(clusterName)} (in ${cluster.file}) has no server URL.`;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `Cluster ${JSON.stringify(clusterName)} has server ${JSON.stringify(server)}, which is not a URL (expected https://host:port).`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `Cluster ${JSON.stringify(clusterName)} has server ${JSON.stringify(server)}: only https:// (or http://) URLs are supported.`;
  // client-node refuses to send credentials over plain http unless TLS verification is explicitly off.
  if (url.protocol === 'http:' && cluster.body['insecure-skip-tls-verify'] !== true) {
    return `Cluster ${JSON.stringify(clusterName)} uses plain http (${server}); Meshbook only allows that with insecure-skip-tls-verify: true on the cluster (e.g. for kubectl proxy).`;
  }
  const userName = str(entry.body.user);
  if (userName !== '' && !merged.users.has(userName))
    return `Context ${name} refers to user ${JSON.stringify(userName)}, which no kubeconfig file defines.`;
  return undefined;
}

/** Picks the context of a selection (`--context` or current-context) and prepares its credentials. */
export async function resolveContext(sel: KubeconfigSelection = {}): Promise<ResolvedContext> {
  const merged = await loadKubeconfig(sel);
  const names = [...merged.contexts.keys()];
  const available = names.length === 0 ? 'the kubeconfig defines no contexts' : `available: ${names.join(', ')}`;
  const wanted = sel.context !== undefined && sel.context !== '' ? sel.context : merged.currentContext;
  if (wanted === undefined) {
    throw new InputError(
      `The kubeconfig (${merged.files.join(', ')}) sets no current-context. Choose one with --context NAME (${available}), or run \`kubectl config use-context NAME\`.`,
    );
  }
  const entry = merged.contexts.get(wanted);
  if (entry === undefined) {
    const origin = sel.context !== undefined && sel.context !== '' ? '--context' : 'current-context';
    throw new InputError(
      `Context ${JSON.stringify(wanted)} (from ${origin}) is not in the kubeconfig (${merged.files.join(', ')}); ${available}.`,
    );
  }
  const problem = contextProblem(merged, entry);
  if (problem !== undefined) throw new InputError(problem);

  const clusterEntry = merged.clusters.get(str(entry.body.cluster))!;
  const userEntry = merged.users.get(str(entry.body.user));
  await checkFiles(clusterEntry, ['certificate-authority']);
  const userBody = userEntry === undefined ? {} : await prepareUser(userEntry, clusterEntry);

  const auth = await contextAuth(entry, clusterEntry, userEntry, userBody);
  const info = describeContext(merged, entry, true);
  const resolved: ResolvedContext = {
    name: info.name,
    cluster: info.cluster,
    server: info.server.replace(/\/+$/, ''),
    user: info.user,
    files: merged.files,
    fingerprint: info.fingerprint,
    cacheKey: fingerprint(info.fingerprint, JSON.stringify(clusterEntry.body), JSON.stringify(userBody), ...merged.files),
    auth,
  };
  if (info.namespace !== undefined) resolved.namespace = info.namespace;
  const exec = userBody.exec;
  if (isRaw(exec) && typeof exec.command === 'string') {
    resolved.exec = { command: exec.command };
    if (typeof exec.installHint === 'string' && exec.installHint !== '') resolved.exec.installHint = exec.installHint;
  }
  return resolved;
}

async function contextAuth(entry: Entry, clusterEntry: Entry, userEntry: Entry | undefined, userBody: Raw): Promise<ContextAuth> {
  const simple = await simpleAuth(clusterEntry.body, userBody);
  if (simple !== undefined) return simple;
  const KubeConfigClass = await kubeConfigClass();
  const kc = new KubeConfigClass();
  // Only the chosen context, its cluster and its user: nothing else is handed to client-node.
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterEntry.name, cluster: clusterEntry.body }],
    // A context without a user still needs one for client-node to apply the cluster's CA.
    users: [{ name: userEntry?.name ?? ANONYMOUS, user: userBody }],
    contexts: [{ name: entry.name, context: { ...entry.body, user: userEntry?.name ?? ANONYMOUS } }],
    'current-context': entry.name,
  };
  try {
    kc.loadFromString(JSON.stringify(doc));
  } catch (cause) {
    throw new InputError(`Context ${JSON.stringify(entry.name)} cannot be used: ${(cause as Error).message}`, { cause });
  }
  return { proxied: Boolean(kc.getCurrentCluster()?.proxyUrl), via: 'client-node', apply: (opts) => kc.applyToHTTPSOptions(opts) };
}

// Far above any real kubeconfig (a few KiB) or credential file (a certificate chain), far below
// what would hurt: the bounds only stop a device or a runaway FIFO.
const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;
const MAX_CREDENTIAL_BYTES = 1024 * 1024;

// A certificate, key or token file: bounded like a kubeconfig, its problem worded as the file's.
async function readCredentialFile(file: string): Promise<Buffer> {
  try {
    return await readBounded(file, MAX_CREDENTIAL_BYTES);
  } catch (cause) {
    if (cause instanceof BoundedReadError)
      throw new InputError(`${JSON.stringify(file)} ${cause.message}: a kubeconfig's certificate, key and token files must be files.`, {
        cause,
      });
    throw cause;
  }
}

async function checkFiles(entry: Entry, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const path = entry.body[key];
    if (typeof path !== 'string' || path === '') continue;
    try {
      await access(path, fsConstants.R_OK);
    } catch (cause) {
      throw new InputError(
        `${key} ${JSON.stringify(path)} of ${JSON.stringify(entry.name)} (in ${entry.file}) cannot be read: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
}

// Reads token-file now (trimmed, as client-go does; client-node would keep the newline) and
// tells exec plugins how they are run (KUBERNETES_EXEC_INFO, which client-node does not set).
async function prepareUser(user: Entry, cluster: Entry): Promise<Raw> {
  await checkFiles(user, ['client-certificate', 'client-key']);
  const body: Raw = { ...user.body };
  const tokenFile = body['token-file'];
  delete body['token-file'];
  if (typeof tokenFile === 'string' && tokenFile !== '' && (typeof body.token !== 'string' || body.token === '')) {
    try {
      body.token = (await readCredentialFile(tokenFile)).toString('utf8').trim();
    } catch (cause) {
      throw new InputError(
        `token-file ${JSON.stringify(tokenFile)} of user ${JSON.stringify(user.name)} (in ${user.file}) cannot be read: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  const exec = body.exec;
  if (exec !== undefined && exec !== null) {
    if (!isRaw(exec) || typeof exec.command !== 'string' || exec.command === '') {
      throw new InputError(`User ${JSON.stringify(user.name)} (in ${user.file}) has an exec credential plugin without a command.`);
    }
    if (exec.args !== undefined && exec.args !== null && (!Array.isArray(exec.args) || exec.args.some((a) => typeof a !== 'string'))) {
      throw new InputError(`User ${JSON.stringify(user.name)}: exec.args must be a list of strings, found ${JSON.stringify(exec.args)}.`);
    }
    const env = exec.env ?? [];
    if (!Array.isArray(env) || env.some((e) => !isRaw(e) || typeof e.name !== 'string' || typeof e.value !== 'string')) {
      throw new InputError(
        `User ${JSON.stringify(user.name)}: exec.env must be a list of {name, value} strings, found ${JSON.stringify(env)}.`,
      );
    }
    const apiVersion = typeof exec.apiVersion === 'string' ? exec.apiVersion : 'client.authentication.k8s.io/v1';
    const spec: Raw = { interactive: false };
    if (exec.provideClusterInfo === true) {
      spec.cluster = {
        server: cluster.body.server,
        'certificate-authority-data': cluster.body['certificate-authority-data'],
        'tls-server-name': cluster.body['tls-server-name'],
        'insecure-skip-tls-verify': cluster.body['insecure-skip-tls-verify'],
        'proxy-url': cluster.body['proxy-url'],
      };
    }
    const info = { name: 'KUBERNETES_EXEC_INFO', value: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec }) };
    body.exec = { ...exec, env: [...(env as Raw[]).filter((e) => e.name !== 'KUBERNETES_EXEC_INFO'), info] };
  }
  return body;
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
