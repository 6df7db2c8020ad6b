// A real test cluster: etcd + kube-apiserver on 127.0.0.1 with throw-away certificates
// (openssl), RBAC, a Metadata-level audit log, Istio and Gateway API CRDs, an admin and a
// least-privilege viewer kubeconfig. Used by the cluster tests, the benchmarks and
// `npm run cluster:up`, hence here beside the scripts that build its binaries and not under test/.
// The admin client here writes (it loads fixtures); it is tooling and src/ never imports it.
// Facts this relies on (flags, the aggregated `view` role, pods without kubelets) are in
// ../shared/notes/test-cluster.md and docs/test-cluster.md.

// The servers stay on node:child_process: their output goes to a log file by descriptor (so a detached
// cluster outlives `cluster:up`), which execa pipes through this process instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import yaml from 'js-yaml';
import { KINDS, kindIdOf, parseApiVersion } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const VIEWER_ROLE_MANIFEST = join(REPO, 'docs', 'rbac', 'meshbook-viewer.yaml');
const MINIMAL_CRDS = join(import.meta.dirname, 'crds', 'minimal-istio-gateway-api.yaml');
// Dual-stack, so fixtures with IPv4+IPv6 Services (ipFamilyPolicy PreferDualStack) load.
const SERVICE_CIDR = '10.96.0.0/12,fd00:10:96::/112';

export interface ClusterBinaries {
  apiserver: string;
  etcd: string;
}

/** The binaries from KUBE_APISERVER_BIN / ETCD_BIN, else the newest in the build cache; undefined if missing. */
export function findClusterBinaries(env: NodeJS.ProcessEnv = process.env): ClusterBinaries | undefined {
  const cache = env.MESHBOOK_CACHE ?? join(homedir(), '.cache', 'meshbook');
  const newest = (dir: string, bin: string): string | undefined => {
    if (!existsSync(dir)) return undefined;
    const versions = readdirSync(dir)
      .filter((v) => existsSync(join(dir, v, 'bin', bin)))
      .sort(compareVersions);
    const last = versions.at(-1);
    return last === undefined ? undefined : join(dir, last, 'bin', bin);
  };
  const apiserver = env.KUBE_APISERVER_BIN || newest(join(cache, 'k8s'), 'kube-apiserver');
  const etcd = env.ETCD_BIN || newest(join(cache, 'etcd'), 'etcd');
  if (apiserver === undefined || etcd === undefined || !existsSync(apiserver) || !existsSync(etcd)) return undefined;
  return { apiserver, etcd };
}

// The CRDs as their projects publish them, pinned: Istio's API module (a tagged release, 1.4 MB)
// and the Gateway API's standard channel. Both are Go modules: found in the module cache, or
// fetched through the Go module proxy with `go mod download` when Go is installed.
export const CRD_MODULES = {
  istio: { module: 'istio.io/api', version: 'v1.32.0', files: ['kubernetes/customresourcedefinitions.gen.yaml'] },
  gatewayApi: { module: 'sigs.k8s.io/gateway-api', version: 'v1.6.3', dir: 'config/crd/standard' },
} as const;

/** Where CRDs come from: Istio's and the Gateway API's own files, else our minimal ones. */
export function findCrdFiles(env: NodeJS.ProcessEnv = process.env): { files: string[]; origin: string } {
  const istio = moduleDir(CRD_MODULES.istio.module, CRD_MODULES.istio.version, env);
  const gw = moduleDir(CRD_MODULES.gatewayApi.module, CRD_MODULES.gatewayApi.version, env);
  if (istio !== undefined && gw !== undefined) {
    const gwDir = join(gw, CRD_MODULES.gatewayApi.dir);
    const files = [
      ...CRD_MODULES.istio.files.map((f) => join(istio, f)),
      ...readdirSync(gwDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(gwDir, f)),
    ];
    if (files.every((f) => existsSync(f))) {
      return {
        files,
        origin: `${CRD_MODULES.istio.module}@${CRD_MODULES.istio.version} + ${CRD_MODULES.gatewayApi.module}@${CRD_MODULES.gatewayApi.version}`,
      };
    }
  }
  return { files: [MINIMAL_CRDS], origin: 'minimal CRDs (tools/cluster/crds)' };
}

// A module's directory in the Go module cache, downloading it if Go is available.
function moduleDir(module: string, version: string, env: NodeJS.ProcessEnv): string | undefined {
  const modcache = goModCache(env);
  const cached = modcache === undefined ? undefined : join(modcache, `${module}@${version}`);
  if (cached !== undefined && existsSync(cached)) return cached;
  for (const go of ['go', '/usr/local/go/bin/go']) {
    try {
      const { stdout } = execaSync(go, ['mod', 'download', '-json', `${module}@${version}`], {
        cwd: tmpdir(),
        timeout: 120_000,
        stdin: 'ignore',
        stderr: 'ignore',
        env: { ...env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
        extendEnv: false,
      });
      const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
      if (dir !== undefined && existsSync(dir)) return dir;
    } catch {
      // No Go here, or no network: the caller falls back to the minimal CRDs.
    }
  }
  return undefined;
}

function goModCache(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GOMODCACHE) return env.GOMODCACHE;
  for (const go of ['go', '/usr/local/go/bin/go']) {
    try {
      return execaSync(go, ['env', 'GOMODCACHE'], { timeout: 30_000, stdin: 'ignore', stderr: 'ignore' }).stdout.trim() || undefined;
    } catch {
      // Try the next location, then the default below.
    }
  }
  const fallback = join(env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod');
  return existsSync(fallback) ? fallback : undefined;
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => (Number.isNaN(Number(p)) ? 0 : Number(p)));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A started cluster: where it is, who can use it, and how to stop it. */
export interface TestCluster {
  dir: string;
  server: string;
  adminKubeconfig: string;
  viewerKubeconfig: string;
  auditLog: string;
  admin: AdminClient;
  pids: { etcd: number; apiserver: number };
  /** Milliseconds: etcd healthy, kube-apiserver ready, CRDs established (from spawn). */
  timings: { etcdMs: number; apiserverMs: number; crdsMs: number; totalMs: number };
  crdOrigin: string;
  /** Makes a client-certificate user and its kubeconfig (RBAC bindings are up to the caller). */
  addUser(name: string, groups?: string[]): Promise<string>;
  /** SIGSTOP / SIGCONT the API server (a server that accepts connections but never answers). */
  pauseApiserver(): void;
  resumeApiserver(): void;
  /** Stops the API server only (etcd keeps running). */
  stopApiserver(): Promise<void>;
  /** Stops everything and removes the directory (unless keep). */
  stop(options?: { keep?: boolean }): Promise<void>;
}

export interface StartOptions {
  binaries: ClusterBinaries;
  /** Install Istio and Gateway API CRDs: upstream's when found (default), our minimal ones, or none. */
  crds?: boolean | 'minimal';
  /** Processes outlive this one (cluster:up); logs stay in the directory. */
  detached?: boolean;
  /** Directory for certs, data, logs; a fresh temp dir by default. */
  dir?: string;
}

/** Starts etcd and kube-apiserver on loopback and prepares users, RBAC and CRDs. */
export async function startCluster(options: StartOptions): Promise<TestCluster> {
  const t0 = performance.now();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'meshbook-cluster-')));
  await mkdir(dir, { recursive: true });
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  // A test process that dies must not leave servers behind (detached clusters are cluster:down's job).
  // SIGKILL: a server a test paused (SIGSTOP) would never act on a SIGTERM.
  if (options.detached !== true) process.once('exit', killAll);
  try {
    makeCerts(dir);
    await writeFile(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const spawnLogged = (bin: string, args: string[], log: string, env?: NodeJS.ProcessEnv): ChildProcess => {
      const fd = openSync(join(dir, log), 'a');
      const child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached: options.detached === true, env: env ?? process.env });
      closeSync(fd);
      if (options.detached === true) child.unref();
      children.push(child);
      return child;
    };

    // etcd reads every ETCD_* variable as a flag: give it an environment without them.
    const etcdEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
    const etcd = spawnLogged(
      options.binaries.etcd,
      [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--listen-metrics-urls=',
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        '--heartbeat-interval=10',
        '--election-timeout=100',
      ],
      'etcd.log',
      etcdEnv,
    );
    await waitFor('etcd /health', etcd, join(dir, 'etcd.log'), 30_000, async () =>
      (await httpGetText(`http://127.0.0.1:${etcdClient}/health`)).includes('"health":"true"'),
    );
    const etcdMs = performance.now() - t0;

    const apiserver = spawnLogged(
      options.binaries.apiserver,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
        `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--client-ca-file=${join(dir, 'ca.crt')}`,
        `--service-account-issuer=https://127.0.0.1:${apiPort}/`,
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=Node,RBAC',
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
        `--audit-log-path=${join(dir, 'audit.log')}`,
      ],
      'apiserver.log',
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const admin = new AdminClient(server, dir, 'admin');
    await waitFor(
      'kube-apiserver /readyz',
      apiserver,
      join(dir, 'apiserver.log'),
      120_000,
      async () => (await admin.request('GET', '/readyz')).status === 200,
    );
    const apiserverMs = performance.now() - t0;

    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(adminKubeconfig, kubeconfigFor(server, dir, 'admin'));
    const viewerKubeconfig = await addUser(dir, server, 'viewer', ['meshbook-test-viewers']);
    // The documented roles, bound to the viewer; the Secrets role too (the gateway-credential checks need it).
    for (const doc of yaml.loadAll(await readFile(VIEWER_ROLE_MANIFEST, 'utf8')) as KubeObject[]) await admin.create(doc);
    await admin.create(clusterRoleBinding('meshbook-test-viewer', 'meshbook-viewer', 'viewer'));
    await admin.create(clusterRoleBinding('meshbook-test-viewer-secrets', 'meshbook-viewer-secrets', 'viewer'));

    let crdOrigin = 'none';
    if (options.crds !== false) {
      const found = options.crds === 'minimal' ? { files: [MINIMAL_CRDS], origin: 'minimal CRDs (tools/cluster/crds)' } : findCrdFiles();
      crdOrigin = found.origin;
      await installCrds(admin, found.files);
    }
    const crdsMs = performance.now() - t0;

    let stopped = false;
    const stopChild = async (child: ChildProcess): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      if (!(await exited(child, 10_000))) {
        child.kill('SIGKILL');
        await exited(child, 5_000);
      }
    };
    return {
      dir,
      server,
      adminKubeconfig,
      viewerKubeconfig,
      auditLog: join(dir, 'audit.log'),
      admin,
      pids: { etcd: etcd.pid!, apiserver: apiserver.pid! },
      timings: {
        etcdMs: Math.round(etcdMs),
        apiserverMs: Math.round(apiserverMs),
        crdsMs: Math.round(crdsMs),
        totalMs: Math.round(performance.now() - t0),
      },
      crdOrigin,
      addUser: (name, groups = []) => addUser(dir, server, name, groups),
      pauseApiserver: () => void apiserver.kill('SIGSTOP'),
      resumeApiserver: () => void apiserver.kill('SIGCONT'),
      stopApiserver: () => stopChild(apiserver),
      async stop(opts = {}) {
        if (stopped) return;
        stopped = true;
        admin.close();
        await stopChild(apiserver);
        await stopChild(etcd);
        process.removeListener('exit', killAll);
        if (opts.keep !== true && options.dir === undefined) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    killAll();
    process.removeListener('exit', killAll);
    throw new Error(`Starting the test cluster failed (logs kept in ${dir})`, { cause: error });
  }
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # The API server's own loopback traffic is noise for the read-only proof.
  - level: None
    users: ["system:apiserver"]
  - level: Metadata
`;

// openssl's own error output goes into the thrown error (execa's message), with the command line.
function openssl(dir: string, args: string[]): void {
  execaSync('openssl', args, { cwd: dir, stdin: 'ignore', stdout: 'ignore', timeout: 60_000 });
}

function makeCerts(dir: string): void {
  const run = (args: string[]): void => openssl(dir, args);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', '-new', ...ec, '-days', '2', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=meshbook-test-ca']);
  signCert(dir, 'apiserver', '/CN=kube-apiserver', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signCert(dir, 'admin', '/O=system:masters/CN=meshbook-test-admin', 'extendedKeyUsage=clientAuth\n');
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key']);
  run(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function signCert(dir: string, name: string, subject: string, ext: string): void {
  const run = (args: string[]): void => openssl(dir, args);
  run([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  run([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

async function addUser(dir: string, server: string, name: string, groups: string[]): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`user name must be kebab-case, received ${JSON.stringify(name)}`);
  // The certificate's CN is the user name the API server (and its audit log) sees.
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=meshbook-test-${name}`;
  signCert(dir, name, subject, 'extendedKeyUsage=clientAuth\n');
  const file = join(dir, `${name}.kubeconfig`);
  await writeFile(file, kubeconfigFor(server, dir, name));
  return file;
}

/** The user name a harness user has on the API server. */
export function userName(name: string): string {
  return `meshbook-test-${name}`;
}

function kubeconfigFor(server: string, dir: string, user: string): string {
  const b64 = (f: string): string => readFileSync(join(dir, f)).toString('base64');
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'meshbook-test', cluster: { server, 'certificate-authority-data': b64('ca.crt') } }],
    users: [
      { name: `meshbook-test-${user}`, user: { 'client-certificate-data': b64(`${user}.crt`), 'client-key-data': b64(`${user}.key`) } },
    ],
    contexts: [{ name: `meshbook-test-${user}`, context: { cluster: 'meshbook-test', user: `meshbook-test-${user}` } }],
    'current-context': `meshbook-test-${user}`,
  });
}

/** A ClusterRoleBinding of a harness user to a ClusterRole. */
export function clusterRoleBinding(name: string, role: string, user: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    subjects: [{ kind: 'User', name: userName(user), apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'ClusterRole', name: role, apiGroup: 'rbac.authorization.k8s.io' },
  } as KubeObject;
}

async function installCrds(admin: AdminClient, files: readonly string[]): Promise<void> {
  const names: string[] = [];
  for (const file of files) {
    for (const doc of yaml.loadAll(await readFile(file, 'utf8'))) {
      const obj = doc as KubeObject | null;
      // Gateway API ships a ValidatingAdmissionPolicy next to its CRDs: only CRDs are wanted.
      if (obj === null || obj.kind !== 'CustomResourceDefinition') continue;
      await admin.create(obj);
      names.push(obj.metadata.name);
    }
  }
  const deadline = Date.now() + 60_000;
  for (const name of names) {
    for (;;) {
      const res = await admin.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = (res.json as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within 60 s`);
      await sleep(50);
    }
  }
  // Discovery and RBAC see new CRDs through informers: wait until the viewer's discovery shows them.
  await sleep(200);
}

export interface AdminResponse {
  status: number;
  json: unknown;
  text: string;
}

/** The harness's own client (admin, writes allowed): loads fixtures, sets RBAC. Never used by src/. */
export class AdminClient {
  readonly #agent: https.Agent;
  constructor(
    readonly server: string,
    dir: string,
    user: string,
  ) {
    this.#agent = new https.Agent({
      keepAlive: true,
      ca: readFileSync(join(dir, 'ca.crt')),
      cert: readFileSync(join(dir, `${user}.crt`)),
      key: readFileSync(join(dir, `${user}.key`)),
    });
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<AdminResponse> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        `${this.server}${path}`,
        {
          method,
          agent: this.#agent,
          headers: { Accept: 'application/json', 'Content-Type': contentType, 'User-Agent': 'meshbook-test-harness' },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Creates an object; throws with the API server's message on failure. */
  async create(obj: KubeObject): Promise<KubeObject> {
    const res = await this.request('POST', collectionPath(obj), obj);
    if (res.status !== 201 && res.status !== 200) throw new Error(`create ${describe(obj)}: ${res.status} ${messageOf(res)}`);
    return res.json as KubeObject;
  }

  /** Merge-patches an object's status subresource, as a kubelet or controller would. */
  async patchStatus(obj: KubeObject, status: unknown): Promise<void> {
    const res = await this.request('PATCH', `${objectPath(obj)}/status`, { status }, 'application/merge-patch+json');
    if (res.status !== 200) throw new Error(`patch status of ${describe(obj)}: ${res.status} ${messageOf(res)}`);
  }

  /** Deletes an object at once (grace period 0: there is no kubelet to finish a graceful delete). */
  async delete(obj: KubeObject): Promise<void> {
    const res = await this.request('DELETE', `${objectPath(obj)}?gracePeriodSeconds=0`);
    if (res.status !== 200 && res.status !== 202 && res.status !== 404)
      throw new Error(`delete ${describe(obj)}: ${res.status} ${messageOf(res)}`);
  }

  /** Sets an existing namespace's labels and annotations to an object's; returns the patch that undoes it. */
  async mergeMeta(obj: KubeObject): Promise<NamespaceMeta> {
    const path = objectPath(obj);
    const before = (await this.request('GET', path)).json as KubeObject;
    const undo = (now: Record<string, string> | undefined, was: Record<string, string> | undefined): Record<string, string | null> => {
      const out: Record<string, string | null> = { ...(was ?? {}) };
      for (const k of Object.keys(now ?? {})) if (!(k in out)) out[k] = null;
      return out;
    };
    const labels = obj.metadata.labels ?? {};
    const annotations = obj.metadata.annotations ?? {};
    const res = await this.request('PATCH', path, { metadata: { labels, annotations } }, 'application/merge-patch+json');
    if (res.status !== 200) throw new Error(`patch ${describe(obj)}: ${res.status} ${messageOf(res)}`);
    return {
      name: obj.metadata.name,
      labels: undo(labels, before.metadata.labels),
      annotations: undo(annotations, before.metadata.annotations),
    };
  }

  /** Deletes a namespace and clears its finalizer (there is no namespace controller to do it). */
  async deleteNamespace(name: string): Promise<void> {
    await this.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const res = await this.request('PUT', `/api/v1/namespaces/${name}/finalize`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      spec: { finalizers: [] },
    });
    if (res.status !== 200 && res.status !== 404) throw new Error(`finalize namespace ${name}: ${res.status} ${messageOf(res)}`);
  }

  close(): void {
    this.#agent.destroy();
  }
}

function messageOf(res: AdminResponse): string {
  const m = (res.json as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : res.text.slice(0, 300);
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace === undefined ? '' : `${obj.metadata.namespace}/`}${obj.metadata.name}`;
}

const EXTRA_KINDS: Record<string, { plural: string; namespaced: boolean }> = {
  'apiextensions.k8s.io/CustomResourceDefinition': { plural: 'customresourcedefinitions', namespaced: false },
};

function resourceOf(obj: KubeObject): { group: string; version: string; plural: string; namespaced: boolean } {
  const { group, version } = parseApiVersion(obj.apiVersion);
  const id = kindIdOf(obj.apiVersion, obj.kind);
  const known = id === undefined ? EXTRA_KINDS[`${group}/${obj.kind}`] : { plural: KINDS[id].plural, namespaced: KINDS[id].namespaced };
  if (known === undefined) throw new Error(`The harness cannot load ${obj.apiVersion} ${obj.kind} (not a kind in src/cluster/kinds.ts)`);
  return { group, version, ...known };
}

function collectionPath(obj: KubeObject): string {
  const r = resourceOf(obj);
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${base}${r.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : ''}/${r.plural}`;
}

function objectPath(obj: KubeObject): string {
  return `${collectionPath(obj)}/${obj.metadata.name}`;
}

// Creation order: what others refer to first; webhook configurations last, so that the API
// server never calls a fixture's (unreachable) webhook while the fixture is being loaded.
const ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'Service',
  'Node',
  'Deployment',
  'Pod',
  'EndpointSlice',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'NetworkPolicy',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const rank = (kind: string): number => (LAST.includes(kind) ? 1000 + LAST.indexOf(kind) : ORDER.includes(kind) ? ORDER.indexOf(kind) : 500);
// Kinds whose status lives in a subresource that can be patched.
const STATUS_KINDS = new Set([
  'Pod',
  'Node',
  'Service',
  'Deployment',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'WorkloadEntry',
  'Sidecar',
  'AuthorizationPolicy',
  'PeerAuthentication',
]);
const PLACEHOLDER_IMAGE = 'registry.invalid/meshbook/placeholder:1';

export interface LoadedScenario {
  /** What was created, in creation order (fixture objects and the namespaces they needed). */
  created: KubeObject[];
  /** Namespaces the loader created (declared or implied), deleted on unload. */
  namespaces: string[];
  /** How fixture objects had to be adapted for the API server, one line each. */
  adaptations: string[];
  /** Namespaces that existed before, with the labels and annotations to put back. */
  restore: NamespaceMeta[];
}

interface NamespaceMeta {
  name: string;
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

/** Creates fixture objects as a user would apply them, then sets status as a kubelet/controller would. */
export async function loadObjects(admin: AdminClient, objects: readonly KubeObject[]): Promise<LoadedScenario> {
  const loaded: LoadedScenario = { created: [], namespaces: [], adaptations: [], restore: [] };
  try {
    await loadInto(admin, objects, loaded);
    return loaded;
  } catch (error) {
    // Leave the cluster as it was, so one broken fixture does not break the next scenario.
    await unloadObjects(admin, loaded).catch(() => undefined);
    throw error;
  }
}

async function loadInto(admin: AdminClient, objects: readonly KubeObject[], loaded: LoadedScenario): Promise<void> {
  const sorted = [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
  const declared = new Set(objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name));
  const implied = new Set<string>();
  for (const o of objects) {
    const id = kindIdOf(o.apiVersion, o.kind);
    if (id !== undefined && KINDS[id].namespaced) implied.add(o.metadata.namespace ?? 'default');
  }
  const existing = new Set(
    ((await admin.request('GET', '/api/v1/namespaces')).json as { items: KubeObject[] }).items.map((n) => n.metadata.name),
  );
  for (const ns of implied) {
    if (declared.has(ns) || existing.has(ns)) continue;
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    await admin.create(obj);
    loaded.created.push(obj);
    loaded.namespaces.push(ns);
  }
  for (const original of sorted) {
    const { object, status, notes } = prepare(original);
    loaded.adaptations.push(...notes);
    if (object.kind === 'Namespace' && existing.has(object.metadata.name)) {
      // default, kube-system…: as `kubectl apply` would, set the fixture's labels and annotations; unload restores them.
      loaded.restore.push(await admin.mergeMeta(object));
      continue;
    }
    if (object.kind === 'Service' && object.metadata.namespace === 'default' && object.metadata.name === 'kubernetes') {
      // The API server owns this Service (its ClusterIP and port are its own); keep the real one,
      // as `kubectl apply` of a snapshot would only fight the API server's reconciler.
      loaded.adaptations.push("kept the API server's own Service default/kubernetes");
      continue;
    }
    await admin.create(object);
    loaded.created.push(object);
    if (object.kind === 'Namespace') loaded.namespaces.push(object.metadata.name);
    if (status !== undefined && STATUS_KINDS.has(object.kind)) await admin.patchStatus(object, status);
  }
}

/** Deletes what loadObjects created (objects first, then namespaces). */
export async function unloadObjects(admin: AdminClient, loaded: LoadedScenario): Promise<void> {
  for (const obj of [...loaded.created].reverse()) if (obj.kind !== 'Namespace') await admin.delete(obj);
  for (const ns of loaded.namespaces) await admin.deleteNamespace(ns);
  for (const meta of loaded.restore) {
    const res = await admin.request(
      'PATCH',
      `/api/v1/namespaces/${meta.name}`,
      { metadata: { labels: meta.labels, annotations: meta.annotations } },
      'application/merge-patch+json',
    );
    if (res.status !== 200) throw new Error(`restore namespace ${meta.name}: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

// A fixture object as the API server will accept it; every change is reported.
function prepare(original: KubeObject): { object: KubeObject; status: unknown; notes: string[] } {
  const notes: string[] = [];
  const { status, ...rest } = structuredClone(original) as KubeObject & { status?: unknown };
  const object = rest as KubeObject;
  const {
    resourceVersion: _rv,
    uid: _uid,
    creationTimestamp: _ct,
    managedFields: _mf,
    generation: _g,
    ...metadata
  } = object.metadata as KubeObject['metadata'] & { managedFields?: unknown; generation?: unknown };
  object.metadata = metadata;
  const spec = object.spec as Record<string, unknown> | undefined;
  const fillImages = (podSpec: unknown, where: string): void => {
    if (typeof podSpec !== 'object' || podSpec === null) return;
    for (const field of ['containers', 'initContainers'] as const) {
      const list = (podSpec as Record<string, unknown>)[field];
      if (!Array.isArray(list)) continue;
      for (const c of list as Record<string, unknown>[]) {
        if (typeof c.image !== 'string' || c.image === '') {
          c.image = PLACEHOLDER_IMAGE;
          notes.push(`${where}: container ${String(c.name)} has no image; used ${PLACEHOLDER_IMAGE}`);
        }
      }
    }
  };
  if (object.kind === 'Pod') fillImages(spec, describe(object));
  if (object.kind === 'Deployment') fillImages((spec?.template as { spec?: unknown } | undefined)?.spec, describe(object));
  if (
    object.kind === 'Service' &&
    spec !== undefined &&
    typeof spec.clusterIP === 'string' &&
    spec.clusterIP !== 'None' &&
    !spec.clusterIP.includes(':') &&
    !inServiceCidr(spec.clusterIP)
  ) {
    notes.push(`${describe(object)}: clusterIP ${spec.clusterIP} is outside ${SERVICE_CIDR}; the API server allocates one`);
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  let patched = status;
  if (object.kind === 'Pod' && typeof status === 'object' && status !== null) {
    const s = { ...(status as Record<string, unknown>) };
    // The API server requires podIPs[0] == podIP (and hostIPs[0] == hostIP) on status updates.
    if (typeof s.podIP === 'string' && s.podIPs === undefined) s.podIPs = [{ ip: s.podIP }];
    if (typeof s.hostIP === 'string' && s.hostIPs === undefined) s.hostIPs = [{ ip: s.hostIP }];
    patched = s;
  }
  return { object, status: patched, notes };
}

function inServiceCidr(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  // 10.96.0.0/12 = 10.96.0.0 – 10.111.255.255
  return parts.length === 4 && parts[0] === 10 && parts[1]! >= 96 && parts[1]! <= 111;
}

/** One audit event, the fields the read-only proof needs. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  userAgent?: string;
}

/** Parses the JSON-lines audit log. */
export async function readAudit(path: string): Promise<AuditEvent[]> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEvent);
}

/** Waits until an audit event matching `pred` has been written (the log lags the response). */
export async function waitForAudit(path: string, pred: (e: AuditEvent) => boolean, timeoutMs = 10_000): Promise<AuditEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await readAudit(path);
    if (events.some(pred)) return events;
    if (Date.now() > deadline) throw new Error('the sentinel request never appeared in the audit log');
    await sleep(50);
  }
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function waitFor(what: string, child: ChildProcess, log: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what}: the process exited (${child.exitCode ?? child.signalCode}); last log lines:\n${tail(log)}`);
    try {
      if (await ready()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs / 1000} s; last log lines:\n${tail(log)}`);
    await sleep(50);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpGetText(url: string): Promise<string> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text());
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when a path exists and is a directory. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Starts `count` test clusters at once, each its own etcd and kube-apiserver (own ports, own
 * directory, own CA), for runs over several clusters of one mesh. If one fails to start, the
 * others are stopped.
 */
export async function startClusters(count: number, options: StartOptions): Promise<TestCluster[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startCluster(options.dir === undefined ? options : { ...options, dir: join(options.dir, `cluster-${i}`) }),
    ),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed === undefined) return started.map((s) => (s as PromiseFulfilledResult<TestCluster>).value);
  await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  throw failed.reason;
}

/**
 * One kubeconfig holding a context per cluster for a harness user (as `--context east --context
 * west` reads it): each context, cluster entry and user entry is named after its cluster.
 */
export async function kubeconfigForClusters(
  file: string,
  clusters: readonly { name: string; cluster: TestCluster }[],
  user = 'viewer',
): Promise<string> {
  const b64 = (dir: string, f: string): string => readFileSync(join(dir, f)).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(({ name, cluster }) => ({
      name,
      cluster: { server: cluster.server, 'certificate-authority-data': b64(cluster.dir, 'ca.crt') },
    })),
    users: clusters.map(({ name, cluster }) => ({
      name: `${name}-${user}`,
      user: { 'client-certificate-data': b64(cluster.dir, `${user}.crt`), 'client-key-data': b64(cluster.dir, `${user}.key`) },
    })),
    contexts: clusters.map(({ name }) => ({ name, context: { cluster: name, user: `${name}-${user}` } })),
    'current-context': clusters[0]?.name ?? '',
  };
  await writeFile(file, yaml.dump(doc));
  return file;
}
