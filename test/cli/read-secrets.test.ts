// `meshbook check --read-secrets`: a snapshot's Secret data is validated only when the user
// opts in; without the flag it is dropped on load and no IST0161 appears. `snapshot` has no
// such flag.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { REPO, runCli } from './helpers/run-cli.ts';

const CONTENTS = join(REPO, 'test', 'fixtures', 'gateway-secrets', 'gateway-secrets-contents.yaml');
const codes = (stdout: string): string[] => {
  const report = JSON.parse(stdout) as { checks: { findings: { code: string }[] }[] };
  return report.checks.flatMap((c) => c.findings.map((f) => f.code));
};

describe('meshbook check --read-secrets', () => {
  it("ignores the snapshot's Secret data without the flag", async () => {
    const r = await runCli(['check', '--check', 'gateway-secrets', '--snapshot', CONTENTS, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(codes(r.stdout)).toEqual([]);
  });

  it('validates the certificates with it, and shows no key material', async () => {
    const r = await runCli(['check', '--check', 'gateway-secrets', '--snapshot', CONTENTS, '--format', 'json', '--read-secrets']);
    expect(r.code).toBe(1);
    expect(codes(r.stdout)).toEqual(Array.from({ length: 6 }, () => 'IST0161'));
    expect(r.stdout).not.toMatch(/BEGIN|placeholder|LS0t/);
  });

  it('is not a snapshot flag: snapshots never hold Secret data', async () => {
    const r = await runCli(['snapshot', '--snapshot', CONTENTS, '--output', join(REPO, 'never-written'), '--read-secrets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--read-secrets/);
  });

  it('is documented in check --help', async () => {
    const r = await runCli(['check', '--help']);
    expect(r.stdout).toContain('--read-secrets');
    expect(r.stdout).toContain('meshbook-viewer-secrets');
  });
});
