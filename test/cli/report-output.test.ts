// What the terminal and CI get from the bundled demo: the short text report and its
// --verbose form, the JSON summary, SARIF for code scanning, and npx on the machine's Node.

import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertJsonContract } from './helpers/json-contract.ts';
import { REPO, runCli } from './helpers/run-cli.ts';
import { assertSarif } from './helpers/sarif.ts';

const DEMO = ['check', '--snapshot', 'demo'];

describe('the demo report in a terminal', () => {
  it('is one line per check and per finding, plus the header and the summary', async () => {
    const [text, json] = await Promise.all([runCli(DEMO), runCli([...DEMO, '--format', 'json'])]);
    expect(text.code).toBe(1);
    const { summary } = assertJsonContract(json.stdout);
    const lines = text.stdout.trimEnd().split('\n');
    // At most 3 lines per finding and 1 per check, plus Target, blank, blank, the --verbose
    // hint, Read and the summary (118 lines on the demo; the --verbose form has 349).
    expect(lines.length).toBeLessThanOrEqual(3 * summary!.findings.total + summary!.checks.total + 6);
    expect(summary!.findings.total).toBe(23);
    // Each finding on one line: severity, code, resource, message.
    expect(text.stdout).toContain(
      '  error    IST0173  DestinationRule shop/cart — The Subset canary defined in the DestinationRule does not select any pods.',
    );
    expect(text.stdout).not.toContain('evidence:');
    expect(text.stdout).not.toContain('what to do:');
    // The honest-results lines stay.
    expect(text.stdout).toMatch(/^Passed {3}webhooks — .* {2}\(read \d+ objects? of \d+ kinds?\)$/m);
    expect(lines.at(-2)).toMatch(/^Read \d+ objects of \d+ kinds\.$/);
    expect(lines.at(-1)).toBe('65 checks: 47 passed, 3 warnings, 5 failed, 10 skipped — 23 findings (6 errors, 5 warnings, 12 info)');
  });

  it("--verbose adds each finding's file and line, evidence, what to do and links", async () => {
    const r = await runCli([...DEMO, '--check', 'destinationrule-subsets', '--verbose']);
    expect(r.stdout).toContain('  error    IST0173  DestinationRule shop/cart\n');
    expect(r.stdout).toContain('at runbooks/demo-cluster/traffic-faults.yaml:1');
    expect(r.stdout).toContain('evidence:\n             spec.host: cart.shop.svc.cluster.local');
    expect(r.stdout).toMatch(/what to do: No pod anywhere has all of version=canary/);
    expect(r.stdout).toContain('docs: /concepts/traffic-management/#destinationrule-subsets · code: /reference/codes/ist0173/');
  });

  it('links to the published guide when MESHBOOK_SITE_URL names it, and refuses a URL that is not one', async () => {
    const env = { MESHBOOK_SITE_URL: 'https://guide.example.org/meshbook/' };
    const r = await runCli([...DEMO, '--check', 'destinationrule-subsets'], { env });
    expect(r.stdout).toContain('guide: https://guide.example.org/meshbook/concepts/traffic-management/#destinationrule-subsets');
    const bad = await runCli(DEMO, { env: { MESHBOOK_SITE_URL: 'guide.example.org' } });
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      'meshbook: MESHBOOK_SITE_URL is not a URL, received "guide.example.org".\n',
    ]);
  });
});

describe('--format json', () => {
  it('sums the run up: checks by status, findings by severity, objects and kinds read', async () => {
    const doc = assertJsonContract((await runCli([...DEMO, '--format', 'json'])).stdout);
    expect(doc.summary).toEqual({
      checks: { total: 65, pass: 47, warn: 3, fail: 5, error: 0, skipped: 10 },
      findings: { total: 23, error: 6, warning: 5, info: 12 },
      read: doc.read,
      suppressed: 0,
    });
    // A check that covers Kiali validations names them, as `analyzer` names istioctl's.
    expect(doc.checks.find((c) => c.id === 'ambient-enrollment')?.kiali).toEqual(['KIA1311', 'KIA1314', 'KIA1315', 'KIA1316']);
  });
});

describe('--format sarif', () => {
  it('writes a valid SARIF 2.1.0 log whose snapshot findings name the file and line', async () => {
    const r = await runCli([...DEMO, '--format', 'sarif'], { env: { MESHBOOK_SITE_URL: 'https://guide.example.org' } });
    expect([r.code, r.stderr]).toEqual([1, '']);
    const [run] = assertSarif(r.stdout).runs;
    expect(run!.results).toHaveLength(23);
    const subset = run!.results.find((x) => x.ruleId === 'IST0173')!;
    expect(subset).toMatchObject({
      level: 'error',
      message: { text: expect.stringMatching(/^The Subset canary defined in the DestinationRule/) },
    });
    expect(subset.locations[0]).toEqual({
      logicalLocations: [{ name: 'cart', fullyQualifiedName: 'DestinationRule/shop/cart', kind: 'resource' }],
      physicalLocation: {
        artifactLocation: { uri: 'runbooks/demo-cluster/traffic-faults.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 1 },
      },
    });
    expect(run!.tool.driver.rules[subset.ruleIndex!]).toMatchObject({
      id: 'IST0173',
      helpUri: 'https://guide.example.org/reference/codes/ist0173/',
    });
    expect(run!.results.filter((x) => x.level === 'note')).toHaveLength(12);
  });
});

describe("npx meshbook on the machine's Node", () => {
  it('declares an engine the README promises (Node 20 starts it) and prints no warning through npx', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines?: { node?: string } };
    expect(pkg.engines?.node).toBe('>=20');
    // npx from PATH as a user has it, without the project's node_modules/.bin (which npm
    // scripts and vitest put first): the machine's own Node, 20 on CI's machine.
    const path = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter);
    const r = await execa('npx', ['meshbook', 'list'], { cwd: REPO, reject: false, env: { PATH: path, NO_COLOR: '1' } });
    if (r.failed && r.exitCode === undefined) return; // no npx on this machine
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
  });
});
