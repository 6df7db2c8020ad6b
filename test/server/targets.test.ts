// The dev server's targets: the demo snapshot first, extra snapshots from the environment.

import { describe, expect, it } from 'vitest';
import { devTargets, parseExtraTargets } from '../../src/server/targets.ts';

describe('parseExtraTargets', () => {
  it('reads comma-separated name=path pairs, paths relative to the root', () => {
    expect(parseExtraTargets('hostile=test/fixtures/e2e, other = /abs/dir', '/repo')).toEqual([
      { id: 'snapshot:hostile', name: 'hostile', group: 'snapshot', paths: ['/repo/test/fixtures/e2e'] },
      { id: 'snapshot:other', name: 'other', group: 'snapshot', paths: ['/abs/dir'] },
    ]);
  });

  it('is empty when unset', () => {
    expect(parseExtraTargets(undefined, '/repo')).toEqual([]);
    expect(parseExtraTargets(' ', '/repo')).toEqual([]);
  });

  it.each(['nameonly', '=path', 'name='])('refuses %j, quoting it', (value) => {
    expect(() => parseExtraTargets(value, '/repo')).toThrow(`received ${JSON.stringify(value)}`);
  });
});

describe('devTargets', () => {
  it('lists the demo cluster snapshot first and opens a fresh source per run', async () => {
    // No kubeconfig anywhere: snapshots only.
    const targets = devTargets({ root: '/repo', env: { MESHBOOK_EXTRA_TARGETS: 'x=snap', KUBECONFIG: '/nonexistent/kubeconfig' } });
    expect(await targets.list()).toEqual([
      { id: 'demo', name: 'demo cluster snapshot', group: 'snapshot' },
      { id: 'snapshot:x', name: 'x', group: 'snapshot' },
    ]);
    const a = await targets.open('demo');
    expect(a?.target).toEqual({ type: 'snapshot', name: 'demo cluster snapshot', paths: ['/repo/runbooks/demo-cluster'] });
    expect(await targets.open('demo')).not.toBe(a);
    expect(await targets.open('/etc/passwd')).toBeUndefined();
  });

  it('refuses a target named twice', () => {
    expect(() => devTargets({ root: '/repo', env: { MESHBOOK_EXTRA_TARGETS: 'x=a,x=b' } })).toThrow(/twice/);
  });
});
