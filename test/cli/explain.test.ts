// `meshbook explain`: the verdict chain of one pod → Service port, on the demo snapshot and a
// small fixture, in text and JSON; exit codes 0 allowed, 1 blocked, 2 an unknown name (with the
// names that exist nearby). Runs the CLI's `main` in this process (the same code the binary runs).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.ts';
import type { Namespace, NetworkPolicy, Pod, Service } from '../../src/k8s/objects.ts';
import { explainQuery, type ExplainReport } from '../../src/reachability/explain-query.ts';
import { CLI_FIXTURES } from './helpers/run-cli.ts';

const FIXTURE = join(CLI_FIXTURES, 'explain', 'cluster.yaml');

async function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env: {}, stdoutIsTTY: false, out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
  const code = await main(['explain', ...args], io, new AbortController().signal);
  return { code, stdout, stderr };
}

describe('meshbook explain on the demo snapshot', () => {
  it('says why productpage cannot reach ratings, and the rule that would allow it (exit 1)', async () => {
    const r = await explain('--snapshot', 'demo', '--from', 'bookinfo/productpage-v1', '--to', 'bookinfo/ratings:9080');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('bookinfo/productpage-v1 → Service bookinfo/ratings:9080/TCP: BLOCKED');
    expect(r.stdout).toContain('egress (the source): allowed: no NetworkPolicy selects the source for egress');
    expect(r.stdout).toContain(
      'ingress (the destination): blocked: the destination is selected for ingress by bookinfo/allow-from-ambient, bookinfo/default-deny-ingress, bookinfo/prometheus-scrape, bookinfo/ratings-from-reviews-v2, and no rule of them matches',
    );
    expect(r.stdout).toContain('bookinfo/default-deny-ingress: no ingress rules (it allows nothing, it only isolates)');
    expect(r.stdout).toContain('bookinfo/ratings-from-reviews-v2 ingress rule 0: its peers (from) do not include the source');
    expect(r.stdout).toContain('append this rule to spec.ingress of NetworkPolicy bookinfo/ratings-from-reviews-v2:');
    expect(r.stdout).toContain('kubectl -n bookinfo patch networkpolicy ratings-from-reviews-v2 --type=json');
    // The rule is printed as YAML, indented under the sentence.
    expect(r.stdout).toMatch(/\n {10}- from:\n {14}- podSelector:\n {18}matchLabels:\n {20}app: productpage\n/);
  });

  it('names the rule that allows reviews-v2 to reach ratings (exit 0)', async () => {
    const r = await explain('--snapshot', 'demo', '--from', 'bookinfo/reviews-v2', '--to', 'bookinfo/ratings:http');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('bookinfo/reviews-v2 → Service bookinfo/ratings:9080/TCP: ALLOWED');
    expect(r.stdout).toContain('ingress (the destination): allowed by rule 0 of bookinfo/ratings-from-reviews-v2');
  });

  it('refuses an unknown pod with the names that exist nearby (exit 2)', async () => {
    const r = await explain('--snapshot', 'demo', '--from', 'bookinfo/productpag', '--to', 'bookinfo/ratings:9080');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^meshbook: No running pod or workload "productpag" in namespace bookinfo\. Nearby: bookinfo\/productpage-v1, /,
    );
  });

  it('refuses an unknown namespace, Service and port, each with what exists (exit 2)', async () => {
    const ns = await explain('--snapshot', 'demo', '--from', 'bookinfoo/productpage-v1', '--to', 'bookinfo/ratings:9080');
    expect([ns.code, ns.stderr]).toEqual([
      2,
      expect.stringMatching(/^meshbook: No namespace "bookinfoo" in the cluster\. Nearby: bookinfo, /),
    ]);
    const svc = await explain('--snapshot', 'demo', '--from', 'bookinfo/productpage-v1', '--to', 'bookinfo/rating:9080');
    expect([svc.code, svc.stderr]).toEqual([
      2,
      expect.stringMatching(/^meshbook: No Service "rating" in namespace bookinfo\. Nearby: bookinfo\/ratings/),
    ]);
    const port = await explain('--snapshot', 'demo', '--from', 'bookinfo/productpage-v1', '--to', 'bookinfo/ratings:90');
    expect([port.code, port.stderr]).toEqual([
      2,
      'meshbook: Service bookinfo/ratings has no port "90". Nearby: bookinfo/ratings:9080 (http).\n',
    ]);
  });

  it('rejects malformed --from and --to, and a missing one (exit 2)', async () => {
    expect((await explain('--snapshot', 'demo', '--from', 'productpage', '--to', 'bookinfo/ratings:9080')).stderr).toContain(
      '--from must be NAMESPACE/POD',
    );
    expect((await explain('--snapshot', 'demo', '--from', 'bookinfo/productpage-v1', '--to', 'bookinfo/ratings')).stderr).toContain(
      '--to must be NAMESPACE/SERVICE:PORT',
    );
    const missing = await explain('--snapshot', 'demo', '--from', 'bookinfo/productpage-v1');
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining('needs --from NS/POD and --to NS/SERVICE:PORT (missing --to)'),
    ]);
  });
});

describe('meshbook explain on a small fixture', () => {
  it('allows web → api through the named target port (exit 0, text)', async () => {
    const r = await explain('--snapshot', FIXTURE, '--from', 'shop/web-1', '--to', 'shop/api:web');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'shop/web-1 → Service shop/api:80/TCP: ALLOWED',
        '  shop/web → shop/api on target port 8080/TCP (http): allowed',
        '    pods: web-1 → api-1',
        '    hop: pod IP and target port, port 8080',
        '      egress (the source): allowed: no NetworkPolicy selects the source for egress, so everything is allowed',
        '      ingress (the destination): allowed by rule 0 of shop/api-from-web',
        '',
      ].join('\n'),
    );
  });

  it('blocks legacy/old → api in the documented JSON shape, and its fix, applied, allows it (exit 1)', async () => {
    const r = await explain('--snapshot', FIXTURE, '--from', 'legacy/old', '--to', 'shop/api:80', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ExplainReport;
    expect(report).toMatchObject({
      verdict: 'blocked',
      from: { namespace: 'legacy', name: 'old', kind: 'workload', pods: ['old-1'] },
      to: { namespace: 'shop', service: 'api', port: 80, protocol: 'TCP', name: 'web' },
      unresolved: [],
    });
    const [c] = report.connections;
    expect(c).toMatchObject({
      from: { workload: 'legacy/old' },
      to: { workload: 'shop/api', pods: ['api-1'] },
      targetPort: { port: 8080, protocol: 'TCP', name: 'http' },
      allowed: false,
    });
    const ingress = c!.hops[0]!.ingress;
    expect(ingress).toMatchObject({
      allowed: false,
      reason: 'no-rule-matches',
      policies: ['shop/api-from-web'],
      allowedBy: [],
      rules: [{ policy: 'shop/api-from-web', rule: 0, peers: false, ports: true }],
    });
    expect(c!.hops[0]!.egress).toEqual({ allowed: true, reason: 'not-isolated', policies: [], allowedBy: [], rules: [] });
    expect(ingress.fix).toMatchObject({ policy: 'shop/api-from-web', field: 'spec.ingress' });

    // The YAML the user is told to append, appended, lets the connection through.
    const objects = yaml.loadAll(await readFile(FIXTURE, 'utf8')) as { kind: string }[];
    const of = <T>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
    const policy = structuredClone(of<NetworkPolicy>('NetworkPolicy')[0]!);
    policy.spec!.ingress = [
      ...(policy.spec!.ingress ?? []),
      ...(yaml.load(ingress.fix!.yaml) as NonNullable<NetworkPolicy['spec']>['ingress'] & object[]),
    ];
    const after = explainQuery(
      { pods: of<Pod>('Pod'), namespaces: of<Namespace>('Namespace'), services: of<Service>('Service'), policies: [policy] },
      { from: { namespace: 'legacy', name: 'old' }, to: { namespace: 'shop', service: 'api', port: '80' } },
    );
    expect(after.ok && after.report.verdict).toBe('allowed');
  });

  it('refuses an unknown pod in the fixture, naming the pods of that namespace', async () => {
    const r = await explain('--snapshot', FIXTURE, '--from', 'shop/cart', '--to', 'shop/api:80');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'meshbook: No running pod or workload "cart" in namespace shop. Nearby: shop/api, shop/web, shop/api-1, shop/web-1.\n',
    );
  });
});
