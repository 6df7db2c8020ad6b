// The live source and the CLI against a hostile server (test/helpers/hostile-apiserver.ts),
// one mode per fault. Whatever the server sends: no check passes, the reason is said (once,
// for a server that is not a readable Kubernetes API server; per kind, naming the limit hit,
// for a misbehaving one), the run ends in bounded time and memory, and only GETs (plus
// access-review POSTs) are sent — never a redirect followed to another origin.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KINDS, KIND_IDS } from '../../src/k8s/kinds.ts';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { SourceUnavailableError } from '../../src/engine/source.ts';
import type { JsonReport } from '../../src/report/report-schema.ts';
import { HOSTILE_MODES, LIST_MODES, startHostileApiServer, type HostileMode, type HostileServer } from '../helpers/hostile-apiserver.ts';
import { REPO, signal, writeKubeconfig } from '../helpers/fake-cluster.ts';
import { timedRun } from '../../tools/timed-run.ts';

const MiB = 1024 * 1024;

/** The one problem a server that cannot be read as Kubernetes gives (reason, and what the message must say). */
const SOURCE_PROBLEMS: Partial<Record<HostileMode, { reason: string; says: RegExp }>> = {
  'not-found-text': {
    reason: 'not-kubernetes',
    says: /^The server at http:\/\/127\.0\.0\.1:\d+ \(context "hostile"\) is not a Kubernetes API server: GET \/version answered 404 \(text\/plain; charset=utf-8\): "404 page not found"; GET \/api answered 404/,
  },
  'html-login': {
    reason: 'not-kubernetes',
    says: /is not a Kubernetes API server: GET \/version answered 200 \(text\/html; charset=utf-8\): "<!doctype html><html><head><title>Sign in<\/title>/,
  },
  'json-other': {
    reason: 'not-kubernetes',
    says: /is not a Kubernetes API server: GET \/version answered JSON of another shape \(an object with keys "status", "data", "version"\), not a version with major, minor and gitVersion; GET \/api answered JSON of another shape/,
  },
  'status-401': {
    reason: 'unauthorized',
    says: /rejected the credentials of user "hostile-user" in context "hostile" \(401 Unauthorized\)/,
  },
  'status-403': { reason: 'forbidden', says: /refused to list its API versions to user "hostile-user" \(GET \/api: 403 Forbidden\)/ },
  'status-500': { reason: 'server-error', says: /answered 500 to GET \/(version|api): Internal Server Error/ },
  hang: {
    reason: 'timeout',
    says: /No complete answer from the API server at http:\/\/127\.0\.0\.1:\d+ within [\d.]+ s \(GET \/(version|api)\)/,
  },
  redirect: {
    reason: 'not-kubernetes',
    says: /is not a Kubernetes API server: GET \/version answered 302 \(no content-type, a redirect to http:\/\/127\.0\.0\.1:\d+\/version \(not followed\)\)/,
  },
};

/** What every kind a misbehaving server serves says instead of data (the built-in kinds; CRD kinds are "not installed"). */
const KIND_PROBLEMS: Record<string, RegExp> = {
  'endless-continue':
    /stopped: the API server at http:\/\/127\.0\.0\.1:\d+ was still paging after \d+ pages of \d+ \(the per-kind page limit; its pagination may never end\)\. Nothing of \S+ was used; limit the run to a namespace \(--namespace\), or raise the limit with MESHBOOK_MAX_PAGES_PER_KIND/,
  'repeated-continue':
    /stopped: the API server at http:\/\/127\.0\.0\.1:\d+ sent the same continue token again after 2 pages, so its pagination would never end/,
  'huge-pages':
    /of JSON .*\(the per-(kind|run) byte limit\)\. Nothing of \S+ was used; limit the run to a namespace \(--namespace\), or raise the limit with MESHBOOK_MAX_BYTES_PER_(KIND|GATHER)/,
  'small-objects':
    /JSON values from http:\S+ \(the per-run value limit\)\. Nothing of \S+ was used; .*raise the limit with MESHBOOK_MAX_VALUES_PER_GATHER/,
  'huge-body': /The response to GET \S+ is larger than \d+ MiB/,
  'gzip-bomb': /The response to GET \S+ is larger than \d+ MiB/,
  'invalid-json': /GET \S+ did not return JSON \(content-type "application\/json"\)/,
  'deep-json': /GET \S+ returned JSON nested deeper than 100 levels/,
  'wrong-kind': /returned items\[1\] \(\S+\) of kind "Widget", not \w+: the list is not this kind's data/,
  'wrong-list-kind': /returned kind "WidgetList" instead of \w+List; nothing of \S+ was used/,
  'items-not-objects': /returned an item that is not an object \(items\[1\] is number\)/,
};

const CRD_GROUPS = (group: string): boolean => group.endsWith('istio.io') || group.startsWith('gateway.');

let dir = '';
let server: HostileServer | undefined;
const sources: LiveSource[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-hostile-'));
});
afterEach(async () => {
  for (const s of sources.splice(0)) s.close();
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(mode: HostileMode): Promise<{ server: HostileServer; kubeconfig: string }> {
  server = await startHostileApiServer(mode);
  const kubeconfig = await writeKubeconfig(join(dir, `kubeconfig-${mode}.yaml`), [{ name: 'hostile', server: server.url }], 'hostile');
  return { server, kubeconfig };
}

// Only GETs, and POSTs of access reviews (questions that change nothing).
function assertReadOnly(s: HostileServer): void {
  for (const r of s.requests) {
    if (r.method === 'GET') continue;
    expect(`${r.method} ${r.url}`).toMatch(/^POST \/apis\/authorization\.k8s\.io\/v1\/(self)?subjectaccessreviews$/);
  }
  expect(s.redirectTargetRequests).toEqual([]);
}

describe('the live source against a hostile server', () => {
  // Small limits so each case is quick; the CLI cases below keep the default byte limits.
  const options = {
    timeoutMs: 5_000,
    deadlineMs: 15_000,
    pageSize: 50,
    maxPagesPerKind: 20,
    maxResponseBytes: 16 * MiB,
    maxBytesPerKind: 24 * MiB,
    maxBytesPerGather: 48 * MiB,
    maxValuesPerGather: 4_000_000,
    cacheTtlMs: 0,
  };

  it.each(Object.entries(SOURCE_PROBLEMS))('%s: gather throws one SourceUnavailableError and lists nothing', async (mode, expected) => {
    const { server: s, kubeconfig } = await start(mode as HostileMode);
    const source = await LiveSource.open(
      { kubeconfig },
      { ...options, ...(mode === 'hang' ? { timeoutMs: 500 } : {}), cache: new GatherCache() },
    );
    sources.push(source);
    const started = performance.now();
    const error = await source.gather(KIND_IDS, { signal: signal() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceUnavailableError);
    const e = error as SourceUnavailableError;
    expect(e.reason).toBe(expected!.reason);
    expect(e.message).toMatch(expected!.says);
    // Escaped for a terminal: no control or bidi characters from the server reach the message.
    expect(e.message).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(new Set(s.requests.map((r) => r.url))).toEqual(new Set(['/version', '/api']));
    assertReadOnly(s);
  });

  it.each(Object.entries(KIND_PROBLEMS))(
    '%s: every served kind is an invalid problem naming what went wrong; nothing is kept',
    async (mode, says) => {
      const { server: s, kubeconfig } = await start(mode as HostileMode);
      const source = await LiveSource.open({ kubeconfig }, { ...options, cache: new GatherCache() });
      sources.push(source);
      const started = performance.now();
      const snap = await source.gather(KIND_IDS, { signal: signal() });
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(snap.size).toBe(0);
      for (const id of KIND_IDS) {
        const problem = snap.problems.get(id);
        if (CRD_GROUPS(KINDS[id].group)) {
          expect(problem?.reason, id).toBe('not-installed');
          continue;
        }
        expect(problem?.reason, id).toBe('invalid');
        expect(problem?.message, id).toMatch(says);
      }
      // Bounded: the page limit (20 per kind) and the byte budgets, whatever the server would send.
      expect(s.requests.length).toBeLessThan(KIND_IDS.length * 21 + 10);
      assertReadOnly(s);
    },
  );

  it('endless pagination stops at the page limit, and a repeated token at once', async () => {
    const endless = await start('endless-continue');
    const source = await LiveSource.open({ kubeconfig: endless.kubeconfig }, { ...options, cache: new GatherCache() });
    sources.push(source);
    await source.gather(['v1/Pod'], { signal: signal() });
    expect(endless.server.requests.filter((r) => r.url.startsWith('/api/v1/pods'))).toHaveLength(20);
    await endless.server.close();

    const repeated = await start('repeated-continue');
    const again = await LiveSource.open({ kubeconfig: repeated.kubeconfig }, { ...options, cache: new GatherCache() });
    sources.push(again);
    await again.gather(['v1/Pod'], { signal: signal() });
    expect(
      repeated.server.requests
        .filter((r) => r.url.startsWith('/api/v1/pods'))
        .map((r) => new URL(r.url, 'http://x').searchParams.get('continue')),
    ).toEqual([null, 'same-token']);
  });
});

interface CliRun {
  code: number | undefined;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak RSS from GNU time; without /usr/bin/time the memory bound is not checked here. */
  maxRssKb: number | undefined;
}

async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const node = join(REPO, 'node_modules', '.bin', 'node');
  const bin = join(REPO, 'bin', 'meshbook.mjs');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'MESHBOOK_CONTENT_DIR']) if (!(key in env)) delete childEnv[key];
  const r = await timedRun(node, [bin, ...args], { cwd: REPO, env: childEnv, timeoutMs: 60_000 });
  return {
    code: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: r.ms,
    maxRssKb: r.maxRssBytes === undefined ? undefined : r.maxRssBytes / 1024,
  };
}

describe('meshbook check against a hostile server (the CLI as a child process)', () => {
  // Small time limits so hangs end quickly; the byte limits stay the defaults the memory bound is about.
  const env = (kubeconfig: string): Record<string, string> => ({
    HOME: dir,
    KUBECONFIG: kubeconfig,
    MESHBOOK_REQUEST_TIMEOUT_MS: '2000',
    MESHBOOK_GATHER_DEADLINE_MS: '15000',
    MESHBOOK_MAX_PAGES_PER_KIND: '50',
  });

  it.each(HOSTILE_MODES)('%s: exit 1, no check passes, bounded time and memory, only reads', async (mode) => {
    const { server: s, kubeconfig } = await start(mode);
    const r = await runCli(['check', '--format', 'json'], env(kubeconfig));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(20_000);
    if (r.maxRssKb !== undefined) expect(r.maxRssKb * 1024).toBeLessThan(1024 * MiB);
    const report = JSON.parse(r.stdout) as JsonReport;
    const statuses = new Set(report.checks.map((c) => c.status));
    expect([...statuses].filter((st) => st !== 'error' && st !== 'skipped')).toEqual([]);
    const whole = SOURCE_PROBLEMS[mode];
    if (whole !== undefined) {
      expect(report.problem?.reason).toBe(whole.reason);
      expect(report.problem?.message).toMatch(whole.says);
      expect(report.read).toEqual({ kinds: 0, objects: 0 });
      for (const c of report.checks) expect(c.status, c.id).toBe('error');
    } else {
      expect(LIST_MODES.has(mode)).toBe(true);
      expect(report.problem).toBeUndefined();
      const errors = report.checks.filter((c) => c.status === 'error');
      expect(errors.length).toBeGreaterThan(0);
      for (const c of errors) expect(c.reason, c.id).toMatch(KIND_PROBLEMS[mode]!);
      expect(report.read?.objects).toBe(0);
    }
    assertReadOnly(s);
  });

  it('meshbook snapshot of a server that is not Kubernetes: exit 1, one line, nothing written', async () => {
    const { kubeconfig } = await start('not-found-text');
    const out = join(dir, 'snapshot-out');
    const r = await runCli(['snapshot', '--output', out], env(kubeconfig));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^meshbook: cannot read the cluster: The server at http:\/\/127\.0\.0\.1:\d+ \(context "hostile"\) is not a Kubernetes API server: GET \/version answered 404 [^\n]*\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a server that is not Kubernetes is said once in the text output', async () => {
    const { kubeconfig } = await start('html-login');
    const r = await runCli(['check'], env(kubeconfig));
    expect(r.code).toBe(1);
    expect(r.stdout.match(/is not a Kubernetes API server/g)).toHaveLength(1);
    expect(r.stdout).not.toMatch(/passed/i);
  });
});
