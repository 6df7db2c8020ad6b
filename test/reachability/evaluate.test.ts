// The evaluator against the Kubernetes NetworkPolicy documentation, one case per documented rule.
// `doc` names where the rule is written: "concept §…" is the Network Policies concept page
// (kubernetes.io/docs/concepts/services-networking/network-policies/), "API …" the
// networking.k8s.io/v1 reference, "defaults" the API server's SetDefaults_NetworkPolicy.
// A probe is [source, destination, port, egress verdict, ingress verdict]; the connection is
// allowed exactly when neither verdict is a "deny".

import { describe, expect, it } from 'vitest';
import { buildNetpolIndex, type NetpolOptions } from '../../src/reachability/netpol/index.ts';
import { endpoint, findPod, namespaces, policies, pods, port, summary } from './world.ts';

type Probe = [from: string, to: string, port: string, egress: string, ingress: string];

interface Case {
  doc: string;
  rule: string;
  policies: string;
  options?: NetpolOptions;
  probes: Probe[];
}

const denyAllIngress = `
metadata: {name: deny-all}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

const cases: Case[] = [
  // ── Isolation ──────────────────────────────────────────────────────────────────────────────
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: 'by default a pod is non-isolated for ingress and egress',
    policies: '',
    probes: [['default/frontend', 'default/db', '6379', 'open', 'open']],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: 'a pod selected by a policy with Ingress in policyTypes accepts only what its rules allow',
    policies: `
metadata: {name: db-from-frontend}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/db-from-frontend#0'],
      ['default/backend', 'default/db', '6379', 'open', 'deny default/db-from-frontend'],
    ],
  },
  {
    doc: 'concept §Isolated and non-isolated Pods',
    rule: 'other pods of the namespace that no policy selects keep accepting all traffic',
    policies: `
metadata: {name: db-from-frontend}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]
`,
    probes: [['default/client', 'default/backend', '8080', 'open', 'open']],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: 'policies are additive: the union of the rules of every policy that applies',
    policies: `
metadata: {name: a-frontend}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}], ports: [{port: 6379}]}]
---
metadata: {name: b-backend}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: backend}}}], ports: [{port: 6379}]}]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/a-frontend#0'],
      ['default/backend', 'default/db', '6379', 'open', 'allow default/b-backend#0'],
      ['default/client', 'default/db', '6379', 'open', 'deny default/a-frontend,default/b-backend'],
    ],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: 'every rule that allows a connection is reported, in policy then rule order',
    policies: `
metadata: {name: a}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{ports: [{port: 9121}]}, {from: [{podSelector: {}}]}]
---
metadata: {name: b}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]
`,
    probes: [['default/frontend', 'default/db', '6379', 'open', 'allow default/a#1,default/b#0']],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: "both the source's egress and the destination's ingress must allow the connection",
    policies: `
metadata: {name: frontend-no-egress}
spec: {podSelector: {matchLabels: {role: frontend}}, policyTypes: [Egress]}
---
metadata: {name: db-from-frontend}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]
`,
    probes: [['default/frontend', 'default/db', '6379', 'deny default/frontend-no-egress', 'allow default/db-from-frontend#0']],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: "reply traffic is implicitly allowed: the destination's egress isolation does not matter",
    policies: `
metadata: {name: db-no-egress}
spec: {podSelector: {matchLabels: {role: db}}, policyTypes: [Egress]}
`,
    probes: [['default/frontend', 'default/db', '6379', 'open', 'open']],
  },

  // ── spec.podSelector ───────────────────────────────────────────────────────────────────────
  {
    doc: 'API NetworkPolicySpec.podSelector',
    rule: 'an empty podSelector selects all pods in the policy namespace, and only there',
    policies: denyAllIngress,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/deny-all'],
      ['default/frontend', 'default/client', '80', 'open', 'deny default/deny-all'],
      ['prod/client', 'prod/api', '8080', 'open', 'open'],
    ],
  },
  {
    doc: 'API NetworkPolicy.metadata',
    rule: 'a policy selects pods of its own namespace only',
    policies: `
metadata: {name: prod-clients, namespace: prod}
spec: {podSelector: {matchLabels: {role: client}}, policyTypes: [Ingress]}
`,
    probes: [
      ['default/frontend', 'default/client', '80', 'open', 'open'],
      ['default/frontend', 'prod/client', '80', 'open', 'deny prod/prod-clients'],
    ],
  },

  // ── spec.policyTypes ───────────────────────────────────────────────────────────────────────
  {
    doc: 'concept §The NetworkPolicy resource (policyTypes)',
    rule: 'with no policyTypes, Ingress is always set: a policy with only egress rules isolates ingress too',
    policies: `
metadata: {name: db-egress}
spec:
  podSelector: {matchLabels: {role: db}}
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
`,
    probes: [['default/frontend', 'default/db', '6379', 'open', 'deny default/db-egress']],
  },
  {
    doc: 'concept §The NetworkPolicy resource (policyTypes)',
    rule: 'with no policyTypes, Egress is set when the policy has egress rules',
    policies: `
metadata: {name: db-egress}
spec:
  podSelector: {matchLabels: {role: db}}
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
`,
    probes: [
      ['default/db', 'ip:203.0.113.9', '443', 'deny default/db-egress', 'not-a-pod'],
      ['default/db', 'default/backend', '8080', 'allow default/db-egress#0', 'open'],
    ],
  },
  {
    doc: 'defaults SetDefaults_NetworkPolicy',
    rule: 'with no policyTypes, `egress: []` is no egress rule: Egress is not set',
    policies: `
metadata: {name: db-empty-egress}
spec: {podSelector: {matchLabels: {role: db}}, egress: []}
`,
    probes: [
      ['default/db', 'ip:203.0.113.9', '443', 'open', 'not-a-pod'],
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/db-empty-egress'],
    ],
  },
  {
    doc: 'API NetworkPolicySpec.policyTypes',
    rule: 'policyTypes [Egress] only: ingress is not isolated, even with ingress rules present',
    policies: `
metadata: {name: egress-only}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Egress]
  ingress: [{from: [{podSelector: {matchLabels: {role: nobody}}}]}]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'open'],
      ['default/db', 'default/frontend', '80', 'deny default/egress-only', 'open'],
    ],
  },
  {
    doc: 'API NetworkPolicySpec.policyTypes',
    rule: 'policyTypes [Ingress] only: egress rules are ignored and egress is not isolated',
    policies: `
metadata: {name: ingress-only}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress]
  egress: [{to: [{ipBlock: {cidr: 10.9.0.0/16}}]}]
`,
    probes: [['default/db', 'ip:203.0.113.9', '443', 'open', 'not-a-pod']],
  },

  // ── Default policies ───────────────────────────────────────────────────────────────────────
  {
    doc: 'concept §Default deny all ingress traffic',
    rule: 'podSelector {} with policyTypes [Ingress] and no rules denies all ingress, not egress',
    policies: denyAllIngress,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/deny-all'],
      ['default/db', 'ip:203.0.113.9', '443', 'open', 'not-a-pod'],
    ],
  },
  {
    doc: 'API NetworkPolicySpec.ingress',
    rule: 'an empty ingress list allows no traffic (explicit `ingress: []`)',
    policies: `
metadata: {name: empty-ingress}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: []}
`,
    probes: [['default/frontend', 'default/db', '6379', 'open', 'deny default/empty-ingress']],
  },
  {
    doc: 'concept §Allow all ingress traffic',
    rule: 'ingress: [{}] allows every connection in, whatever else isolates the pods',
    policies: `${denyAllIngress}
---
metadata: {name: allow-all}
spec: {podSelector: {}, ingress: [{}]}
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/allow-all#0'],
      ['ip:203.0.113.9', 'default/db', 'UDP/514', 'not-a-pod', 'allow default/allow-all#0'],
    ],
  },
  {
    doc: 'concept §Default deny all egress traffic',
    rule: 'podSelector {} with policyTypes [Egress] and no rules denies all egress, not ingress',
    policies: `
metadata: {name: deny-egress}
spec: {podSelector: {}, policyTypes: [Egress]}
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'deny default/deny-egress', 'open'],
      ['default/frontend', 'ip:203.0.113.9', '443', 'deny default/deny-egress', 'not-a-pod'],
      ['prod/client', 'default/db', '6379', 'open', 'open'],
    ],
  },
  {
    doc: 'concept §Allow all egress traffic',
    rule: 'egress: [{}] allows every connection out',
    policies: `
metadata: {name: deny-egress}
spec: {podSelector: {}, policyTypes: [Egress]}
---
metadata: {name: allow-egress}
spec: {podSelector: {}, policyTypes: [Egress], egress: [{}]}
`,
    probes: [['default/frontend', 'ip:2001:db8::1', '443', 'allow default/allow-egress#0', 'not-a-pod']],
  },
  {
    doc: 'concept §Default deny all ingress and all egress traffic',
    rule: 'policyTypes [Ingress, Egress] with no rules denies both directions',
    policies: `
metadata: {name: deny-both}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
    probes: [['default/frontend', 'default/db', '6379', 'deny default/deny-both', 'deny default/deny-both']],
  },

  // ── Rules: from/to and ports ───────────────────────────────────────────────────────────────
  {
    doc: 'concept §The NetworkPolicy resource (ingress)',
    rule: 'a rule allows traffic that matches both its from and its ports',
    policies: `
metadata: {name: frontend-redis}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}], ports: [{protocol: TCP, port: 6379}]}]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/frontend-redis#0'],
      ['default/frontend', 'default/db', '9121', 'open', 'deny default/frontend-redis'],
      ['default/backend', 'default/db', '6379', 'open', 'deny default/frontend-redis'],
    ],
  },
  {
    doc: 'API NetworkPolicyIngressRule.from',
    rule: '"If this field is empty or missing, this rule matches all sources" (missing)',
    policies: `
metadata: {name: any-source}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: 6379}]}]}
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/any-source#0'],
      ['ip:203.0.113.9', 'default/db', '6379', 'not-a-pod', 'allow default/any-source#0'],
      ['alice/client', 'default/db', '9121', 'open', 'deny default/any-source'],
    ],
  },
  {
    doc: 'API NetworkPolicyIngressRule.from',
    rule: '"If this field is empty or missing, this rule matches all sources" (empty list)',
    policies: `
metadata: {name: any-source}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [], ports: [{port: 6379}]}]}
`,
    probes: [['ghost/client', 'default/db', '6379', 'open', 'allow default/any-source#0']],
  },
  {
    doc: 'API NetworkPolicyEgressRule.to',
    rule: '"If this field is empty or missing, this rule matches all destinations"',
    policies: `
metadata: {name: dns-anywhere}
spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [], ports: [{protocol: UDP, port: 53}]}, {ports: [{port: 53}]}]}
`,
    probes: [
      ['default/frontend', 'ip:8.8.8.8', 'UDP/53', 'allow default/dns-anywhere#0', 'not-a-pod'],
      ['default/frontend', 'prod/api', '53', 'allow default/dns-anywhere#1', 'open'],
      ['default/frontend', 'prod/api', '8080', 'deny default/dns-anywhere', 'open'],
    ],
  },
  {
    doc: 'API NetworkPolicyIngressRule.ports',
    rule: '"If this field is empty or missing, this rule matches all ports" — every protocol too (missing)',
    policies: `
metadata: {name: frontend-any-port}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '9121', 'open', 'allow default/frontend-any-port#0'],
      ['default/frontend', 'default/db', 'UDP/514', 'open', 'allow default/frontend-any-port#0'],
      ['default/frontend', 'default/db', 'SCTP/9999', 'open', 'allow default/frontend-any-port#0'],
    ],
  },
  {
    doc: 'API NetworkPolicyIngressRule.ports',
    rule: '"If this field is empty or missing, this rule matches all ports" (empty list)',
    policies: `
metadata: {name: frontend-any-port}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}], ports: []}]}
`,
    probes: [['default/frontend', 'default/db', '65535', 'open', 'allow default/frontend-any-port#0']],
  },

  // ── Peers: podSelector / namespaceSelector ─────────────────────────────────────────────────
  {
    doc: 'concept §Behavior of to and from selectors (podSelector)',
    rule: 'podSelector alone selects pods in the same namespace as the policy',
    policies: `
metadata: {name: from-frontend}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/from-frontend#0'],
      ['prod/frontend', 'default/db', '6379', 'open', 'deny default/from-frontend'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (podSelector)',
    rule: 'an empty podSelector alone selects every pod of the policy namespace',
    policies: `
metadata: {name: same-namespace}
spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}
`,
    probes: [
      ['default/client', 'default/db', '6379', 'open', 'allow default/same-namespace#0'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/same-namespace'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (namespaceSelector)',
    rule: 'namespaceSelector alone selects all pods of the matching namespaces',
    policies: `
metadata: {name: from-alice}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {user: alice}}}]}]}
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/from-alice#0'],
      ['alice/worker', 'default/db', '6379', 'open', 'allow default/from-alice#0'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/from-alice'],
      ['default/client', 'default/db', '6379', 'open', 'deny default/from-alice'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (namespaceSelector and podSelector)',
    rule: 'both selectors in one entry: pods role=client within namespaces user=alice (AND)',
    policies: `
metadata: {name: alice-clients}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {user: alice}}
      podSelector: {matchLabels: {role: client}}
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/alice-clients#0'],
      ['alice/worker', 'default/db', '6379', 'open', 'deny default/alice-clients'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/alice-clients'],
      ['default/client', 'default/db', '6379', 'open', 'deny default/alice-clients'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (namespaceSelector and podSelector)',
    rule: 'two entries: local pods role=client, OR any pod in namespaces user=alice',
    policies: `
metadata: {name: clients-or-alice}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {user: alice}}
    - podSelector: {matchLabels: {role: client}}
`,
    probes: [
      ['alice/worker', 'default/db', '6379', 'open', 'allow default/clients-or-alice#0'],
      ['default/client', 'default/db', '6379', 'open', 'allow default/clients-or-alice#0'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/clients-or-alice'],
    ],
  },
  {
    doc: 'API NetworkPolicyPeer.namespaceSelector',
    rule: '"if present but empty, it selects all namespaces"',
    policies: `
metadata: {name: any-namespace}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{namespaceSelector: {}}]}]}
`,
    probes: [
      ['ghost/client', 'default/db', '6379', 'open', 'allow default/any-namespace#0'],
      ['prod/api', 'default/db', '6379', 'open', 'allow default/any-namespace#0'],
      ['ip:10.200.0.1', 'default/db', '6379', 'not-a-pod', 'deny default/any-namespace'],
    ],
  },
  {
    doc: 'API NetworkPolicyPeer.namespaceSelector',
    rule: 'empty namespaceSelector with a podSelector: matching pods in every namespace',
    policies: `
metadata: {name: clients-anywhere}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]}]}
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/clients-anywhere#0'],
      ['ghost/client', 'default/db', '6379', 'open', 'allow default/clients-anywhere#0'],
      ['prod/api', 'default/db', '6379', 'open', 'deny default/clients-anywhere'],
    ],
  },
  {
    doc: 'concept §Targeting a Namespace by its name',
    rule: 'kubernetes.io/metadata.name is set on every namespace, even when a snapshot omits it',
    policies: `
metadata: {name: by-name}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ghost}}}]
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/by-name#0'],
      ['ghost/client', 'default/db', '6379', 'open', 'allow default/by-name#1'],
      ['staging/client', 'default/db', '6379', 'open', 'deny default/by-name'],
    ],
  },
  {
    doc: 'concept §Targeting multiple namespaces by label',
    rule: 'matchExpressions In: namespaces whose label is one of the values',
    policies: `
metadata: {name: prod-or-staging}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}}]}]
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/prod-or-staging#0'],
      ['staging/client', 'default/db', '6379', 'open', 'allow default/prod-or-staging#0'],
      ['alice/client', 'default/db', '6379', 'open', 'deny default/prod-or-staging'],
    ],
  },
  {
    doc: 'API LabelSelectorRequirement.operator',
    rule: 'NotIn matches objects without the key, and those whose value is not listed',
    policies: `
metadata: {name: not-prod}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}]}]
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/not-prod#0'],
      ['staging/client', 'default/db', '6379', 'open', 'allow default/not-prod#0'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/not-prod'],
    ],
  },
  {
    doc: 'API LabelSelectorRequirement.operator',
    rule: 'Exists matches objects that have the key, whatever its value',
    policies: `
metadata: {name: has-team}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}]}]
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/has-team#0'],
      ['staging/client', 'default/db', '6379', 'open', 'allow default/has-team#0'],
      ['alice/client', 'default/db', '6379', 'open', 'deny default/has-team'],
    ],
  },
  {
    doc: 'API LabelSelectorRequirement.operator',
    rule: 'DoesNotExist matches objects without the key',
    policies: `
metadata: {name: no-env}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: DoesNotExist}]}}]}]
`,
    probes: [
      ['alice/client', 'default/db', '6379', 'open', 'allow default/no-env#0'],
      ['default/client', 'default/db', '6379', 'open', 'allow default/no-env#0'],
      ['prod/client', 'default/db', '6379', 'open', 'deny default/no-env'],
    ],
  },
  {
    doc: 'API LabelSelector',
    rule: '"The requirements are ANDed": matchLabels and every matchExpression must hold',
    policies: `
metadata: {name: payments-not-staging}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {team: payments}
        matchExpressions: [{key: env, operator: NotIn, values: [staging]}]
      podSelector:
        matchExpressions: [{key: role, operator: In, values: [client, api]}]
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/payments-not-staging#0'],
      ['prod/api', 'default/db', '6379', 'open', 'deny default/payments-not-staging'],
      ['staging/client', 'default/db', '6379', 'open', 'deny default/payments-not-staging'],
      ['alice/client', 'default/db', '6379', 'open', 'deny default/payments-not-staging'],
    ],
  },
  {
    doc: 'API LabelSelector',
    rule: 'spec.podSelector with matchExpressions (In and DoesNotExist) selects the pods the policy isolates',
    policies: `
metadata: {name: not-alt}
spec:
  podSelector: {matchExpressions: [{key: role, operator: In, values: [db]}, {key: tier, operator: DoesNotExist}]}
  policyTypes: [Ingress]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/not-alt'],
      ['default/frontend', 'default/db-alt', '7000', 'open', 'open'],
    ],
  },

  // ── Peers: ipBlock ─────────────────────────────────────────────────────────────────────────
  {
    doc: 'concept §The NetworkPolicy resource (example)',
    rule: 'ipBlock 172.17.0.0/16 except 172.17.1.0/24: 172.17.0.0–172.17.0.255 and 172.17.2.0–172.17.255.255',
    policies: `
metadata: {name: office}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}}], ports: [{protocol: TCP, port: 6379}]}]
`,
    probes: [
      ['ip:172.17.0.5', 'default/db', '6379', 'not-a-pod', 'allow default/office#0'],
      ['ip:172.17.0.255', 'default/db', '6379', 'not-a-pod', 'allow default/office#0'],
      ['ip:172.17.1.5', 'default/db', '6379', 'not-a-pod', 'deny default/office'],
      ['ip:172.17.2.0', 'default/db', '6379', 'not-a-pod', 'allow default/office#0'],
      ['ip:172.17.255.255', 'default/db', '6379', 'not-a-pod', 'allow default/office#0'],
      ['ip:172.18.0.1', 'default/db', '6379', 'not-a-pod', 'deny default/office'],
      ['ip:::ffff:172.17.0.5', 'default/db', '6379', 'not-a-pod', 'allow default/office#0'],
    ],
  },
  {
    doc: 'API IPBlock.cidr',
    rule: 'IPv6 CIDRs ("2001:db8::/64") with except; the families never mix',
    policies: `
metadata: {name: v6}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}}]}]
`,
    probes: [
      ['ip:2001:db8::5', 'default/db', '6379', 'not-a-pod', 'allow default/v6#0'],
      ['ip:2001:db8:2:0:0:0:0:5', 'default/db', '6379', 'not-a-pod', 'allow default/v6#0'],
      ['ip:2001:db8:1::5', 'default/db', '6379', 'not-a-pod', 'deny default/v6'],
      ['ip:2001:db9::5', 'default/db', '6379', 'not-a-pod', 'deny default/v6'],
      ['ip:32.1.13.184', 'default/db', '6379', 'not-a-pod', 'deny default/v6'],
    ],
  },
  {
    doc: 'concept §Targeting a range of ports',
    rule: 'egress to 10.0.0.0/24 on TCP ports 32000–32768 (endPort inclusive)',
    policies: `
metadata: {name: multi-port-egress}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/24}}], ports: [{protocol: TCP, port: 32000, endPort: 32768}]}]
`,
    probes: [
      ['default/db', 'ip:10.0.0.99', '32000', 'allow default/multi-port-egress#0', 'not-a-pod'],
      ['default/db', 'ip:10.0.0.99', '32768', 'allow default/multi-port-egress#0', 'not-a-pod'],
      ['default/db', 'ip:10.0.0.99', '32769', 'deny default/multi-port-egress', 'not-a-pod'],
      ['default/db', 'ip:10.0.0.99', '31999', 'deny default/multi-port-egress', 'not-a-pod'],
      ['default/db', 'ip:10.0.0.99', 'UDP/32000', 'deny default/multi-port-egress', 'not-a-pod'],
      ['default/db', 'ip:10.0.1.1', '32000', 'deny default/multi-port-egress', 'not-a-pod'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (ipBlock) — implementation-defined',
    rule: 'ipBlock matches pod IPs by default (as Calico and Cilium do)',
    policies: `
metadata: {name: prod-range}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.2.0/24}}]}]}
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'allow default/prod-range#0'],
      ['alice/client', 'default/db', '6379', 'open', 'deny default/prod-range'],
    ],
  },
  {
    doc: 'concept §Behavior of to and from selectors (ipBlock) — implementation-defined',
    rule: 'with ipBlockMatchesPods: false, ipBlock sees only non-pod addresses',
    options: { ipBlockMatchesPods: false },
    policies: `
metadata: {name: prod-range}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 10.0.2.0/24}}]}]}
`,
    probes: [
      ['prod/client', 'default/db', '6379', 'open', 'deny default/prod-range'],
      ['ip:10.0.2.99', 'default/db', '6379', 'not-a-pod', 'allow default/prod-range#0'],
    ],
  },
  {
    doc: 'API IPBlock.except',
    rule: 'internet-only egress: 0.0.0.0/0 except the pod network excludes pods',
    policies: `
metadata: {name: internet-only}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]
`,
    probes: [
      ['default/db', 'ip:203.0.113.9', '443', 'allow default/internet-only#0', 'not-a-pod'],
      ['default/db', 'default/backend', '8080', 'deny default/internet-only', 'open'],
      ['default/db', 'ip:2001:db8::1', '443', 'deny default/internet-only', 'not-a-pod'],
    ],
  },
  {
    doc: 'API PodStatus.podIPs',
    rule: 'a dual-stack pod matches an ipBlock of either family',
    policies: `
metadata: {name: v6-pods}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: "fd00::/64"}}]}]}
`,
    probes: [
      ['default/v6', 'default/db', '6379', 'open', 'allow default/v6-pods#0'],
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/v6-pods'],
    ],
  },
  {
    doc: 'API IPBlock',
    rule: 'a pod without an IP yet matches no ipBlock, not even 0.0.0.0/0',
    policies: `
metadata: {name: anywhere}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}
`,
    probes: [
      ['default/pending', 'default/db', '6379', 'open', 'deny default/anywhere'],
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/anywhere#0'],
    ],
  },

  // ── Ports ──────────────────────────────────────────────────────────────────────────────────
  {
    doc: 'API NetworkPolicyPort.protocol',
    rule: '"If not specified, this field defaults to TCP"',
    policies: `
metadata: {name: port-53}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: 53}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '53', 'open', 'allow default/port-53#0'],
      ['default/frontend', 'default/db', 'UDP/53', 'open', 'deny default/port-53'],
    ],
  },
  {
    doc: 'concept §Network traffic filtering',
    rule: 'TCP, UDP and SCTP are distinct: a port allowed on one protocol is not allowed on another',
    policies: `
metadata: {name: syslog-udp}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{protocol: UDP, port: 514}]}, {ports: [{protocol: SCTP, port: 9899}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', 'UDP/514', 'open', 'allow default/syslog-udp#0'],
      ['default/frontend', 'default/db', '514', 'open', 'deny default/syslog-udp'],
      ['default/frontend', 'default/db', 'SCTP/514', 'open', 'deny default/syslog-udp'],
      ['default/frontend', 'default/db', 'SCTP/9899', 'open', 'allow default/syslog-udp#1'],
      ['default/frontend', 'default/db', 'UDP/9899', 'open', 'deny default/syslog-udp'],
    ],
  },
  {
    doc: 'API NetworkPolicyPort.port',
    rule: '"If this field is not provided, this matches all port names and numbers" (of the protocol)',
    policies: `
metadata: {name: all-udp}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{protocol: UDP}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', 'UDP/9999', 'open', 'allow default/all-udp#0'],
      ['default/frontend', 'default/db', '9999', 'open', 'deny default/all-udp'],
    ],
  },
  {
    doc: 'API NetworkPolicyPort.port',
    rule: "a named port (ingress) resolves against the destination pod's container ports",
    policies: `
metadata: {name: redis-by-name}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: redis}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/redis-by-name#0'],
      ['default/frontend', 'default/db-alt', '7000', 'open', 'allow default/redis-by-name#0'],
      ['default/frontend', 'default/db', '7000', 'open', 'deny default/redis-by-name'],
      ['default/frontend', 'default/db-alt', '6379', 'open', 'deny default/redis-by-name'],
    ],
  },
  {
    doc: 'API NetworkPolicyPort.port',
    rule: '"only traffic on the specified protocol AND port will be matched": a named port needs its protocol',
    policies: `
metadata: {name: redis-udp}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: redis, protocol: UDP}]}, {ports: [{port: syslog, protocol: UDP}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'open', 'deny default/redis-udp'],
      ['default/frontend', 'default/db', 'UDP/6379', 'open', 'deny default/redis-udp'],
      ['default/frontend', 'default/db', 'UDP/514', 'open', 'allow default/redis-udp#1'],
    ],
  },
  {
    doc: 'API NetworkPolicyPort.port',
    rule: 'a named port (egress) resolves against the destination pod; an external IP has no named ports',
    policies: `
metadata: {name: http-out}
spec:
  podSelector: {matchLabels: {role: frontend}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]
`,
    probes: [
      ['default/frontend', 'default/backend', '8080', 'allow default/http-out#0', 'open'],
      ['default/frontend', 'prod/api', '8080', 'allow default/http-out#0', 'open'],
      ['default/frontend', 'default/db', '8080', 'deny default/http-out', 'open'],
      ['default/frontend', 'ip:203.0.113.9', '8080', 'deny default/http-out', 'not-a-pod'],
    ],
  },
  {
    doc: 'API NetworkPolicyPort.endPort',
    rule: '"the range of ports from port to endPort if set, inclusive"',
    policies: `
metadata: {name: range}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{ports: [{port: 6000, endPort: 6400}]}]}
`,
    probes: [
      ['default/frontend', 'default/db', '6000', 'open', 'allow default/range#0'],
      ['default/frontend', 'default/db', '6379', 'open', 'allow default/range#0'],
      ['default/frontend', 'default/db', '6400', 'open', 'allow default/range#0'],
      ['default/frontend', 'default/db', '6401', 'open', 'deny default/range'],
      ['default/frontend', 'default/db', '5999', 'open', 'deny default/range'],
    ],
  },

  // ── Egress peers ───────────────────────────────────────────────────────────────────────────
  {
    doc: 'concept §Behavior of to and from selectors (podSelector)',
    rule: 'egress podSelector alone selects destinations in the policy namespace',
    policies: `
metadata: {name: frontend-to-db}
spec:
  podSelector: {matchLabels: {role: frontend}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {role: db}}}], ports: [{port: 6379}]}]
`,
    probes: [
      ['default/frontend', 'default/db', '6379', 'allow default/frontend-to-db#0', 'open'],
      ['default/frontend', 'default/db', '9121', 'deny default/frontend-to-db', 'open'],
      ['default/frontend', 'prod/api', '6379', 'deny default/frontend-to-db', 'open'],
      ['default/frontend', 'ip:10.0.0.20', '6379', 'deny default/frontend-to-db', 'not-a-pod'],
    ],
  },

  // ── hostNetwork pods and nodes ─────────────────────────────────────────────────────────────
  {
    doc: 'concept §NetworkPolicy and hostNetwork pods',
    rule: 'a hostNetwork pod selected by spec.podSelector is not isolated (the most common implementation)',
    policies: `
metadata: {name: deny-both}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
    probes: [
      ['prod/client', 'default/node-agent', '9100', 'open', 'host-network'],
      ['default/node-agent', 'ip:203.0.113.9', '443', 'host-network', 'not-a-pod'],
    ],
  },
  {
    doc: 'concept §NetworkPolicy and hostNetwork pods',
    rule: 'podSelector and namespaceSelector ignore hostNetwork pods; their traffic is node traffic, matched by ipBlock',
    policies: `
metadata: {name: from-frontend}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}, {namespaceSelector: {}}]}]}
---
metadata: {name: from-nodes}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/24}}], ports: [{port: 9121}]}]}
`,
    probes: [
      ['default/node-agent', 'default/db', '6379', 'host-network', 'deny default/from-frontend,default/from-nodes'],
      ['default/node-agent', 'default/db', '9121', 'host-network', 'allow default/from-nodes#0'],
    ],
  },
  {
    doc: 'concept §NetworkPolicy and hostNetwork pods',
    rule: 'ipBlock matches hostNetwork pods by node address even when ipBlockMatchesPods is off',
    options: { ipBlockMatchesPods: false },
    policies: `
metadata: {name: from-nodes}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/24}}]}]}
`,
    probes: [['default/node-agent', 'default/db', '6379', 'host-network', 'allow default/from-nodes#0']],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: '"the only allowed connections into the pod are those from the pod\'s node and those allowed by the ingress list"',
    policies: denyAllIngress,
    probes: [
      ['node', 'default/db', '15021', 'not-a-pod', 'node-local'],
      ['default/node-agent-1', 'default/db', '15021', 'host-network', 'node-local'],
      ['default/node-agent', 'default/db', '15021', 'host-network', 'deny default/deny-all'],
      ['node:192.168.0.9', 'default/db', '15021', 'not-a-pod', 'node-local'],
      ['ip:192.168.0.9', 'default/db', '15021', 'not-a-pod', 'deny default/deny-all'],
    ],
  },
  {
    doc: 'concept §The two sorts of pod isolation',
    rule: 'egress from an isolated pod to a node is allowed only by its egress rules (ipBlock)',
    policies: `
metadata: {name: to-nodes}
spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 192.168.0.0/24}}]}]}
`,
    probes: [
      ['default/db', 'node:192.168.0.1', '10250', 'allow default/to-nodes#0', 'not-a-pod'],
      ['default/db', 'node', '10250', 'deny default/to-nodes', 'not-a-pod'],
      ['default/db', 'default/node-agent', '9100', 'allow default/to-nodes#0', 'host-network'],
    ],
  },

  // ── What you can't do ──────────────────────────────────────────────────────────────────────
  {
    doc: "concept §What you can't do with network policies",
    rule: 'a pod cannot block access to itself (loopback)',
    policies: `
metadata: {name: deny-both}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
    probes: [
      ['default/db', 'default/db', '6379', 'same-pod', 'same-pod'],
      ['default/db', 'default/db-2', '6379', 'deny default/deny-both', 'deny default/deny-both'],
    ],
  },
];

describe.each(cases)('$doc: $rule', ({ policies: yamlText, options, probes }) => {
  const index = buildNetpolIndex({ pods, namespaces, policies: policies(yamlText) }, options);

  it('reads the policies without problems', () => {
    expect(index.problems).toEqual([]);
  });

  it.each(probes)('%s → %s %s: egress %s, ingress %s', (from, to, portText, egress, ingress) => {
    const result = index.evaluate(endpoint(from), endpoint(to), port(portText));
    const allowed = !egress.startsWith('deny') && !ingress.startsWith('deny');
    expect({ egress: summary(result.egress), ingress: summary(result.ingress), allowed: result.allowed }).toEqual({
      egress,
      ingress,
      allowed,
    });
  });
});

describe('verdict details', () => {
  const index = buildNetpolIndex({
    pods,
    namespaces,
    policies: policies(`
metadata: {name: z-deny}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
metadata: {name: a-db}
spec: {podSelector: {matchLabels: {role: db}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]}
`),
  });

  it('names every isolating policy, sorted, whether the connection is allowed or denied', () => {
    const denied = index.evaluate(endpoint('default/client'), endpoint('default/db'), port('6379'));
    expect(denied.ingress).toEqual({
      direction: 'ingress',
      allowed: false,
      isolated: true,
      reason: 'no-rule-matches',
      isolatedBy: [
        { namespace: 'default', name: 'a-db' },
        { namespace: 'default', name: 'z-deny' },
      ],
      allowedBy: [],
    });
    const allowed = index.evaluate(endpoint('default/frontend'), endpoint('default/db'), port('6379'));
    expect(allowed.ingress).toMatchObject({ allowed: true, isolated: true, allowedBy: [{ namespace: 'default', name: 'a-db', rule: 0 }] });
    expect(allowed.ingress.isolatedBy).toHaveLength(2);
  });

  it('marks exemptions as isolated when policies still apply', () => {
    const self = index.evaluate(endpoint('default/db'), endpoint('default/db'), port('6379'));
    expect(self.ingress).toMatchObject({ allowed: true, isolated: true, reason: 'same-pod' });
    expect(self.egress).toMatchObject({ allowed: true, isolated: false, reason: 'same-pod' });
  });

  it('evaluates whole classes the same as each of their pods', () => {
    const db = index.classOf(findPod('default/db'));
    expect(db.pods.map((p) => p.metadata.name)).toEqual(['db', 'db-2']);
    const byClass = index.evaluate({ kind: 'class', podClass: db }, endpoint('default/db'), port('6379'));
    const byPod = index.evaluate(endpoint('default/db-2'), endpoint('default/db'), port('6379'));
    expect(byClass).toEqual(byPod);
  });

  it('lists the isolating policies of an endpoint and the pods a policy selects', () => {
    expect(index.isolatingPolicies(endpoint('default/db'), 'ingress').map((r) => r.name)).toEqual(['a-db', 'z-deny']);
    expect(index.isolatingPolicies(endpoint('default/db'), 'egress')).toEqual([]);
    expect(index.isolatingPolicies(endpoint('ip:1.2.3.4'), 'ingress')).toEqual([]);
    expect(index.selectedPods({ namespace: 'default', name: 'a-db' }).map((p) => p.metadata.name)).toEqual(['db', 'db-2', 'db-alt']);
    // hostNetwork pods are never selected.
    expect(index.selectedPods({ namespace: 'default', name: 'z-deny' }).map((p) => p.metadata.name)).not.toContain('node-agent');
  });

  it('finds pods by IP, pod network before hostNetwork', () => {
    expect(index.podForIp('10.0.0.20')?.metadata.name).toBe('db');
    expect(index.podForIp('fd00:0::60')?.metadata.name).toBe('v6');
    expect(index.podForIp('192.168.0.1')?.metadata.name).toBe('node-agent-1');
    expect(index.podForIp('10.99.0.1')).toBeUndefined();
    expect(index.podForIp('not an ip')).toBeUndefined();
  });

  it('evaluates a pod the index has not seen by its own labels', () => {
    const stranger = { ...findPod('default/frontend'), metadata: { name: 'stranger', namespace: 'default', labels: { role: 'frontend' } } };
    expect(index.classOf(stranger).id).toBe(-1);
    expect(index.evaluate({ kind: 'pod', pod: stranger }, endpoint('default/db'), port('6379')).ingress.reason).toBe('allowed-by-rule');
  });

  it('rejects invalid queries, quoting the value', () => {
    expect(() => index.evaluate(endpoint('default/frontend'), endpoint('default/db'), { port: 0 })).toThrow(
      'port.port must be an integer from 1 to 65535; got 0',
    );
    expect(() => index.evaluate(endpoint('default/frontend'), endpoint('default/db'), { port: 80, protocol: 'tcp' as never })).toThrow(
      'port.protocol must be TCP, UDP or SCTP; got "tcp"',
    );
    expect(() => index.evaluate({ kind: 'ip', ip: '10.0.0.256' }, endpoint('default/db'), { port: 80 })).toThrow(
      'src: expected an IPv4 or IPv6 address; got "10.0.0.256"',
    );
    expect(() => buildNetpolIndex({ pods, policies: 'none' as never })).toThrow('buildNetpolIndex: policies must be a list; got "none"');
    const other = buildNetpolIndex({ pods, namespaces, policies: [] });
    expect(() => index.evaluate({ kind: 'class', podClass: other.classes[0]! }, endpoint('default/db'), { port: 80 })).toThrow(
      'src: the pod class 0 does not belong to this index',
    );
  });
});
