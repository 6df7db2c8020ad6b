// `check --with`: proposed objects applied over the bundled demo, and the findings the change
// would add and fix (matched by code, resource and message); --fail-on looks at the added ones.

import { describe, expect, it } from 'vitest';
import { assertJsonContract } from './helpers/json-contract.ts';
import { fixture, runCli } from './helpers/run-cli.ts';

const DEMO = ['check', '--snapshot', 'demo'];
// The demo's deliberate R3 fault, replaced by a policy that admits the mesh.
const FIX = fixture('what-if/fix-ratings.yaml');
// A `kind: List` with one new policy: productpage may only resolve names.
const LOCK = fixture('what-if/lock-productpage-egress.yaml');

describe('check --with', () => {
  it('reports the R3 and R5 findings a new egress policy adds, and fails at --fail-on error', async () => {
    const run = await runCli([...DEMO, '--with', LOCK, '--fail-on', 'error']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`What-if: 4 added, 0 fixed (applying ${LOCK})\nAdded by the change:\n`);
    expect(run.stdout).toMatch(/^ {2}warning +MB0402 +NetworkPolicy bookinfo\/productpage-egress-dns-only — .*keeps 1 meshed workload/m);
    expect(run.stdout).toMatch(/^ {2}error +MB0601 +NetworkPolicy bookinfo\/productpage-egress-dns-only — /m);
    // The usual report of the run with the change follows.
    expect(run.stdout).toContain('The checks with the change applied:');
    expect(run.stdout).toMatch(/Failed {3}control-ports — /);
  });

  it('exits 0 when what the change adds stays under --fail-on, even though the demo has errors', async () => {
    const run = await runCli([...DEMO, '--with', LOCK, '--fail-on', 'error', '--check', 'mesh-reachability']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('What-if: 1 added, 0 fixed');
    const strict = await runCli([...DEMO, '--with', LOCK, '--fail-on', 'warning', '--check', 'mesh-reachability']);
    expect(strict.code).toBe(1);
  });

  it('reports the demo findings a replaced NetworkPolicy fixes, and exits 0 though the demo still fails', async () => {
    const [without, run] = await Promise.all([runCli(DEMO), runCli([...DEMO, '--with', FIX])]);
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('MB0401   NetworkPolicy bookinfo/ratings-from-reviews-v2');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('What-if: 0 added, 2 fixed');
    const [, fixed = ''] = run.stdout.split('Fixed by the change:\n');
    const listed = fixed.slice(0, fixed.indexOf('\n\n'));
    expect(listed).toMatch(
      /MB0401 +NetworkPolicy bookinfo\/ratings-from-reviews-v2 — 7 meshed workload\(s\) cannot reach Service bookinfo\/ratings/,
    );
    expect(listed).toMatch(/MB0503 +VirtualService bookinfo\/ratings — /);
    // The run with the change no longer has them.
    const after = run.stdout.slice(run.stdout.indexOf('The checks with the change applied:'));
    expect(after).not.toContain('NetworkPolicy bookinfo/ratings-from-reviews-v2');
    // The demo's ambient fault is untouched by this change and stays the check's only finding.
    const reach = after.slice(after.indexOf('mesh-reachability — '), after.indexOf('route-reachability — '));
    expect(reach.match(/MB0401 .*/g)).toEqual([expect.stringContaining('NetworkPolicy orders/payments-ingress')]);
  });

  it('writes whatIf into the JSON contract, with each added finding located in the --with file', async () => {
    const run = await runCli([...DEMO, '--with', LOCK, '--with', FIX, '--format', 'json']);
    const doc = assertJsonContract(run.stdout);
    // In the order given: a later file replaces what an earlier one declares, as with kubectl apply.
    expect(doc.whatIf?.files).toEqual([LOCK, FIX]);
    expect(doc.whatIf?.fixed.map((f) => f.code)).toContain('MB0401');
    const lock = doc.whatIf?.added.find((f) => f.code === 'MB0601');
    expect(lock?.resource).toEqual({ kind: 'NetworkPolicy', namespace: 'bookinfo', name: 'productpage-egress-dns-only' });
    expect(lock?.location?.file).toBe(LOCK);
    // A run without --with has no whatIf.
    const plain = assertJsonContract((await runCli([...DEMO, '--check', 'mesh-reachability', '--format', 'json'])).stdout);
    expect(plain.whatIf).toBeUndefined();
  });

  it('refuses a malformed --with file with exit 2, naming the file and line', async () => {
    const run = await runCli([...DEMO, '--with', fixture('what-if/malformed.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^meshbook: --with: test\/cli\/fixtures\/what-if\/malformed\.yaml:\d+: invalid YAML/);
  });

  it('refuses an object that fails snapshot validation, and --with combined with --record', async () => {
    const bad = await runCli([...DEMO, '--with', fixture('what-if/invalid-object.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^meshbook: --with: test\/cli\/fixtures\/what-if\/invalid-object\.yaml:3: NetworkPolicy bookinfo\/bad: /);
    const record = await runCli([...DEMO, '--with', FIX, '--record', 'x.json']);
    expect(record.code).toBe(2);
    expect(record.stderr).toContain('cannot be combined with --with');
  });
});
