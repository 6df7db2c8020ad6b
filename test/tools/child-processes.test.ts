// A child process that fails, is killed or hangs is reported with its command, how it ended and
// its output (execa's errors), never as a bare exit code.

import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAstroBuild } from '../../src/publish/astro-build.ts';
import { timedRun } from '../../tools/timed-run.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-children-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('timedRun', () => {
  it("returns a failing exit as a result, with the child's own stderr and (with GNU time) its peak RSS", async () => {
    const r = await timedRun(process.execPath, ['-e', 'process.stdout.write("out\\n"); process.stderr.write("err\\n"); process.exit(3)'], {
      timeoutMs: 30_000,
    });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([3, 'out\n', 'err\n']);
    expect(r.command).toContain(process.execPath);
    if (existsSync('/usr/bin/time')) expect(r.maxRssBytes).toBeGreaterThan(0);
  });

  it('kills a child that outlives its timeout and throws with the command and what it printed', async () => {
    const run = timedRun(process.execPath, ['-e', 'console.log("started"); setInterval(() => {}, 1000)'], { timeoutMs: 1_000 });
    await expect(run).rejects.toThrow(/canceled: .*node.*timed out after 1000 ms.*started/s);
  });

  it('throws when the command cannot start, naming it', async () => {
    await expect(timedRun(join(dir, 'no-such-command'), [], { timeoutMs: 10_000 })).rejects.toThrow(/no-such-command/);
  });
});

describe('runAstroBuild', () => {
  it('a failed build says which command failed, with what exit code, and its last output', async () => {
    // A project without Astro installed: node cannot load astro.mjs.
    const failure = runAstroBuild({ root: dir, outDir: join(dir, 'dist') });
    await expect(failure).rejects.toThrow(
      /^astro build \(outDir .*dist\) failed: Command failed with exit code 1: .*astro\.mjs build --outDir .*\n.*Cannot find module/s,
    );
  });
});
