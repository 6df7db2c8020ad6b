// istiod-registry over the fake API server: istiod's /debug/registryz answer (in the shape istiod
// writes it: model.Service with `hostname` and `Attributes`) through the pod proxy, and the honest
// error when istiod refuses the relayed request (401).

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import { parseRegistryz } from '../../runbooks/network-layers/istiod-registry.ts';
import { fakeClusters, runCheckOnFake } from '../helpers/fake-cluster.ts';
import { FIXTURES, pairs } from '../helpers/run-fixtures.ts';
import type { FakeApiServer } from './fake-apiserver.ts';

const CLUSTER = join(FIXTURES, 'istiod-registry', 'istiod-registry-cluster.yaml');
const REGISTRYZ = 'pods/istio-system/istiod-5d8f7c9b6d-aaaaa:15014/debug/registryz';

/** A registry entry as istiod writes it (trimmed to the fields that matter, plus some that do not). */
const entry = (name: string, namespace: string, registry = 'Kubernetes'): Record<string, unknown> => ({
  Attributes: { ServiceRegistry: registry, Name: name, Namespace: namespace, Labels: null, ExportTo: null },
  ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
  hostname: `${name}.${namespace}.svc.cluster.local`,
  clusterVIPs: { Addresses: { Kubernetes: ['10.96.0.10'] } },
  Resolution: 0,
  MeshExternal: false,
});

const clusters = fakeClusters('meshbook-istiod-registry-');

const runAgainst = (answer: { status: number; body: string }): Promise<{ result: CheckResult; fake: FakeApiServer }> =>
  runCheckOnFake(clusters, [CLUSTER], 'istiod-registry', { proxyAnswers: { [REGISTRYZ]: answer } });

describe('istiod-registry on a live cluster', () => {
  it('passes when istiod lists every Service of the meshed, discovered namespaces', async () => {
    const body = JSON.stringify([
      entry('cart', 'shop'),
      entry('web', 'shop'),
      entry('kubernetes', 'default'),
      entry('api.example.com', 'shop', 'External'),
    ]);
    const { result, fake } = await runAgainst({ status: 200, body });
    expect(result.status, result.reason).toBe('pass');
    expect(result.findings).toEqual([]);
    expect(fake.requests.filter((r) => r.url.includes('/proxy/')).map((r) => r.url)).toEqual([
      '/api/v1/namespaces/istio-system/pods/istiod-5d8f7c9b6d-aaaaa:15014/proxy/debug/registryz',
    ]);
  });

  it('reports exactly the Service istiod lacks, with the hostname, the registry size and the istiod asked', async () => {
    const { result } = await runAgainst({ status: 200, body: JSON.stringify([entry('cart', 'shop'), entry('kubernetes', 'default')]) });
    expect(result.status, result.reason).toBe('fail');
    // hidden/api is outside discoverySelectors (discovery-selectors' finding); plain is not meshed.
    expect(pairs(result)).toEqual([['MB0208', 'Service shop/web']]);
    const finding = result.findings[0]!;
    expect(finding.message).toContain("istiod's registry has no entry for Service shop/web: ");
    expect(finding.evidence).toMatchObject({
      'hostname looked for': 'web.shop.svc.cluster.local',
      'registry size': '2 service(s)',
      'istiod asked': 'istio-system/istiod-5d8f7c9b6d-aaaaa',
    });
  });

  it('says plainly that istiod refused the relayed request (401), and what to run instead', async () => {
    const { result } = await runAgainst({ status: 401, body: '' });
    expect(result.status).toBe('error');
    expect(result.findings).toEqual([]);
    expect(result.reason).toContain('answered 401 to GET /debug/registryz');
    expect(result.reason).toContain('it is istiod that refused');
    expect(result.reason).toContain('localhost');
    expect(result.reason).toContain('istioctl x internal-debug registryz');
    expect(result.reason).toContain('pilot-discovery request GET /debug/registryz');
  });

  it("reports an answer that is not istiod's list as an error, not as a pass", async () => {
    const { result } = await runAgainst({ status: 200, body: '{"services": []}' });
    expect(result.status).toBe('error');
    expect(result.reason).toContain('not a list of services');
  });

  it('is skipped on a snapshot', async () => {
    const report = await runChecks([getCheck('istiod-registry')!], new YamlSource([CLUSTER]));
    expect(report.checks[0]!.status).toBe('skipped');
  });
});

describe('parseRegistryz', () => {
  it('keeps entries with a hostname and tolerates missing or odd attributes', () => {
    const body = JSON.stringify([
      entry('cart', 'shop'),
      { hostname: 'x.y.svc.cluster.local' },
      { Attributes: 'odd', hostname: 'z.ns.svc.cluster.local' },
      { Attributes: {} },
      null,
      7,
    ]);
    expect(parseRegistryz(body, 'istiod')).toEqual([
      { hostname: 'cart.shop.svc.cluster.local', namespace: 'shop', name: 'cart' },
      { hostname: 'x.y.svc.cluster.local', namespace: '', name: '' },
      { hostname: 'z.ns.svc.cluster.local', namespace: '', name: '' },
    ]);
    expect(parseRegistryz('', 'istiod')).toEqual([]);
    expect(parseRegistryz('null', 'istiod')).toEqual([]);
    expect(() => parseRegistryz('<html>', 'istiod')).toThrow(/not JSON/);
  });
});
