// Policies the API server would reject (possible in YAML snapshots): each problem is reported
// with the received value quoted, and the invalid part is ignored — a peer or port entry matches
// nothing, a policy whose podSelector cannot be read selects nothing.

import { describe, expect, it } from 'vitest';
import { buildNetpolIndex } from '../../src/reachability/netpol/index.ts';
import { endpoint, namespaces, policies, pods, port, summary } from './world.ts';

interface Case {
  name: string;
  policies: string;
  problems: [path: string, message: string][];
  /** [source, destination, port, expected ingress verdict] */
  probe: [string, string, string, string];
}

const cases: Case[] = [
  {
    name: 'a peer with no selector and no ipBlock',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{}, {podSelector: {matchLabels: {role: frontend}}}]}]}
`,
    problems: [['spec.ingress[0].from[0]', 'a peer must set podSelector, namespaceSelector or ipBlock; got {}; it matches nothing']],
    probe: ['default/client', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'a peer that combines ipBlock with a selector',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}
`,
    problems: [
      [
        'spec.ingress[0].from[0]',
        'a peer may not combine ipBlock with podSelector or namespaceSelector; got {"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}}; it matches nothing',
      ],
    ],
    probe: ['default/client', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'an ipBlock whose cidr is not a CIDR',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.1}}]}]}
`,
    problems: [
      [
        'spec.ingress[0].from[0].ipBlock.cidr',
        'cidr must be an IPv4 or IPv6 CIDR such as "10.0.0.0/8"; got "10.0.0.1"; the peer matches nothing',
      ],
    ],
    probe: ['ip:10.0.0.1', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'an except outside the cidr',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]}
`,
    problems: [
      [
        'spec.ingress[0].from[0].ipBlock.except[0]',
        'except must be a strict subset of cidr "10.0.0.0/8"; got "192.168.0.0/16"; the peer matches nothing',
      ],
    ],
    probe: ['ip:10.0.0.1', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'an except equal to the cidr',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]}
`,
    problems: [
      [
        'spec.ingress[0].from[0].ipBlock.except[0]',
        'except must be a strict subset of cidr "10.0.0.0/8"; got "10.0.0.0/8"; the peer matches nothing',
      ],
    ],
    probe: ['ip:10.0.0.1', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'a lowercase protocol',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{protocol: tcp, port: 6379}]}]}
`,
    problems: [['spec.ingress[0].ports[0].protocol', 'protocol must be TCP, UDP or SCTP; got "tcp"; the entry matches nothing']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'endPort without port',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{endPort: 7000}]}]}
`,
    problems: [
      ['spec.ingress[0].ports[0].endPort', 'endPort needs a numeric port; got endPort 7000 without port; the entry matches nothing'],
    ],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'endPort with a named port',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: redis, endPort: 7000}]}]}
`,
    problems: [['spec.ingress[0].ports[0].endPort', 'endPort cannot be used with the named port "redis"; the entry matches nothing']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'endPort below port',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: 7000, endPort: 6000}]}]}
`,
    problems: [['spec.ingress[0].ports[0].endPort', 'endPort must be a port number ≥ port 7000; got 6000; the entry matches nothing']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'a port number written as a string',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: "6379"}]}]}
`,
    problems: [
      [
        'spec.ingress[0].ports[0].port',
        `a named port must be an IANA service name (lowercase letters, digits, '-', at most 15); got "6379"; the entry matches nothing`,
      ],
    ],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'a port out of range',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: 70000}]}]}
`,
    problems: [['spec.ingress[0].ports[0].port', 'port must be 1-65535 or a port name; got 70000; the entry matches nothing']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'an unknown selector operator in a peer',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchExpressions: [{key: role, operator: Equals, values: [frontend]}]}}]}]}
`,
    problems: [
      ['spec.ingress[0].from[0].podSelector', 'operator must be In, NotIn, Exists or DoesNotExist; got "Equals"; the peer matches nothing'],
    ],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'In without values',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: In}]}}]}]}
`,
    problems: [['spec.ingress[0].from[0].namespaceSelector', 'operator In needs at least one value; got []; the peer matches nothing']],
    probe: ['prod/client', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'an unreadable spec.podSelector',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchExpressions: [{key: role, operator: Like}]}, policyTypes: [Ingress]}
`,
    problems: [['spec.podSelector', 'operator must be In, NotIn, Exists or DoesNotExist; got "Like"; the policy is ignored']],
    probe: ['default/frontend', 'default/db', '6379', 'open'],
  },
  {
    name: 'an unknown policy type',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, policyTypes: [Ingress, Egres]}
`,
    problems: [['spec.policyTypes[1]', 'policyTypes entries must be Ingress or Egress; got "Egres"']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
  {
    name: 'rules that are not a list',
    policies: `
metadata: {name: p}
spec: {podSelector: {matchLabels: {role: db}}, ingress: {from: []}}
`,
    problems: [['spec.ingress', 'must be a list of rules; got {"from":[]}']],
    probe: ['default/frontend', 'default/db', '6379', 'deny default/p'],
  },
];

describe.each(cases)('$name', ({ policies: yamlText, problems, probe }) => {
  const index = buildNetpolIndex({ pods, namespaces, policies: policies(yamlText) });

  it('is reported with the received value quoted', () => {
    expect(index.problems.map((p) => [p.path, p.message])).toEqual(problems);
    expect(index.problems.every((p) => p.policy.name === 'p' && p.policy.namespace === 'default')).toBe(true);
  });

  it(`is ignored: ${probe.join(' ')}`, () => {
    const [from, to, portText, ingress] = probe;
    expect(summary(index.evaluate(endpoint(from), endpoint(to), port(portText)).ingress)).toBe(ingress);
  });
});

describe('defaulting', () => {
  it('puts a policy without metadata.namespace in "default" and reads an absent podSelector as {}', () => {
    const index = buildNetpolIndex({
      pods,
      namespaces,
      policies: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bare' } }],
    });
    expect(index.problems).toEqual([]);
    expect(summary(index.evaluate(endpoint('default/frontend'), endpoint('default/backend'), port('80')).ingress)).toBe(
      'deny default/bare',
    );
    expect(summary(index.evaluate(endpoint('default/frontend'), endpoint('prod/api'), port('80')).ingress)).toBe('open');
  });
});
