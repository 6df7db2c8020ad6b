// Who a dev page is rendered for: the token and the kubeconfig's contexts reach a page only
// when its socket is loopback and it was asked for by a loopback name; a client elsewhere
// that sends `Host: localhost` gets the readable guide without them. And a kubeconfig that
// exists but cannot be read is reported (file, line, reason), once in the terminal and on
// every page, instead of silently leaving only the snapshots.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devRunnerAccess, markClient, setDevRunnerState, type DevRunnerState } from '../../src/server/dev-state.ts';
import { devTargets, readContextTargets } from '../../src/server/targets.ts';
import { REPO, writeKubeconfig } from '../helpers/fake-cluster.ts';

const STATE: DevRunnerState = { token: 'secret-token', endpoint: '/__meshbook/run', targets: [] };

// The Node request as Vite hands it to the integration's middleware; only the socket matters here.
function nodeRequest(remoteAddress: string | undefined): IncomingMessage {
  return { socket: { remoteAddress } } as unknown as IncomingMessage;
}

// The page's view of that request: Astro passes the request's locals on to the render.
function pageFor(remoteAddress: string | undefined, host: string): { url: URL; locals: object } {
  const req = nodeRequest(remoteAddress);
  markClient(req);
  return { url: new URL(`http://${host}/introduction/`), locals: Reflect.get(req, Symbol.for('astro.locals')) as object };
}

describe('devRunnerAccess', () => {
  afterEach(() => setDevRunnerState(undefined));

  it('is the archive form outside astro dev', () => {
    expect(devRunnerAccess(pageFor('127.0.0.1', 'localhost:4321')).kind).toBe('static');
  });

  describe.each([
    ['127.0.0.1', 'localhost:4321', 'local'],
    ['::1', '[::1]:4321', 'local'],
    ['::ffff:127.0.0.1', '127.0.0.1:4321', 'local'],
    // Another machine naming the server as localhost: the Host header proves nothing.
    ['192.0.2.2', 'localhost:4321', 'remote'],
    ['::ffff:192.0.2.2', '127.0.0.1:4321', 'remote'],
    ['2001:db8::2', '[::1]:4321', 'remote'],
    [undefined, 'localhost:4321', 'remote'],
    // A DNS-rebound page comes over loopback under a foreign name.
    ['127.0.0.1', 'evil.example:4321', 'remote'],
  ])('a socket from %j asking for %s', (remote, host, expected) => {
    it(`is ${expected}`, () => {
      setDevRunnerState(STATE);
      const access = devRunnerAccess(pageFor(remote, host));
      expect(access.kind).toBe(expected);
      expect(JSON.stringify(access)).toBe(
        expected === 'local' ? JSON.stringify({ kind: 'local', state: STATE }) : JSON.stringify({ kind: 'remote' }),
      );
    });
  });

  it('treats a request the middleware never marked as remote', () => {
    setDevRunnerState(STATE);
    expect(devRunnerAccess({ url: new URL('http://localhost:4321/'), locals: {} }).kind).toBe('remote');
  });

  it('keeps locals another middleware already set', () => {
    const req = nodeRequest('127.0.0.1');
    Reflect.set(req, Symbol.for('astro.locals'), { other: 1 });
    markClient(req);
    expect(Reflect.get(req, Symbol.for('astro.locals'))).toMatchObject({ other: 1 });
  });
});

describe('kubeconfig problems in the target list', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'meshbook-dev-access-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('says nothing when there is no kubeconfig at all', async () => {
    expect(await readContextTargets({ env: { KUBECONFIG: join(tmp, 'absent') }, home: tmp })).toEqual({ targets: [] });
    expect(await readContextTargets({ env: {}, home: tmp })).toEqual({ targets: [] });
  });

  it('names the file, the line and the reason of malformed YAML', async () => {
    const file = join(tmp, 'bad-yaml');
    await writeFile(file, 'apiVersion: v1\nclusters:\n  - name: a\n   cluster: {server: https://x}\n');
    const read = await readContextTargets({ env: { KUBECONFIG: file }, home: tmp });
    expect(read.targets).toEqual([]);
    expect(read.problem).toMatch(new RegExp(`^Kubeconfig ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: invalid YAML: `));
  });

  it('names the file and the reason of a wrong shape', async () => {
    const file = join(tmp, 'bad-shape');
    await writeFile(file, 'clusters: "not a list"\n');
    const read = await readContextTargets({ env: { KUBECONFIG: file }, home: tmp });
    expect(read.problem).toBe(`Kubeconfig ${file}: clusters must be a list, found "not a list".`);
  });

  it('reports a problem once in the terminal, on every survey to the page, and says when it is fixed', async () => {
    const file = join(tmp, 'changing');
    await writeFile(file, 'clusters: [\n');
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const targets = devTargets({ root: REPO, env: { KUBECONFIG: file }, home: tmp, log });
    const first = await targets.survey!();
    const second = await targets.survey!();
    expect(first.kubeconfigProblem).toMatch(/invalid YAML/);
    expect(second.kubeconfigProblem).toBe(first.kubeconfigProblem);
    // The runs over several clusters (the two-cluster demo) are listed apart, in their own group.
    expect(first.targets.filter((t) => t.group !== 'fleet').map((t) => t.id)).toEqual(['demo']);
    expect(lines).toEqual([`warn ${first.kubeconfigProblem} The page offers the snapshots only until it is fixed.`]);

    await writeKubeconfig(file, [{ name: 'ok', server: 'https://ok.example:6443' }], 'ok');
    const fixed = await targets.survey!();
    expect(fixed.kubeconfigProblem).toBeUndefined();
    expect(fixed.targets.filter((t) => t.group !== 'fleet').map((t) => t.id)).toEqual(['demo', 'context:ok']);
    expect(lines.at(-1)).toBe('info The kubeconfig is readable again; its contexts are back in the target list.');
    expect(lines).toHaveLength(2);
  });
});
