// Kubeconfig loading as kubectl does it: file precedence, merging, relative paths, context
// selection, credentials (token files, exec plugins), and the message for each broken input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeconfigFiles, listContexts, resolveContext } from '../../src/cluster/kubeconfig.ts';
import { InputError } from '../../src/engine/source.ts';
import { LiveSource, GatherCache } from '../../src/cluster/live-source.ts';
import { startFakeApiServer, makeItems } from './fake-apiserver.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-kubeconfig-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const config = (o: {
  clusters?: [string, Record<string, unknown>][];
  users?: [string, Record<string, unknown>][];
  contexts?: [string, Record<string, unknown>][];
  current?: string;
}) => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: (o.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
  users: (o.users ?? []).map(([name, user]) => ({ name, user })),
  contexts: (o.contexts ?? []).map(([name, context]) => ({ name, context })),
  ...(o.current === undefined ? {} : { 'current-context': o.current }),
});

async function inputError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

describe('which files', () => {
  it('--kubeconfig wins over KUBECONFIG; KUBECONFIG splits and de-duplicates; else ~/.kube/config', () => {
    expect(kubeconfigFiles({ kubeconfig: '/a/k', env: { KUBECONFIG: '/b' } })).toEqual({ files: ['/a/k'], from: 'flag' });
    expect(kubeconfigFiles({ env: { KUBECONFIG: ['/b', '', '/c', '/b'].join(delimiter) } })).toEqual({ files: ['/b', '/c'], from: 'env' });
    expect(kubeconfigFiles({ env: {}, home: '/home/u' })).toEqual({ files: ['/home/u/.kube/config'], from: 'default' });
  });
});

describe('merging several files like kubectl', () => {
  it('first file to define a name or current-context wins; missing files are skipped', async () => {
    const a = await file(
      'merge/a.yaml',
      config({
        clusters: [['c1', { server: 'https://one.example:6443' }]],
        users: [['u1', { token: 't1' }]],
        contexts: [['dev', { cluster: 'c1', user: 'u1', namespace: 'shop' }]],
        current: 'dev',
      }),
    );
    const b = await file(
      'merge/b.yaml',
      config({
        clusters: [
          ['c1', { server: 'https://shadowed.example' }],
          ['c2', { server: 'https://two.example' }],
        ],
        users: [['u2', { token: 't2' }]],
        contexts: [
          ['dev', { cluster: 'c2', user: 'u2' }],
          ['prod', { cluster: 'c2', user: 'u2' }],
        ],
        current: 'prod',
      }),
    );
    const env = { KUBECONFIG: [a, join(dir, 'merge/missing.yaml'), b].join(delimiter) };
    const { contexts, current, files } = await listContexts({ env });
    expect(files).toEqual([a, b]);
    expect(current).toBe('dev');
    expect(contexts.map(({ fingerprint: _f, ...c }) => c)).toEqual([
      { name: 'dev', cluster: 'c1', server: 'https://one.example:6443', user: 'u1', namespace: 'shop', current: true },
      { name: 'prod', cluster: 'c2', server: 'https://two.example', user: 'u2', current: false },
    ]);
    expect(JSON.stringify(contexts)).not.toMatch(/t1|t2/);
    const prod = await resolveContext({ env, context: 'prod' });
    expect(prod).toMatchObject({ name: 'prod', cluster: 'c2', server: 'https://two.example', user: 'u2', files: [a, b] });
  });

  it('the fingerprint changes when what a context points at changes', async () => {
    const one = await file(
      'fp/1.yaml',
      config({ clusters: [['c', { server: 'https://a.example' }]], contexts: [['x', { cluster: 'c' }]], current: 'x' }),
    );
    const two = await file(
      'fp/2.yaml',
      config({ clusters: [['c', { server: 'https://b.example' }]], contexts: [['x', { cluster: 'c' }]], current: 'x' }),
    );
    const [f1, f2] = await Promise.all([one, two].map(async (k) => (await listContexts({ kubeconfig: k })).contexts[0]!.fingerprint));
    expect(f1).not.toBe(f2);
  });
});

describe('broken input becomes an InputError that says what to do', () => {
  it('a missing --kubeconfig file', async () => {
    const path = join(dir, 'nope.yaml');
    expect(await inputError(resolveContext({ kubeconfig: path }))).toBe(
      `Kubeconfig "${path}" (from --kubeconfig) does not exist. Pass an existing file, or leave out --kubeconfig to use $KUBECONFIG or ~/.kube/config.`,
    );
  });

  it('no kubeconfig at all', async () => {
    const home = join(dir, 'emptyhome');
    expect(await inputError(listContexts({ env: {}, home }))).toBe(
      `No kubeconfig found: $KUBECONFIG is not set and "${join(home, '.kube', 'config')}" does not exist. Point KUBECONFIG or --kubeconfig at a kubeconfig file, or use the demo cluster snapshot.`,
    );
  });

  it('every file in KUBECONFIG missing', async () => {
    const env = { KUBECONFIG: [join(dir, 'm1'), join(dir, 'm2')].join(delimiter) };
    expect(await inputError(listContexts({ env }))).toMatch(
      /^None of the files in \$KUBECONFIG exist \(".*m1", ".*m2"\)\. Fix KUBECONFIG, pass --kubeconfig PATH, or use the demo cluster snapshot\.$/,
    );
  });

  it('invalid YAML, with the line', async () => {
    const path = await file('bad.yaml', 'apiVersion: v1\nclusters:\n  - name: a\n   cluster: {server: x}\n');
    expect(await inputError(listContexts({ kubeconfig: path }))).toMatch(
      new RegExp(`^Kubeconfig ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: invalid YAML: .+\\. Fix the file`),
    );
  });

  it('a kubeconfig that is not a mapping, or has a malformed section', async () => {
    expect(await inputError(listContexts({ kubeconfig: await file('list.yaml', '- a\n- b\n') }))).toMatch(
      /expected a mapping with clusters, users and contexts, found a list/,
    );
    expect(await inputError(listContexts({ kubeconfig: await file('sec.yaml', 'contexts: {a: 1}\n') }))).toMatch(
      /contexts must be a list, found \{"a":1\}/,
    );
    expect(await inputError(listContexts({ kubeconfig: await file('noname.yaml', 'contexts: [{context: {cluster: c}}]\n') }))).toMatch(
      /contexts\[0\] has no name/,
    );
  });

  it('no current-context: lists the contexts to choose from', async () => {
    const path = await file(
      'nocurrent.yaml',
      config({
        clusters: [['c', { server: 'https://x.example' }]],
        contexts: [
          ['a', { cluster: 'c' }],
          ['b', { cluster: 'c' }],
        ],
      }),
    );
    expect(await inputError(resolveContext({ kubeconfig: path }))).toBe(
      `The kubeconfig (${path}) sets no current-context. Choose one with --context NAME (available: a, b), or run \`kubectl config use-context NAME\`.`,
    );
  });

  it('no such context', async () => {
    const path = await file(
      'ctx.yaml',
      config({ clusters: [['c', { server: 'https://x.example' }]], contexts: [['a', { cluster: 'c' }]], current: 'a' }),
    );
    expect(await inputError(resolveContext({ kubeconfig: path, context: 'prod' }))).toBe(
      `Context "prod" (from --context) is not in the kubeconfig (${path}); available: a.`,
    );
  });

  it('a context whose cluster or user is undefined, or whose server is not usable', async () => {
    const path = await file(
      'dangling.yaml',
      config({
        clusters: [
          ['plain', { server: 'http://127.0.0.1:8001' }],
          ['noserver', {}],
          ['ok', { server: 'https://ok.example' }],
        ],
        users: [['u', { token: 'x' }]],
        contexts: [
          ['c1', { cluster: 'gone', user: 'u' }],
          ['c2', { cluster: 'plain', user: 'u' }],
          ['c3', { cluster: 'noserver' }],
          ['c4', { cluster: 'ok', user: 'ghost' }],
        ],
      }),
    );
    expect(await inputError(resolveContext({ kubeconfig: path, context: 'c1' }))).toBe(
      'Context "c1" refers to cluster "gone", which no kubeconfig file defines.',
    );
    expect(await inputError(resolveContext({ kubeconfig: path, context: 'c2' }))).toMatch(
      /uses plain http \(http:\/\/127\.0\.0\.1:8001\); Meshbook only allows that with insecure-skip-tls-verify: true/,
    );
    expect(await inputError(resolveContext({ kubeconfig: path, context: 'c3' }))).toMatch(
      /Cluster "noserver" \(in .*\) has no server URL\./,
    );
    expect(await inputError(resolveContext({ kubeconfig: path, context: 'c4' }))).toBe(
      'Context "c4" refers to user "ghost", which no kubeconfig file defines.',
    );
    // listContexts still lists them, each with its problem.
    const { contexts } = await listContexts({ kubeconfig: path });
    expect(contexts.map((c) => c.problem !== undefined)).toEqual([true, true, true, true]);
  });

  it('a certificate file that cannot be read', async () => {
    const path = await file(
      'certs/kc.yaml',
      config({
        clusters: [['c', { server: 'https://x.example', 'certificate-authority': 'ca.crt' }]],
        contexts: [['a', { cluster: 'c' }]],
        current: 'a',
      }),
    );
    expect(await inputError(resolveContext({ kubeconfig: path }))).toMatch(
      new RegExp(`certificate-authority ".*certs/ca\\.crt" of "c" \\(in .*\\) cannot be read`),
    );
  });

  it('a device, a directory or an oversized file as the kubeconfig or a credential file: refused at once, memory bounded', async () => {
    expect(await inputError(resolveContext({ kubeconfig: '/dev/zero' }))).toBe(
      'Kubeconfig "/dev/zero" is a character device, not a file: pass the kubeconfig file itself.',
    );
    expect(await inputError(resolveContext({ kubeconfig: dir }))).toMatch(/^Kubeconfig ".*" is a directory, not a file/);
    const big = await file('big/kubeconfig.yaml', `# ${'x'.repeat(17 * 1024 * 1024)}\n`);
    expect(await inputError(resolveContext({ kubeconfig: big }))).toMatch(
      /^Kubeconfig ".*big\/kubeconfig\.yaml" is larger than 16 MiB \(17 MiB\)/,
    );
    const ca = await file(
      'devca/kc.yaml',
      config({
        clusters: [['c', { server: 'https://x.example', 'certificate-authority': '/dev/zero' }]],
        users: [['u', { token: 't' }]],
        contexts: [['a', { cluster: 'c', user: 'u' }]],
        current: 'a',
      }),
    );
    expect(await inputError(resolveContext({ kubeconfig: ca }))).toContain('"/dev/zero" is a character device, not a file');
    const token = await file(
      'devtoken/kc.yaml',
      config({
        clusters: [['c', { server: 'https://x.example' }]],
        users: [['u', { 'token-file': '/dev/zero' }]],
        contexts: [['a', { cluster: 'c', user: 'u' }]],
        current: 'a',
      }),
    );
    expect(await inputError(resolveContext({ kubeconfig: token }))).toContain('"/dev/zero" is a character device, not a file');
  });
});

describe('credentials reach the API server', () => {
  it('token-file (relative to the kubeconfig, trimmed) and relative certificate paths', async () => {
    const server = await startFakeApiServer({
      resources: [{ group: '', versions: ['v1'], plural: 'pods', kind: 'Pod', namespaced: true, items: makeItems('v1', 'Pod', 1, 'a') }],
    });
    try {
      await file('tok/token', 'sekret-token\n');
      const path = await file(
        'tok/kc.yaml',
        config({
          clusters: [['c', { server: server.url, 'insecure-skip-tls-verify': true }]],
          users: [['u', { 'token-file': 'token' }]],
          contexts: [['a', { cluster: 'c', user: 'u' }]],
          current: 'a',
        }),
      );
      const source = await LiveSource.open({ kubeconfig: path }, { cache: new GatherCache() });
      await source.gather(['v1/Pod'], { signal: new AbortController().signal });
      source.close();
      expect(server.requests[0]!.authorization).toBe('Bearer sekret-token');
    } finally {
      await server.close();
    }
  });

  it('exec credential plugins: relative command, KUBERNETES_EXEC_INFO, a missing plugin, a failing plugin', async () => {
    const server = await startFakeApiServer({
      resources: [{ group: '', versions: ['v1'], plural: 'pods', kind: 'Pod', namespaced: true, items: [] }],
    });
    try {
      const plugin = await file(
        'exec/bin/plugin.sh',
        [
          '#!/bin/sh',
          'case "$KUBERNETES_EXEC_INFO" in *\'"interactive":false\'*) ;; *) echo "no exec info" >&2; exit 3;; esac',
          'echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}\'',
          '',
        ].join('\n'),
      );
      await chmod(plugin, 0o755);
      const failing = await file('exec/bin/fail.sh', '#!/bin/sh\necho "token expired: run cloud login" >&2\nexit 1\n');
      await chmod(failing, 0o755);
      const exec = (command: string, extra: Record<string, unknown> = {}) => ({
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never', ...extra },
      });
      const path = await file(
        'exec/kc.yaml',
        config({
          clusters: [['c', { server: server.url, 'insecure-skip-tls-verify': true }]],
          users: [
            ['ok', exec('./bin/plugin.sh')],
            ['missing', exec('meshbook-no-such-plugin', { installHint: 'Install it with: brew install no-such-plugin' })],
            ['failing', exec('./bin/fail.sh')],
          ],
          contexts: [
            ['ok', { cluster: 'c', user: 'ok' }],
            ['missing', { cluster: 'c', user: 'missing' }],
            ['failing', { cluster: 'c', user: 'failing' }],
          ],
          current: 'ok',
        }),
      );
      const gather = async (context: string) => {
        const source = await LiveSource.open({ kubeconfig: path, context }, { cache: new GatherCache() });
        try {
          return await source.gather(['v1/Pod'], { signal: new AbortController().signal });
        } finally {
          source.close();
        }
      };
      expect((await gather('ok')).problems.size).toBe(0);
      expect(server.requests[0]!.authorization).toBe('Bearer from-plugin');
      await expect(gather('missing')).rejects.toMatchObject({
        name: 'SourceUnavailableError',
        reason: 'invalid',
        message:
          'The credential plugin "meshbook-no-such-plugin" of user "missing" is not installed (not found on PATH). Install it with: brew install no-such-plugin',
      });
      await expect(gather('failing')).rejects.toMatchObject({
        reason: 'invalid',
        message: `The credential plugin "${join(dir, 'exec/bin/fail.sh')}" of user "failing" failed: token expired: run cloud login — log in again (run the plugin yourself to see why).`,
      });
      // The proof (/version, /api) and the LIST of the context that had credentials; none of the others.
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

describe('credentials without the client library', () => {
  // Certificates, tokens and basic auth are applied by kubeconfig.ts itself (the library costs ~0.3 s
  // to load); the result must be what client-node's applyToHTTPSOptions gives for the same context.
  const pem = (what: string): string => `-----BEGIN ${what}-----\nMIIB${what.length}\n-----END ${what}-----\n`;
  const b64 = (text: string): string => Buffer.from(text).toString('base64');

  async function resolveOnly(name: string, cluster: Record<string, unknown>, user: Record<string, unknown> | undefined) {
    const users: [string, Record<string, unknown>][] = user === undefined ? [] : [['u', user]];
    const path = await file(
      `simple/${name}.yaml`,
      config({
        clusters: [['c', { server: 'https://api.example:6443', ...cluster }]],
        users,
        contexts: [['a', { cluster: 'c', ...(user === undefined ? {} : { user: 'u' }) }]],
        current: 'a',
      }),
    );
    return { path, resolved: await resolveContext({ kubeconfig: path }) };
  }

  async function both(name: string, cluster: Record<string, unknown>, user: Record<string, unknown> | undefined) {
    const { path, resolved } = await resolveOnly(name, cluster, user);
    const ours: Record<string, unknown> = { headers: { Accept: 'application/json' } };
    await resolved.auth.apply(ours);
    // client-node on the same resolved cluster and user (absolute paths, token-file read).
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    const { readFile } = await import('node:fs/promises');
    const { load } = await import('js-yaml');
    const doc = load(await readFile(path, 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
      users: { user: Record<string, unknown> }[];
    };
    const abs = (o: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(o).map(([k, v]) => [
          k,
          ['certificate-authority', 'client-certificate', 'client-key', 'token-file'].includes(k) ? join(dir, 'simple', String(v)) : v,
        ]),
      );
    kc.loadFromString(
      JSON.stringify(
        config({
          clusters: [['c', abs(doc.clusters[0]!.cluster)]],
          users: [['u', user === undefined ? {} : abs(doc.users[0]!.user)]],
          contexts: [['a', { cluster: 'c', user: 'u' }]],
          current: 'a',
        }),
      ),
    );
    const theirs: Record<string, unknown> = { headers: { Accept: 'application/json' } };
    await kc.applyToHTTPSOptions(theirs);
    return { resolved, ours, theirs };
  }

  const tlsAndAuth = (o: Record<string, unknown>) => ({
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    servername: o.servername,
    rejectUnauthorized: o.rejectUnauthorized,
    auth: o.auth,
    headers: o.headers,
  });

  it('client certificates and a CA, as files and as data', async () => {
    await file('simple/ca.crt', pem('CA'));
    await file('simple/client.crt', pem('CERTIFICATE'));
    await file('simple/client.key', pem('KEY'));
    const files = await both(
      'files',
      { 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes' },
      { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    );
    expect(files.resolved.auth.via).toBe('meshbook');
    expect(tlsAndAuth(files.ours)).toEqual(tlsAndAuth(files.theirs));
    expect(String(files.ours.cert)).toContain('BEGIN CERTIFICATE');
    const data = await both(
      'data',
      { 'certificate-authority-data': b64(pem('CA')) },
      { 'client-certificate-data': b64(pem('CERTIFICATE')), 'client-key-data': b64(pem('KEY')) },
    );
    expect(data.resolved.auth.via).toBe('meshbook');
    expect(tlsAndAuth(data.ours)).toEqual(tlsAndAuth(data.theirs));
    expect(String(data.ours.key)).toContain('BEGIN KEY');
  });

  it('a token, a token file, basic auth, insecure-skip-tls-verify, and no user at all', async () => {
    await file('simple/token', ' tok-123 \n');
    for (const [name, cluster, user] of [
      ['token', { 'insecure-skip-tls-verify': true }, { token: 'tok-abc' }],
      ['token-file', {}, { 'token-file': 'token' }],
      ['basic', { 'certificate-authority-data': b64(pem('CA')) }, { username: 'admin', password: 's3cret' }],
      ['anonymous', { 'certificate-authority-data': b64(pem('CA')) }, undefined],
    ] as const) {
      const r = await both(name, cluster, user);
      expect(r.resolved.auth.via, name).toBe('meshbook');
      if (name === 'token-file') {
        // We read token files trimmed, as client-go does (client-node reads them itself, untrimmed).
        expect((r.ours.headers as Record<string, string>).Authorization).toBe('Bearer tok-123');
        continue;
      }
      if (name === 'anonymous') {
        // client-node applies nothing without a user; we still pin the cluster's CA.
        expect(r.ours.ca).toEqual(Buffer.from(pem('CA')));
        continue;
      }
      expect(tlsAndAuth(r.ours), name).toEqual(tlsAndAuth(r.theirs));
    }
  });

  it('exec plugins, impersonation and a proxy-url go through the client library', async () => {
    const exec = await resolveOnly('exec', {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/true' } });
    expect(exec.resolved.auth.via).toBe('client-node');
    const as = await both('as', {}, { token: 't', as: 'someone' });
    expect(as.resolved.auth.via).toBe('client-node');
    expect((as.ours.headers as Record<string, string>)['Impersonate-User']).toBe('someone');
    const proxied = await resolveOnly('proxy', { 'proxy-url': 'http://127.0.0.1:3128' }, { token: 't' });
    expect(proxied.resolved.auth.via).toBe('client-node');
    expect(proxied.resolved.auth.proxied).toBe(true);
  });
});
