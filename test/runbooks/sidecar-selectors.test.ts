// sidecar-selectors beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('sidecar-selectors', () => {
  it("prints messages in istioctl's shape", async () => {
    const sidecars = await runCase('sidecar-selectors/sidecar-selectors-bad.yaml');
    expect(sidecars.findings.map((f) => f.message)).toContain(
      'The Sidecars [cart cart-v1] in namespace "shop" select the same workload pod "cart-v1-5d8f9-abcde", which can lead to undefined behavior.',
    );
  });
});
