// One table for every check: fixture files in, the exact multiset of (code, resource) out.
// Negative fixtures expect nothing. Fixture files say what they expect in `# expected:` comments.

import { describe, expect, it } from 'vitest';
import { pairs, runFixture } from './helpers/run-fixtures.ts';

interface Row {
  check: string;
  fixtures: string[];
  expected: [code: string, resource: string][];
}

const rows: Row[] = [
  { check: 'gateway-ports', fixtures: ['gateway-ports/gateway-ports-ok.yaml'], expected: [] },
  {
    check: 'gateway-ports',
    fixtures: ['gateway-ports/gateway-ports-bad.yaml'],
    expected: [
      ['IST0101', 'Gateway shop/orphan'],
      ['IST0162', 'Gateway shop/web'],
      ['IST0162', 'Gateway shop/web'],
    ],
  },
];

describe.each(rows)('$check over $fixtures', ({ check, fixtures, expected }) => {
  it('reports exactly the expected (code, resource) pairs', async () => {
    const result = await runFixture(check, fixtures);
    expect(result.status, result.reason).not.toBe('error');
    expect(pairs(result)).toEqual([...expected].sort());
  });
});
