// proxy-sync over the fake API server: istiod's /debug/syncz answers (samples in test/live/syncz/,
// in the shape istiod writes them) from each replica through the pod proxy, and the honest error
// when istiod refuses the relayed request (401), as it does on most clusters.

import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import { fakeClusters, runCheckOnFake } from '../helpers/fake-cluster.ts';
import { FIXTURES, pairs } from '../helpers/run-fixtures.ts';
import type { FakeApiServer } from './fake-apiserver.ts';

const CLUSTER = join(FIXTURES, 'proxy-sync', 'proxy-sync-cluster.yaml');
const SYNCZ_A = 'pods/istio-system/istiod-7b69d4f8c9-aaaaa:15014/debug/syncz';
const SYNCZ_B = 'pods/istio-system/istiod-7b69d4f8c9-bbbbb:15014/debug/syncz';

const clusters = fakeClusters('meshbook-proxy-sync-');

const runAgainst = (
  proxyAnswers: Record<string, { status: number; body: string }>,
): Promise<{ result: CheckResult; fake: FakeApiServer }> => runCheckOnFake(clusters, [CLUSTER], 'proxy-sync', { proxyAnswers });

const sample = async (name: string): Promise<string> => readFile(join(import.meta.dirname, 'syncz', name), 'utf8');

describe('proxy-sync on a live cluster', () => {
  it('asks every ready istiod replica and reports each proxy that is not in sync, and each meshed pod none lists', async () => {
    const { result, fake } = await runAgainst({
      [SYNCZ_A]: { status: 200, body: await sample('replica-a.json') },
      [SYNCZ_B]: { status: 200, body: await sample('replica-b.json') },
    });
    expect(result.status, result.reason).toBe('fail');
    expect(pairs(result)).toEqual(
      [
        ['MB0106', 'Pod shop/api-1'],
        ['MB0107', 'Pod shop/web-1'],
        ['MB0108', 'Pod shop/batch-1'],
        ['MB0109', 'Pod shop/orphan-1'],
      ].sort(),
    );
    const proxied = fake.requests
      .filter((r) => r.url.includes('/proxy/'))
      .map((r) => r.url)
      .sort();
    expect(proxied).toEqual([
      '/api/v1/namespaces/istio-system/pods/istiod-7b69d4f8c9-aaaaa:15014/proxy/debug/syncz',
      '/api/v1/namespaces/istio-system/pods/istiod-7b69d4f8c9-bbbbb:15014/proxy/debug/syncz',
    ]);
    const rejected = result.findings.find((f) => f.code === 'MB0106')!;
    expect(rejected.message).toBe(
      'Proxy api-1.shop rejected the LDS configuration istiod istio-system/istiod-7b69d4f8c9-bbbbb sent it (ERROR): it runs on the last configuration it accepted.',
    );
    expect(rejected.evidence?.['last error']).toContain('script load error');
    expect(rejected.evidence?.['xDS status']).toBe('CDS SYNCED, LDS ERROR');
    expect(result.findings.find((f) => f.code === 'MB0109')?.evidence?.['expected proxy ID']).toBe('orphan-1.shop');
  });

  it('says plainly that istiod refused the relayed request (401), and what to run instead', async () => {
    const { result } = await runAgainst({
      [SYNCZ_A]: { status: 401, body: '' },
      [SYNCZ_B]: { status: 401, body: '' },
    });
    expect(result.status).toBe('error');
    expect(result.findings).toEqual([]);
    expect(result.reason).toContain('answered 401 to GET /debug/syncz');
    expect(result.reason).toContain('it is istiod that refused');
    expect(result.reason).toContain('localhost');
    expect(result.reason).toContain('istioctl proxy-status');
    expect(result.reason).toContain('pilot-discovery request GET /debug/syncz');
  });

  it("reports an answer that is not istiod's list as an error, not as a pass", async () => {
    const { result } = await runAgainst({
      [SYNCZ_A]: { status: 200, body: '<html>login</html>' },
      [SYNCZ_B]: { status: 200, body: '[]' },
    });
    expect(result.status).toBe('error');
    expect(result.reason).toContain('not JSON');
  });

  it('is skipped on a snapshot', async () => {
    const report = await runChecks([getCheck('proxy-sync')!], new YamlSource([CLUSTER]));
    expect(report.checks[0]!.status).toBe('skipped');
  });
});
