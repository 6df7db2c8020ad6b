// Suppressions on the bundled demo: --suppress (istioctl's syntax), the project's
// meshbook.yaml (reason, last day, severity overrides) and the resource annotation.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertJsonContract } from './helpers/json-contract.ts';
import { REPO, runCli } from './helpers/run-cli.ts';
import { assertSarif } from './helpers/sarif.ts';

// One failing check on the demo: IST0173 on DestinationRule shop/cart.
const SUBSETS = ['check', '--snapshot', 'demo', '--check', 'destinationrule-subsets'];

function projectDir(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshbook-suppress-'));
  writeFileSync(join(dir, 'meshbook.yaml'), config);
  return dir;
}

describe('--suppress', () => {
  it('turns the failing check into a pass and exit 0, and lists the finding as suppressed', async () => {
    const before = await runCli([...SUBSETS, '--format', 'json']);
    expect(before.code).toBe(1);
    const after = await runCli([...SUBSETS, '--format', 'json', '--suppress', 'IST0173=DestinationRule cart.shop']);
    expect(after.code).toBe(0);
    const doc = assertJsonContract(after.stdout);
    const check = doc.checks[0]!;
    expect(check.status).toBe('pass');
    expect(check.findings).toEqual([]);
    expect(check.suppressed).toEqual([
      expect.objectContaining({
        code: 'IST0173',
        resource: { kind: 'DestinationRule', namespace: 'shop', name: 'cart' },
        suppression: { by: 'flag', reason: '--suppress "IST0173=DestinationRule cart.shop"' },
      }),
    ]);
    expect(doc.summary?.suppressed).toBe(1);
    expect(doc.summary?.findings.total).toBe(0);
  });

  it('says "1 suppressed" under the check in text, and lists it with --verbose', async () => {
    const args = [...SUBSETS, '-S', 'IST0173=DestinationRule *.shop'];
    const [short, verbose] = await Promise.all([runCli(args), runCli([...args, '--verbose'])]);
    expect(short.stdout).toContain('1 suppressed (--verbose lists them)');
    expect(short.stdout).not.toContain('IST0173');
    expect(short.stdout).toMatch(/— no findings, 1 suppressed\n$/);
    expect(verbose.stdout).toContain('IST0173  DestinationRule shop/cart — suppressed by --suppress "IST0173=DestinationRule *.shop"');
  });

  it('marks suppressed results in SARIF with SARIF suppressions', async () => {
    const run = await runCli([...SUBSETS, '--format', 'sarif', '--suppress', 'IST0173=DestinationRule cart.shop']);
    const sarif = assertSarif(run.stdout) as unknown as { runs: { results: { ruleId: string; suppressions?: unknown }[] }[] };
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === 'IST0173');
    expect(result?.suppressions).toEqual([{ kind: 'external', justification: '--suppress "IST0173=DestinationRule cart.shop"' }]);
  });

  it('rejects a value without exactly one `=` (exit 2), and warns about a code no check reports', async () => {
    const bad = await runCli([...SUBSETS, '--suppress', 'IST0173']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--suppress takes CODE=RESOURCE');
    const unknown = await runCli([...SUBSETS, '--suppress', 'IST9999=Pod x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('IST9999, which no check reports');
  });
});

describe('meshbook.yaml', () => {
  it('suppresses with its reason, from the current directory', async () => {
    const dir = projectDir(
      [
        'suppressions:',
        '  - code: IST0173',
        '    resource: DestinationRule cart.shop',
        '    reason: canary pods are scaled to zero',
        '    until: 2999-12-31',
        '',
      ].join('\n'),
    );
    const run = await runCli([...SUBSETS, '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const check = assertJsonContract(run.stdout).checks[0]!;
    expect(check.suppressed?.[0]?.suppression).toEqual({
      by: 'config',
      reason: 'IST0173=DestinationRule cart.shop: canary pods are scaled to zero',
      until: '2999-12-31',
    });
  });

  it('reports an expired suppression (text warning, JSON field) and no longer suppresses', async () => {
    const config = [
      'suppressions:',
      '  - code: IST0173',
      '    resource: "*"',
      '    reason: waiting for the canary',
      '    until: 2020-01-31',
      '',
    ].join('\n');
    const file = join(projectDir(config), 'meshbook.yaml');
    const [text, json] = await Promise.all([
      runCli([...SUBSETS, '--config', file]),
      runCli([...SUBSETS, '--config', file, '--format', 'json']),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'Expired suppression: IST0173=* ended 2020-01-31 (waiting for the canary); its findings are reported again.',
    );
    const doc = assertJsonContract(json.stdout);
    expect(doc.expiredSuppressions).toEqual([{ code: 'IST0173', resource: '*', reason: 'waiting for the canary', until: '2020-01-31' }]);
    expect(doc.checks[0]!.status).toBe('fail');
    expect(doc.summary?.suppressed).toBe(0);
  });

  it('overrides a severity per code, which changes the status and the exit code', async () => {
    const dir = projectDir('severity:\n  IST0173: warning\n');
    const run = await runCli([...SUBSETS, '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const check = assertJsonContract(run.stdout).checks[0]!;
    expect(check.status).toBe('warn');
    expect(check.findings[0]?.severity).toBe('warning');
  });

  it('is an input error (exit 2) naming the file and the field when malformed', async () => {
    const dir = projectDir('suppressions:\n  - code: IST0173\n    resource: DestinationRule cart.shop\n');
    const run = await runCli(SUBSETS, { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Invalid config file ${join(dir, 'meshbook.yaml')}: suppressions[0].reason:`);
    const badSeverity = await runCli(SUBSETS, { cwd: projectDir('severity:\n  IST0173: fatal\n') });
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toMatch(/severity\.IST0173: .*received "fatal"/);
    const missing = await runCli([...SUBSETS, '--config', join(REPO, 'no-such-meshbook.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the config file');
  });
});

describe('the analyze-suppress annotation', () => {
  it('suppresses the codes it lists on that resource', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshbook-annotated-'));
    writeFileSync(
      join(dir, 'cluster.yaml'),
      [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: legacy',
        '  annotations:',
        '    galley.istio.io/analyze-suppress: "IST0102"',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: other',
        '',
      ].join('\n'),
    );
    const run = await runCli(['check', '--snapshot', join(dir, 'cluster.yaml'), '--check', 'sidecar-injection', '--format', 'json']);
    const check = assertJsonContract(run.stdout).checks[0]!;
    expect(check.findings.map((f) => `${f.code} ${f.resource.name}`)).toContain('IST0102 other');
    expect(check.suppressed?.map((f) => [f.code, f.resource.name, f.suppression.by])).toEqual([['IST0102', 'legacy', 'annotation']]);
  });
});
