// The fixture header is the grid's contract: what parses, and what fails loudly instead of
// becoming a comment nothing reads.

import { describe, expect, it } from 'vitest';
import { HeaderError, parseHeader } from '../helpers/fixture-cases.ts';

const FILE = 'gateway-ports/example.yaml';
const parse = (header: string) => parseHeader(`${header}\napiVersion: v1\nkind: List\nitems: []\n`, FILE);

describe('fixture headers', () => {
  it('read expectations as a multiset, with status, options, preambles and further cases', () => {
    const cases = parse(
      [
        '# with: ../shared/a.yaml other.yaml',
        '# status: warn',
        '# expect: IST0162 Gateway shop/web ×2',
        '# expect: IST0101 Gateway shop/orphan',
        '# expect: IST0176 CustomResourceDefinition tcproutes.gateway.networking.k8s.io',
        '# why: two servers on ports no Service exposes,',
        '#   and a selector no pod matches.',
        '#',
        '# case: read-secrets',
        '# options: read-secrets',
        '# expect: nothing',
        '# why: the same without Secret data.',
      ].join('\n'),
    );
    expect(cases).toEqual([
      {
        check: 'gateway-ports',
        file: FILE,
        name: FILE,
        with: ['shared/a.yaml', 'gateway-ports/other.yaml'],
        options: [],
        status: 'warn',
        expected: [
          ['IST0101', 'Gateway shop/orphan'],
          ['IST0162', 'Gateway shop/web'],
          ['IST0162', 'Gateway shop/web'],
          ['IST0176', 'CustomResourceDefinition tcproutes.gateway.networking.k8s.io'],
        ],
        why: 'two servers on ports no Service exposes, and a selector no pod matches.',
      },
      {
        check: 'gateway-ports',
        file: FILE,
        name: `${FILE} [read-secrets]`,
        with: [],
        options: ['read-secrets'],
        expected: [],
        why: 'the same without Secret data.',
      },
    ]);
  });

  it.each([
    ['no header', '', /no header/],
    ['the old comment style', '# expected: IST0162 Gateway shop/web', /not a directive/],
    ['a free comment line', '# expect: nothing\n# Not reported: shop/api\n# why: x', /not a directive/],
    ['a continuation without why', '# expect: nothing\n#   more', /must follow `why`/],
    ['no expectation', '# why: x', /no `expect:` line/],
    ['no why', '# expect: nothing', /no `why:`/],
    ['nothing and a finding', '# expect: nothing\n# expect: IST0162 Gateway shop/web\n# why: x', /`expect: nothing` and findings/],
    ['a finding without a resource', '# expect: IST0162 Gateway\n# why: x', /an expectation is/],
    ['a lower-case kind', '# expect: IST0162 gateway shop/web\n# why: x', /an expectation is/],
    ['an unknown code family', '# expect: ABC0162 Gateway shop/web\n# why: x', /an expectation is/],
    ['a count of zero', '# expect: IST0162 Gateway shop/web ×0\n# why: x', /an expectation is/],
    ['an unknown status', '# status: red\n# expect: nothing\n# why: x', /unknown status "red"/],
    ['two statuses', '# status: pass\n# status: warn\n# expect: nothing\n# why: x', /one status/],
    ['an unknown option', '# options: read-minds\n# expect: nothing\n# why: x', /unknown option "read-minds"/],
    ['a case first', '# case: again\n# expect: nothing\n# why: x', /`case` starts a further one/],
    [
      'a case name twice',
      '# expect: nothing\n# why: x\n# case: b\n# expect: nothing\n# why: y\n# case: b\n# expect: nothing\n# why: z',
      /used twice/,
    ],
  ])('fail on %s, naming the file and line', (_name, header, message) => {
    expect(() => parse(header)).toThrow(HeaderError);
    expect(() => parse(header)).toThrow(message);
    expect(() => parse(header)).toThrow(/^test\/fixtures\/gateway-ports\/example\.yaml:\d+: /);
  });
});
