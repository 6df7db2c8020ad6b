// webhook-path over the fake API server: the GET istiod's webhook readiness takes through the
// service proxy (https scheme, the https-webhook port name), for each revision the webhook
// configurations name; 200 passes, 503 and a backend that never answers are findings, a
// forbidden proxy is an error result, and a snapshot skips the check.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import { fakeClusters, runCheckOnFake } from '../helpers/fake-cluster.ts';
import { FIXTURES, pairs } from '../helpers/run-fixtures.ts';
import type { FakeApiServer } from './fake-apiserver.ts';

const CLUSTER = join(FIXTURES, 'webhook-path', 'webhook-path-cluster.yaml');
const DEFAULT = 'services/istio-system/https:istiod:https-webhook/httpsReady';
const CANARY = 'services/istio-system/https:istiod-canary:https-webhook/httpsReady';
const UNREACHABLE = {
  status: 503,
  body: JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'error trying to reach service: dial tcp 10.8.0.12:15017: i/o timeout',
    reason: 'ServiceUnavailable',
    code: 503,
  }),
};

const clusters = fakeClusters('meshbook-webhook-path-');

const runAgainst = (
  proxyAnswers: Record<string, { status: number; body: string } | 'hang'>,
): Promise<{ result: CheckResult; fake: FakeApiServer }> =>
  runCheckOnFake(clusters, [CLUSTER], 'webhook-path', { proxyAnswers }, { checkTimeoutMs: 15_000 });

describe('webhook-path on a live cluster', () => {
  it('passes when istiod answers through the API server, asking once per revision with https and the port name', async () => {
    const { result, fake } = await runAgainst({ [DEFAULT]: { status: 200, body: '' }, [CANARY]: { status: 200, body: '' } });
    expect(result.status, result.reason).toBe('pass');
    const proxied = fake.requests
      .filter((r) => r.url.includes('/proxy/'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(proxied).toEqual([
      'GET /api/v1/namespaces/istio-system/services/https:istiod-canary:https-webhook/proxy/httpsReady',
      'GET /api/v1/namespaces/istio-system/services/https:istiod:https-webhook/proxy/httpsReady',
    ]);
  });

  it('reports a 503 from the proxy with the API server answer and the private-cluster firewall fix', async () => {
    const { result } = await runAgainst({ [DEFAULT]: UNREACHABLE, [CANARY]: { status: 200, body: '' } });
    expect(result.status).toBe('fail');
    expect(pairs(result)).toEqual([['MB0604', 'Service istio-system/istiod']]);
    const f = result.findings[0]!;
    expect(f.evidence?.['API server answered']).toContain('503');
    expect(f.evidence?.['API server answered']).toContain('dial tcp 10.8.0.12:15017: i/o timeout');
    expect(f.evidence?.['called by']).toBe(
      'MutatingWebhookConfiguration istio-sidecar-injector, ValidatingWebhookConfiguration istio-validator-istio-system',
    );
    expect(f.remediation).toMatch(/GKE.*15017.*control plane's CIDR/);
  });

  it('reports a backend that never answers as a finding, not a timed-out check', async () => {
    const { result } = await runAgainst({ [DEFAULT]: { status: 200, body: '' }, [CANARY]: 'hang' });
    expect(result.status, result.reason).toBe('fail');
    expect(pairs(result)).toEqual([['MB0604', 'Service istio-system/istiod-canary']]);
    expect(result.findings[0]!.evidence?.['API server answered']).toMatch(/no answer within 6 s/);
  }, 20_000);

  it('a forbidden proxy subresource is an error result naming services/proxy', async () => {
    const forbidden = {
      status: 403,
      body: JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'services "https:istiod:https-webhook" is forbidden: User "viewer" cannot get resource "services/proxy"',
        reason: 'Forbidden',
        code: 403,
      }),
    };
    const { result } = await runAgainst({ [DEFAULT]: forbidden, [CANARY]: forbidden });
    expect(result.status).toBe('error');
    expect(result.findings).toEqual([]);
    expect(result.reason).toMatch(/needs `get` on services\/proxy in namespace istio-system/);
  });

  it('is skipped on a snapshot', async () => {
    const report = await runChecks([getCheck('webhook-path')!], new YamlSource([CLUSTER]));
    expect(report.checks[0]!.status).toBe('skipped');
  });
});
