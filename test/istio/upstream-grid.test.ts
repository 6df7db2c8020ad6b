// istioctl's own analyzer test grid (analyzers_test.go in istio/istio at the version our istioctl
// is built from), run through the checks that mirror each analyzer (tools/istio-grid/). Agreement
// is a ratchet: AGREED_AT_LEAST is what was measured, raised as checks land, never lowered to make
// a change pass. Skipped with a message when istio's source is not in the Go module cache.

import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { defineCheck, type Check } from '../../src/engine/check.ts';
import { allAnalyzerNames } from '../../tools/istio-grid/analyzer-metadata.ts';
import { locateIstio } from '../../tools/istio-grid/locate-istio.ts';
import { mirroredAnalyzers, SCHEMA_FAMILY } from '../../tools/istio-grid/mirrors.ts';
import { NOT_APPLICABLE } from '../../tools/istio-grid/not-applicable.ts';
import { parseGrid } from '../../tools/istio-grid/parse-grid.ts';
import { renderGrid, runGrid, tabulate } from '../../tools/istio-grid/run-grid.ts';

/** Upstream cases whose expected (code, resource) multiset our checks give exactly. */
const AGREED_AT_LEAST = 103;

const istio = locateIstio();
if ('missing' in istio) console.warn(`[upstream-grid] SKIPPED: ${istio.missing}.`);
const dir = 'dir' in istio ? istio.dir : '';

describe('parseGrid', () => {
  // A grid entry in the shape analyzers_test.go uses, written for this test.
  const source = `package analyzers

import (
	"istio.io/istio/pkg/config/analysis/analyzers/gateway"
	schemaValidation "istio.io/istio/pkg/config/analysis/analyzers/schema"
)

var testGrid = []testCase{
	{
		name:       "two \\"quoted\\" {braces}",
		inputFiles: []string{"testdata/a.yaml", "testdata/b.yaml"},
		meshConfigFile: "testdata/mesh.yaml",
		analyzer:   &gateway.SecretAnalyzer{},
		expected: []message{
			// a comment with {msg.Fake, "Pod x"}
			{msg.ReferencedResourceNotFound, "Gateway shop/web"},
			{msg.InvalidGatewayCredential, "Gateway web"},
		},
	},
	{
		name:       "schema",
		inputFiles: []string{"testdata/c.yaml"},
		analyzer:   schemaValidation.CollectionValidationAnalyzer(collections.VirtualService),
		expected:   []message{},
		skipAll:    true,
	},
}
`;

  it('reads names, files, mesh files, the analyzer and the expected pairs', () => {
    const cases = parseGrid(source);
    expect(cases).toEqual([
      {
        index: 0,
        name: 'two "quoted" {braces}',
        inputFiles: ['testdata/a.yaml', 'testdata/b.yaml'],
        meshConfigFile: 'testdata/mesh.yaml',
        analyzerType: 'gateway.SecretAnalyzer',
        analyzerDir: 'gateway',
        expected: [
          { message: 'ReferencedResourceNotFound', origin: 'Gateway shop/web' },
          { message: 'InvalidGatewayCredential', origin: 'Gateway web' },
        ],
        skipAll: false,
      },
      {
        index: 1,
        name: 'schema',
        inputFiles: ['testdata/c.yaml'],
        analyzerType: 'schema.ValidationAnalyzer.VirtualService',
        analyzerDir: 'schema',
        expected: [],
        skipAll: true,
      },
    ]);
  });

  it('refuses an entry it cannot read rather than guessing', () => {
    expect(() => parseGrid(source.replace('&gateway.SecretAnalyzer{}', 'gateway.New()'))).toThrow(/testGrid\[0\].*analyzer is neither/);
    expect(() => parseGrid(source.replace('{msg.InvalidGatewayCredential, "Gateway web"}', 'someHelper()'))).toThrow(
      /cannot read expected entry near "someHelper\(\)/,
    );
  });
});

describe.skipIf('missing' in istio)('istioctl analyzer test grid', () => {
  it(`agrees on at least ${AGREED_AT_LEAST} upstream cases`, async () => {
    const results = await runGrid(dir);
    console.log(renderGrid(results, dir));
    const { total } = tabulate(results);
    expect(total.cases).toBeGreaterThan(100);
    expect(total.agree).toBeGreaterThanOrEqual(AGREED_AT_LEAST);
  });

  it('fails a case when a mirroring check stops reporting (the comparison can fail)', async () => {
    const gatewayPorts = CHECKS.find((c) => c.analyzer === 'gateway.IngressGatewayPortAnalyzer');
    expect(gatewayPorts).toBeDefined();
    const silent: Check = defineCheck({ ...gatewayPorts!, inputs: gatewayPorts!.inputs, analyze() {} });
    const results = await runGrid(dir, { analyzer: 'gateway.IngressGatewayPortAnalyzer', checks: [silent] });
    const byName = new Map(results.map((r) => [r.name, r]));
    expect(byName.get('gatewayBadPort')?.outcome).toEqual({
      status: 'disagree',
      missing: ['IST0162 Gateway httpbin-gateway'],
      unexpected: [],
      errors: [],
    });
    // A case that expects nothing still agrees.
    expect(byName.get('gatewayCorrectPort')?.outcome).toEqual({ status: 'agree' });
  });

  it("applies a case's meshConfig file (without it, this case's ServiceEntries would need addresses)", async () => {
    const results = await runGrid(dir, { analyzer: 'serviceentry.Analyzer' });
    const withMesh = results.filter((r) =>
      r.name.startsWith('missing Addresses and Protocol in Service Entry with ISTIO_META_DNS_AUTO_ALLOCATE'),
    );
    expect(withMesh.map((r) => [r.expected, r.outcome.status])).toEqual([[[], 'agree']]);
  });

  it('every analyzer istioctl runs is mirrored by a check or listed as not applicable, with a reason', () => {
    const all = allAnalyzerNames(dir);
    const mirrored = mirroredAnalyzers(CHECKS, all);
    expect(all.filter((a) => !mirrored.has(a) && NOT_APPLICABLE[a] === undefined)).toEqual([]);
    // An entry for an analyzer a check now mirrors, or for no analyzer at all, is stale.
    expect(Object.keys(NOT_APPLICABLE).filter((a) => mirrored.has(a))).toEqual([]);
    expect(Object.keys(NOT_APPLICABLE).filter((a) => !all.includes(a))).toEqual([]);
    expect(Object.entries(NOT_APPLICABLE).filter(([, why]) => why.trim() === '')).toEqual([]);
    // A check's analyzer field names a real analyzer (a typo would mirror nothing).
    const known = new Set([...all, 'annotations.AlphaAnalyzer', SCHEMA_FAMILY]);
    expect(CHECKS.flatMap((c) => (c.analyzer === undefined || known.has(c.analyzer) ? [] : [`${c.id}: ${c.analyzer}`]))).toEqual([]);
  });
});
