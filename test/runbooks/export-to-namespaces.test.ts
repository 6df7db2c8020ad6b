// export-to-namespaces beyond its fixture cases: the entry, and the patch that drops it.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('export-to-namespaces', () => {
  it('names the entry and removes it by index', async () => {
    const result = await runCase('export-to-namespaces/unknown.yaml');
    const dr = result.findings.find((f) => f.resource.kind === 'DestinationRule');
    expect(dr?.message).toBe('DestinationRule shop/reviews is exported to namespace biling (spec.exportTo[1]), which does not exist.');
    expect(dr?.remediation).toContain(
      `kubectl patch destinationrule reviews -n shop --type=json -p '[{"op":"remove","path":"/spec/exportTo/1"}]'`,
    );
    expect(result.findings.filter((f) => f.resource.kind === 'ServiceEntry').map((f) => f.params.namespace)).toEqual([
      'frontend',
      'partners',
    ]);
  });
});
