// virtualServiceRuleProblems: which rules and matches Istio's VirtualService validation calls
// unused, and how it names them.

import { describe, expect, it } from 'vitest';
import { virtualServiceRuleProblems, type RuleProblem } from '../../src/istio/virtualservice-rules.ts';

const route = { route: [{ destination: { host: 'a' } }] };
const summary = (p: RuleProblem): string =>
  p.code === 'IST0130' ? `${p.code} ${p.ruleno}: ${p.reason}` : `${p.code} ${p.ruleno} ${p.matchno} <- ${p.dupno}`;
const http = (...rules: object[]): string[] => virtualServiceRuleProblems({ http: rules.map((r) => ({ ...route, ...r })) }).map(summary);

describe('virtualServiceRuleProblems', () => {
  it('reads nothing from a spec without rules, or a malformed one', () => {
    expect(virtualServiceRuleProblems(undefined)).toEqual([]);
    expect(virtualServiceRuleProblems({ http: 'x', tcp: [null, 3] })).toEqual([]);
  });

  it('compares whole matches: the HTTP name aside, key order and zero values ignored', () => {
    expect(
      http(
        { match: [{ name: 'a', uri: { exact: '/x' }, port: 0, headers: {}, ignoreUriCase: false }] },
        { match: [{ uri: { exact: '/x' } }] },
      ),
    ).toEqual(['IST0131 #1 #0 <- #0', 'IST0130 #1: all matches used by prior rules']);
    // An empty exact value is still a condition, unlike an absent one.
    expect(http({ match: [{ uri: { exact: '' } }] }, { match: [{ uri: {} }] }, { match: [{}] })).toEqual([]);
    // Lists compare in order.
    expect(
      virtualServiceRuleProblems({
        tls: [
          { match: [{ sniHosts: ['a', 'b'] }], ...route },
          { match: [{ sniHosts: ['b', 'a'] }], ...route },
        ],
      }),
    ).toEqual([]);
  });

  it('names HTTP rules and matches by their quoted names, everything else by index', () => {
    expect(
      http({ name: 'first', match: [{ uri: { exact: '/x' } }] }, { name: 'tab\there', match: [{ name: 'm"1', uri: { exact: '/x' } }] }),
    ).toEqual(['IST0131 "tab\\there" "m\\"1" <- "first"', 'IST0130 "tab\\there": all matches used by prior rules']);
    const tcp = virtualServiceRuleProblems({ tcp: [{ name: 'ignored', match: [{ port: 1 }] }, { match: [{ port: 1 }] }] });
    expect(tcp.map(summary)).toEqual(['IST0131 #1 #0 <- #0', 'IST0130 #1: all matches used by prior rules']);
    expect(tcp[0]).toMatchObject({ path: 'spec.tcp[1].match[0]', earlier: 'spec.tcp[0].match[0]' });
  });

  it('warns once per match after a catch-all, and for every catch-all but the last', () => {
    expect(http({}, { match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }] }, {})).toEqual([
      'IST0130 #1: route without matches defined before',
      'IST0130 #1: route without matches defined before',
      'IST0130 #2: only the last rule can have no matches',
    ]);
  });

  it.each([
    ['the same conditions', {}, {}, true],
    ['no method against GET', {}, { method: { exact: 'GET' } }, true],
    ['another method', { method: { exact: 'GET' } }, { method: { exact: 'POST' } }, false],
    ['a regex method, compared as GET', { method: { regex: 'P.*' } }, {}, true],
    ['another port', { port: 80 }, { port: 81 }, false],
    ['a header only the later match names', {}, { headers: { h: { exact: 'x' } } }, false],
    ['an earlier header value extending the later one', { headers: { h: { exact: 'xy' } } }, { headers: { h: { exact: 'x' } } }, true],
    ['an earlier authority prefix of the later one', { authority: { prefix: 'a' } }, { authority: { prefix: 'a.b' } }, false],
  ])('a longer prefix after a shorter one, with %s', (_, earlier, later, shadowed) => {
    const got = http({ match: [{ uri: { prefix: '/api' }, ...earlier }] }, { match: [{ uri: { prefix: '/api/v1' }, ...later }] });
    expect(got).toEqual(shadowed ? ['IST0131 #1 #0 of prefix /api/v1 <- #0 of prefix /api on #0'] : []);
  });

  it('compares prefixes only over HTTP matches with a prefix, in order', () => {
    expect(http({ match: [{ uri: { prefix: '/api/v1' } }] }, { match: [{ uri: { prefix: '/api' } }] })).toEqual([]);
    expect(http({ match: [{ uri: { prefix: '/' } }, { uri: { exact: '/x' } }] })).toEqual([]);
    expect(virtualServiceRuleProblems({ tcp: [{ match: [{ port: 1 }] }, { match: [{ port: 1, sourceNamespace: 'x' }] }] })).toEqual([]);
  });
});
