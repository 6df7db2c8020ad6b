// authorization-policy-references beyond its fixture cases: Kiali's rules, in Meshbook's words.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('authorization-policy-references', () => {
  it('says which field holds the bad value and what it resolved to', async () => {
    const result = await runCase('authorization-policy-references/authorization-policy-references-bad.yaml');
    const messages = result.findings.map((f) => f.message);
    expect(messages).toContain(
      'AuthorizationPolicy shop/storefront lists "FETCH" at spec.rules[0].to[0].operation.methods[0], which matches no HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE), even as a prefix or suffix pattern.',
    );
    expect(messages).toContain(
      'AuthorizationPolicy shop/storefront names host "ledger.billing" at spec.rules[0].to[0].operation.hosts[1], but no Service, ServiceEntry or VirtualService provides ledger.billing.svc.prod.example, and the mesh sends no traffic to unknown hosts (outboundTrafficPolicy REGISTRY_ONLY).',
    );
    expect(messages).toContain(
      'AuthorizationPolicy shop/storefront names principal "prod.exmaple/ns/shop/sa/frontend" at spec.rules[0].from[0].source.principals[3], in trust domain prod.exmaple, which is neither the mesh\'s trust domain nor an alias (prod.example): it cannot be checked here.',
    );
    const ghost = result.findings.find((f) => f.message.includes('sa/ghost'));
    expect(ghost?.code).toBe('MB0853');
    expect(ghost?.severity).toBe('error');
  });

  it('reports unknown hosts as warnings when the mesh allows any destination (the default)', async () => {
    const { findings } = await runCase('authorization-policy-references/authorization-policy-references-allow-any.yaml');
    const hosts = findings.filter((f) => f.message.includes(' names host '));
    expect(hosts.map((f) => [f.code, f.severity])).toEqual([
      ['MB0852', 'warning'],
      ['MB0852', 'warning'],
      ['MB0852', 'warning'],
    ]);
    expect(hosts[0]?.message).not.toContain('REGISTRY_ONLY');
  });
});
