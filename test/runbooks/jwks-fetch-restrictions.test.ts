// jwks-fetch-restrictions beyond its fixture cases: istioctl's wording, five names then a count.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('jwks-fetch-restrictions', () => {
  it('lists five RequestAuthentications, sorted, then how many more', async () => {
    const result = await runCase('jwks-fetch-restrictions/jwks-fetch-restrictions-bad.yaml');
    expect(result.findings[0]?.message).toBe(
      'BLOCKED_CIDRS_IN_JWKS_URIS is not configured but 6 RequestAuthentication resource(s) exist (admin/admin, edge/edge, partners/partners, shop/a-login, shop/b-login, and 1 more). Consider configuring it to restrict JWKS URI fetches to trusted networks.',
    );
    expect(result.findings[0]?.evidence?.requestAuthentications).toBe('6');
  });
});
