// envoyfilter-patches beyond its fixture cases: istioctl's wording (typos included) and the
// patches each message stands for.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('envoyfilter-patches', () => {
  it("prints istioctl's messages", async () => {
    const result = await runCase('envoyfilter-patches/envoyfilter-patches-bad.yaml');
    const message = (name: string, code: string) => result.findings.find((f) => f.resource.name === name && f.code === code)?.message;
    expect(message('replace-cluster', 'IST0152')).toBe('The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.');
    expect(message('add-routes', 'IST0153')).toBe(
      'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    );
    expect(message('remove-routes', 'IST0154')).toBe(
      'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    );
    expect(message('lua-insert', 'IST0151')).toMatch(
      /^This EnvoyFilter does not have a priority and has a relative patch operation set .* INSERT_FIRST of ADD option/,
    );
    expect(message('versioned', 'IST0155')).toMatch(/\(NSTERT_BEFORE\/AFTER, REPLACE, MERGE, DELETE\) and proxyVersion set/);
  });

  it('lists the patches behind one message', async () => {
    const result = await runCase('envoyfilter-patches/envoyfilter-patches-bad.yaml');
    const addRoutes = result.findings.find((f) => f.resource.name === 'add-routes');
    expect(addRoutes?.evidence).toEqual({
      'spec.priority': '1',
      patches: 'spec.configPatches[0]: ADD on ROUTE_CONFIGURATION; spec.configPatches[1]: ADD on HTTP_ROUTE',
    });
    const versioned = result.findings.filter((f) => f.resource.name === 'versioned').map((f) => [f.code, f.evidence?.patches]);
    expect(versioned.sort()).toEqual([
      ['IST0151', 'spec.configPatches[2]: INSERT_AFTER on HTTP_FILTER'],
      ['IST0155', 'spec.configPatches[1]: REPLACE on HTTP_FILTER'],
    ]);
  });
});
