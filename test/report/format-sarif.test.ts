import { describe, expect, it } from 'vitest';
import { listCodes } from '../../src/engine/codes.ts';
import { formatSarif } from '../../src/report/format-sarif.ts';
import { assertSarif } from '../cli/helpers/sarif.ts';
import { HOSTILE, hostileReport, mixedReport, unusualReport } from '../cli/helpers/sample-report.ts';

describe('formatSarif', () => {
  it.each([
    ['mixed', mixedReport],
    ['unusual', unusualReport],
    ['hostile', hostileReport],
  ])('renders the %s report as a valid SARIF 2.1.0 log', (_, make) => {
    for (const siteUrl of [undefined, 'https://guide.example.org/meshbook/']) assertSarif(formatSarif(make(), { siteUrl }));
  });

  it('is checked by a validator that rejects what SARIF does not allow', () => {
    const doc = JSON.parse(formatSarif(mixedReport())) as {
      runs: { results: { level: string }[]; tool: { driver: { rules: { helpUri?: string }[] } } }[];
    };
    doc.runs[0]!.results[0]!.level = 'info';
    expect(() => assertSarif(JSON.stringify(doc))).toThrow();
    const relative = JSON.parse(formatSarif(mixedReport())) as typeof doc;
    relative.runs[0]!.tool.driver.rules[0]!.helpUri = '/reference/codes/ist0101/';
    expect(() => assertSarif(JSON.stringify(relative))).toThrow();
  });

  it('has a rule per registered code: title, meaning, fix and, with a site URL, its reference page', () => {
    const [run] = assertSarif(formatSarif(mixedReport(), { siteUrl: 'https://guide.example.org/meshbook' })).runs;
    const rules = run!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(listCodes().map((c) => c.id));
    expect(rules.find((r) => r.id === 'IST0162')).toEqual({
      id: 'IST0162',
      name: 'GatewayPortNotDefinedOnItsService',
      shortDescription: { text: expect.any(String) },
      fullDescription: { text: listCodes().find((c) => c.id === 'IST0162')!.def.meaning },
      help: { text: listCodes().find((c) => c.id === 'IST0162')!.def.fix },
      helpUri: 'https://guide.example.org/meshbook/reference/codes/ist0162/',
      defaultConfiguration: { level: 'warning' },
    });
    // SARIF wants an absolute helpUri: without a site URL there is none.
    const bare = assertSarif(formatSarif(mixedReport())).runs[0]!.tool.driver.rules;
    expect(bare.every((r) => r.helpUri === undefined)).toBe(true);
  });

  it('reports each finding with its rule, level, message, the object and its file and line', () => {
    const [run] = assertSarif(formatSarif(mixedReport())).runs;
    expect(run!.results).toHaveLength(7);
    const e2 = run!.results.find((r) => r.message.text === 'warning about e2')!;
    expect(e2).toMatchObject({ ruleId: 'IST0162', level: 'warning' });
    expect(run!.tool.driver.rules[e2.ruleIndex!]!.id).toBe('IST0162');
    expect(e2.locations).toEqual([
      {
        logicalLocations: [{ name: 'e2', fullyQualifiedName: 'Gateway/shop/e2', kind: 'resource' }],
        physicalLocation: { artifactLocation: { uri: 'snap/gw.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } },
      },
    ]);
    expect(run!.results.find((r) => r.message.text === 'error about d1')!.locations[0]!.physicalLocation).toBeUndefined();
  });

  it('maps info to note, and says which checks did not run or were cut', () => {
    const [run] = assertSarif(formatSarif(unusualReport())).runs;
    expect(run!.results.map((r) => r.level)).toEqual(['error', 'note']);
    expect(run!.invocations[0]!.executionSuccessful).toBe(false);
    expect(run!.invocations[0]!.toolExecutionNotifications!.map((n) => [n.level, n.message.text])).toEqual([
      ['note', 'needs-probes was skipped: Skipped: needs a live cluster.'],
      ['error', 'throws could not run: The check failed: boom'],
      ['warning', 'informs: 3 more findings not reported (output bound reached).'],
    ]);
  });

  it('keeps hostile data as JSON string data and file paths as escaped URI references', () => {
    const report = hostileReport();
    report.checks[0]!.findings[0]!.location = { file: `snap dir/${HOSTILE}.yaml`, line: 3 };
    const out = formatSarif(report);
    const [run] = assertSarif(out).runs;
    expect(run!.results[0]!.message.text).toBe(`Referenced selector not found: "${HOSTILE}"`);
    expect(run!.results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri).toMatch(/^snap%20dir\/%3Cb%3Ex%3C\/b%3E%20%26%20%22q%22/);
  });
});
