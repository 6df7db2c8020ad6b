import { describe, expect, it } from 'vitest';
import { defaultTargetId } from '../../src/server/default-target.ts';
import type { TargetOption } from '../../src/server/targets.ts';

const demo: TargetOption = { id: 'demo', name: 'demo cluster snapshot', group: 'snapshot' };
const extra: TargetOption = { id: 'snapshot:extra', name: 'extra', group: 'snapshot' };
const context = (name: string, more: Partial<TargetOption> = {}): TargetOption => ({
  id: `context:${name}`,
  name,
  group: 'context',
  context: name,
  ...more,
});

describe('the target a page selects first', () => {
  it('is the current kubeconfig context when there is one', () => {
    expect(defaultTargetId([demo, extra, context('a'), context('b', { current: true })])).toBe('context:b');
  });

  it('is the demo when no context is current, or there is no kubeconfig', () => {
    expect(defaultTargetId([demo, extra, context('a')])).toBe('demo');
    expect(defaultTargetId([demo])).toBe('demo');
  });

  it('is the demo when the current context cannot be used', () => {
    expect(defaultTargetId([demo, context('a', { current: true, problem: 'no server URL' })])).toBe('demo');
  });

  it('is nothing when there are no targets', () => {
    expect(defaultTargetId([])).toBeUndefined();
  });
});
