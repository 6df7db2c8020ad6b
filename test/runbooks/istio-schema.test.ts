// istio-schema beyond its fixture cases: the field paths and wording, and the validator's rules.

import { describe, expect, it } from 'vitest';
import { crdSchemaFor, validateAgainstSchema } from '../../src/istio/crd-schema.ts';
import { runCase } from '../helpers/run-fixtures.ts';

const errors = (obj: Record<string, unknown>): string[] => {
  const schema = crdSchemaFor(String(obj.apiVersion), String(obj.kind));
  if (schema === undefined) throw new Error('no schema');
  return validateAgainstSchema(schema, obj).violations.map((v) => `${v.path}: ${v.message}`);
};

describe('istio-schema', () => {
  it('names the field path and what is wrong', async () => {
    const result = await runCase('istio-schema/schema-bad.yaml');
    const messages = result.findings.map((f) => f.message);
    expect(messages).toContain(
      'Schema validation error: spec.trafficPolicy.tls.mode: Unsupported value: "MUTUAL_TLS": supported values: "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"',
    );
    expect(messages).toContain(
      'Schema validation error: spec.trafficPolicy.loadBalancer: Invalid value: only one of simple, consistentHash may be set (found simple, consistentHash)',
    );
    expect(messages).toContain('Schema validation error: spec.http[0].timeOut: unknown field');
    expect(messages).toContain('Schema validation error: spec.http[0].retries.attempts: Invalid value: "string": must be of type integer');
    expect(messages).toContain('Schema validation error: spec.servers[0].port: Required value');
    expect(messages).toContain('Schema validation error: spec: Invalid value: only one of targetRefs or selector can be set');
    const tls = result.findings.find((f) => f.message.includes('MUTUAL_TLS'));
    expect(tls?.evidence).toEqual({ 'spec.trafficPolicy.tls.mode': 'MUTUAL_TLS' });
  });

  it('knows every served version, and no other', () => {
    expect(crdSchemaFor('networking.istio.io/v1alpha3', 'VirtualService')).toBe(crdSchemaFor('networking.istio.io/v1', 'VirtualService'));
    expect(crdSchemaFor('networking.istio.io/v2', 'VirtualService')).toBeUndefined();
    expect(crdSchemaFor('v1', 'Pod')).toBeUndefined();
  });

  it.each([
    [{ spec: { host: 'a', trafficPolicy: { portLevelSettings: [{ port: { number: 80 } }] } } }, []],
    [
      { spec: { host: 'a', trafficPolicy: { connectionPool: { tcp: { maxConnections: 'x' } } } } },
      ['spec.trafficPolicy.connectionPool.tcp.maxConnections'],
    ],
    [{ spec: { trafficPolicy: {} } }, ['spec.host: Required value']],
    [{ spec: { host: 'a' }, extra: 1 }, ['extra: unknown field']],
  ])('DestinationRule %j', (body, expected) => {
    const got = errors({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'x' }, ...body });
    expect(got.length).toBe(expected.length);
    expected.forEach((e, i) => expect(got[i]).toContain(e));
  });

  it('evaluates the CEL rules it knows and counts the others as skipped', () => {
    const se = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x' } };
    expect(errors({ ...se, spec: { hosts: ['*'] } })).toEqual(['spec.hosts[0]: Invalid value: hostname cannot be wildcard']);
    expect(
      errors({
        ...se,
        spec: {
          hosts: ['a.example'],
          ports: [
            { number: 80, name: 'a' },
            { number: 80, name: 'b' },
          ],
        },
      }),
    ).toHaveLength(1);
    expect(errors({ ...se, spec: { hosts: ['a.example'], addresses: ['10.0.0.0/24'], resolution: 'DNS' } })).toHaveLength(1);
    const schema = crdSchemaFor('extensions.istio.io/v1alpha1', 'WasmPlugin')!;
    const result = validateAgainstSchema(schema, {
      apiVersion: 'extensions.istio.io/v1alpha1',
      kind: 'WasmPlugin',
      metadata: { name: 'x' },
      spec: { url: 'oci://example/x:1' },
    });
    expect(result.violations).toEqual([]);
    expect([...result.skippedRules.keys()].some((r) => r.includes('isURL'))).toBe(true);
  });
});

describe('istio-schema: VirtualService rules never used', () => {
  it('words IST0130 and IST0131 as istioctl does, with the shadowed and the shadowing paths', async () => {
    const dup = await runCase('istio-schema/vs-duplicate-match.yaml');
    expect(dup.findings.map((f) => `${f.code} ${f.severity} ${f.message}`).sort()).toEqual([
      'IST0130 warning VirtualService rule "carts-again" not used (all matches used by prior rules).',
      'IST0131 info VirtualService rule "carts-again" match #0 is not used (duplicate/overlapping match in rule "carts").',
      'IST0131 info VirtualService rule "carts-or-orders" match "carts-v3" is not used (duplicate/overlapping match in rule "carts").',
      'IST0131 info VirtualService rule #1 match #1 is not used (duplicate/overlapping match in rule #0).',
    ]);
    const tls = dup.findings.find((f) => f.resource.name === 'payments-sni');
    expect(tls?.evidence).toEqual({
      'spec.tls[1].match[1]': '{"port":443,"sniHosts":["pay.example.com"]}',
      'shadowed by': 'spec.tls[0].match[0]: {"port":443,"sniHosts":["pay.example.com"]}',
    });

    const overlap = await runCase('istio-schema/vs-prefix-overlap.yaml');
    expect(overlap.findings.map((f) => f.message)).toContain(
      'VirtualService rule "items" match #1 of prefix /api/items/new is not used (duplicate/overlapping match in rule #0 of prefix /api/items on "items").',
    );

    const catchAll = await runCase('istio-schema/vs-rule-after-catch-all.yaml');
    expect(catchAll.findings.map((f) => f.message).sort()).toEqual([
      'VirtualService rule "canary" not used (route without matches defined before).',
      'VirtualService rule #1 not used (only the last rule can have no matches).',
    ]);
  });
});
