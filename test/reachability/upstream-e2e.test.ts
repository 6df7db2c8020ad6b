// The Kubernetes network-policy conformance scenarios (the "Netpol" e2e suite in
// kubernetes/kubernetes, test/e2e/network/netpol/network_policy.go) as table tests: the same
// model — namespaces x, y, z labelled ns=<name>, pods a, b, c labelled pod=<name>, each serving
// ports 80 and 81 on TCP, UDP and SCTP under the names serve-<port>-<protocol> — the same
// policies, and each probe's full reachability matrix written out.
//
// Matrices: one row per source pod, one column per destination pod, in the order x/a x/b x/c
// y/a y/b y/c z/a z/b z/c; "." is allowed, "X" is blocked. The upstream suite ignores loopback
// (a pod probing itself) because plugins differ; ours always allows it ("a pod cannot block access
// to itself", docs/netpol.md), so the diagonal here is always ".".

import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/k8s/objects.ts';
import { buildNetpolIndex, type Protocol } from '../../src/reachability/netpol/index.ts';
import { namespace, pod, policies } from './world.ts';

const NAMESPACES = ['x', 'y', 'z'] as const;
const POD_NAMES = ['a', 'b', 'c'] as const;
const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];

const namespaces = NAMESPACES.map((ns) => namespace(ns, { ns, 'kubernetes.io/metadata.name': ns }));
const pods: Pod[] = NAMESPACES.flatMap((ns, i) =>
  POD_NAMES.map((name, j) =>
    pod(`${ns}/${name}`, {
      labels: { pod: name },
      ip: `10.1.${i}.${j + 1}`,
      ports: [80, 81].flatMap((port) =>
        PROTOCOLS.map((protocol): [string, number, Protocol] => [`serve-${port}-${protocol.toLowerCase()}`, port, protocol]),
      ),
    }),
  ),
);
const podRefs = pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

const ALL_OPEN = `
x/a . . .  . . .  . . .
x/b . . .  . . .  . . .
x/c . . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a . . .  . . .  . . .
z/b . . .  . . .  . . .
z/c . . .  . . .  . . .
`;

interface Scenario {
  /** The upstream test's name (or, for endPort, what it checks). */
  name: string;
  policies: string;
  /** Probe ("TCP/80") → expected matrix. */
  probes: Record<string, string>;
}

const scenarios: Scenario[] = [
  {
    name: "should support a 'default-deny-ingress' policy",
    policies: `
metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: []}
`,
    probes: {
      'TCP/80': `
x/a . X X  . . .  . . .
x/b X . X  . . .  . . .
x/c X X .  . . .  . . .
y/a X X X  . . .  . . .
y/b X X X  . . .  . . .
y/c X X X  . . .  . . .
z/a X X X  . . .  . . .
z/b X X X  . . .  . . .
z/c X X X  . . .  . . .
`,
    },
  },
  {
    name: "should support a 'default-deny-all' policy",
    policies: `
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}
`,
    probes: {
      'TCP/80': `
x/a . X X  X X X  X X X
x/b X . X  X X X  X X X
x/c X X .  X X X  X X X
y/a X X X  . . .  . . .
y/b X X X  . . .  . . .
y/c X X X  . . .  . . .
z/a X X X  . . .  . . .
z/b X X X  . . .  . . .
z/c X X X  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    policies: `
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
`,
    probes: {
      'TCP/80': `
x/a . . .  . . .  . . .
x/b . . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b X . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    policies: `
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
`,
    probes: {
      'TCP/80': `
x/a . . .  . . .  . . .
x/b X . .  . . .  . . .
x/c X . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce policy based on PodSelector or NamespaceSelector',
    policies: `
metadata: {name: allow-ns-y-match-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
    - podSelector: {matchLabels: {pod: b}}
`,
    probes: {
      'TCP/80': `
x/a . . .  . . .  . . .
x/b . . .  . . .  . . .
x/c X . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a . . .  . . .  . . .
z/b . . .  . . .  . . .
z/c . . .  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce policy based on PodSelector and NamespaceSelector',
    policies: `
metadata: {name: allow-ns-y-podselector-and-nsselector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
      podSelector: {matchLabels: {pod: b}}
`,
    probes: {
      'TCP/80': `
x/a . . .  . . .  . . .
x/b X . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b . . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b . . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors (numbered ports)',
    // The first policy opens TCP 81 from namespace y only; port 80 stays closed into x/a.
    policies: `
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
    ports: [{port: 81, protocol: TCP}]
`,
    probes: {
      'TCP/81': `
x/a . . .  . . .  . . .
x/b X . .  . . .  . . .
x/c X . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
      'TCP/80': `
x/a . . .  . . .  . . .
x/b X . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b X . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
  {
    name: 'should allow ingress access on one named port',
    policies: `
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: serve-81-tcp}]}]
`,
    probes: {
      'TCP/81': ALL_OPEN,
      'TCP/80': `
x/a . X X  . . .  . . .
x/b X . X  . . .  . . .
x/c X X .  . . .  . . .
y/a X X X  . . .  . . .
y/b X X X  . . .  . . .
y/c X X X  . . .  . . .
z/a X X X  . . .  . . .
z/b X X X  . . .  . . .
z/c X X X  . . .  . . .
`,
      // The name says UDP; a TCP-only rule (protocol defaults to TCP) does not open it.
      'UDP/81': `
x/a . X X  . . .  . . .
x/b X . X  . . .  . . .
x/c X X .  . . .  . . .
y/a X X X  . . .  . . .
y/b X X X  . . .  . . .
y/c X X X  . . .  . . .
z/a X X X  . . .  . . .
z/b X X X  . . .  . . .
z/c X X X  . . .  . . .
`,
    },
  },
  {
    name: 'should allow egress access on one named port',
    // The named port resolves on the destination pod, for egress as for ingress.
    policies: `
metadata: {name: allow-egress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: serve-80-tcp}]}]
`,
    probes: {
      'TCP/80': ALL_OPEN,
      'TCP/81': `
x/a . X X  X X X  X X X
x/b X . X  X X X  X X X
x/c X X .  X X X  X X X
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a . . .  . . .  . . .
z/b . . .  . . .  . . .
z/c . . .  . . .  . . .
`,
    },
  },
  {
    name: 'should work with Ingress, Egress specified together',
    policies: `
metadata: {name: allow-client-a-via-pod-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress, Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
  egress: [{ports: [{port: 80}]}]
`,
    probes: {
      'TCP/80': `
x/a . . .  . . .  . . .
x/b . . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b X . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
      'TCP/81': `
x/a . X X  X X X  X X X
x/b . . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b X . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
  {
    name: 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    policies: `
metadata: {name: allow-to-ns-y-pod-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}, podSelector: {matchLabels: {pod: a}}}]}]
---
metadata: {name: allow-from-xa-on-ya-match-selector, namespace: y}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}, podSelector: {matchLabels: {pod: a}}}]}]
---
metadata: {name: allow-from-xa-on-yb-match-selector, namespace: y}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}, podSelector: {matchLabels: {pod: a}}}]}]
`,
    probes: {
      'TCP/80': `
x/a . X X  . X X  X X X
x/b . . .  X X .  . . .
x/c . . .  X X .  . . .
y/a . . .  . X .  . . .
y/b . . .  X . .  . . .
y/c . . .  X X .  . . .
z/a . . .  X X .  . . .
z/b . . .  X X .  . . .
z/c . . .  X X .  . . .
`,
    },
  },
  {
    name: 'should enforce except clause while egress access to server in CIDR block',
    // Upstream widens x/b's address to a large CIDR and excepts x/b itself; every pod here is in 10.0.0.0/8.
    policies: `
metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.2/32]}}]}]
`,
    probes: {
      'TCP/80': `
x/a . X .  . . .  . . .
x/b . . .  . . .  . . .
x/c . . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a . . .  . . .  . . .
z/b . . .  . . .  . . .
z/c . . .  . . .  . . .
`,
    },
  },
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions using default ns label (egress to namespaces)',
    policies: `
metadata: {name: allow-ns-y-match-selector-for-immutable-ns-label, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]}}]}]
`,
    probes: {
      'TCP/80': `
x/a . . .  X X X  . . .
x/b . . .  . . .  . . .
x/c . . .  . . .  . . .
y/a . . .  . . .  . . .
y/b . . .  . . .  . . .
y/c . . .  . . .  . . .
z/a . . .  . . .  . . .
z/b . . .  . . .  . . .
z/c . . .  . . .  . . .
`,
    },
  },
  {
    name: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    policies: `
metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: []}
---
metadata: {name: allow-only-sctp-ingress-on-port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: 81, protocol: SCTP}]}]
`,
    probes: {
      'TCP/81': `
x/a . X X  . . .  . . .
x/b X . X  . . .  . . .
x/c X X .  . . .  . . .
y/a X X X  . . .  . . .
y/b X X X  . . .  . . .
y/c X X X  . . .  . . .
z/a X X X  . . .  . . .
z/b X X X  . . .  . . .
z/c X X X  . . .  . . .
`,
      'SCTP/81': `
x/a . X X  . . .  . . .
x/b . . X  . . .  . . .
x/c . X .  . . .  . . .
y/a . X X  . . .  . . .
y/b . X X  . . .  . . .
y/c . X X  . . .  . . .
z/a . X X  . . .  . . .
z/b . X X  . . .  . . .
z/c . X X  . . .  . . .
`,
    },
  },
  {
    // Not in today's upstream file (its endPort scenarios left with the feature gate); same model,
    // the range rule from the NetworkPolicyPort API reference: port..endPort inclusive, protocol TCP.
    name: 'endPort: a port range opens every port inside it and none outside',
    policies: `
metadata: {name: allow-range-79-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 79, endPort: 80}]}]
`,
    probes: {
      'TCP/80': ALL_OPEN,
      'TCP/81': `
x/a . . .  . . .  . . .
x/b X . .  . . .  . . .
x/c X . .  . . .  . . .
y/a X . .  . . .  . . .
y/b X . .  . . .  . . .
y/c X . .  . . .  . . .
z/a X . .  . . .  . . .
z/b X . .  . . .  . . .
z/c X . .  . . .  . . .
`,
    },
  },
];

/** Our reachability over the model, as a matrix in the tables' format. */
function matrix(policyYaml: string, probe: string): string {
  const index = buildNetpolIndex({ namespaces, pods, policies: policies(policyYaml) });
  expect(index.problems).toEqual([]);
  const [protocol, portText] = probe.split('/') as [Protocol, string];
  const rows = pods.map((from, i) => {
    const cells = pods.map((to) =>
      index.evaluate({ kind: 'pod', pod: from }, { kind: 'pod', pod: to }, { protocol, port: Number(portText) }).allowed ? '.' : 'X',
    );
    return `${podRefs[i]} ${cells.slice(0, 3).join(' ')}  ${cells.slice(3, 6).join(' ')}  ${cells.slice(6).join(' ')}`;
  });
  return `\n${rows.join('\n')}\n`;
}

describe.each(scenarios)('upstream Netpol e2e: $name', (scenario) => {
  it.each(Object.entries(scenario.probes))('%s', (probe, expected) => {
    expect(matrix(scenario.policies, probe)).toBe(expected);
  });
});

describe('the upstream model', () => {
  it('is open everywhere without policies, on every port and protocol', () => {
    for (const probe of ['TCP/80', 'UDP/81', 'SCTP/80']) expect(matrix('', probe)).toBe(ALL_OPEN);
  });
});
