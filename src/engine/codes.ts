// The one registry of finding codes. Kept in code order (plain string order, so IST
// codes come before MB codes; test/meta.test.ts enforces it); a retired code is commented
// out, never reused. IST codes mean exactly what `istioctl analyze` means by them
// (same level, same message shape), so users can look them up on istio.io too; MB codes
// are Meshbook's own, grouped in ranges:
//   MB00xx engine           MB01xx control plane      MB02xx R1 service discovery
//   MB03xx R2 API server    MB04xx R3 L3 reachability MB05xx R4 firewall vs L3-7 rules
//   MB06xx R5 control ports     MB07xx ambient mode       MB08xx security policies
//   MB09xx multi-cluster meshes
// Checks report through `ctx.report(code, …)`, whose params are typed from this table,
// so a code that does not exist, or a missing param, fails to compile. The remediation
// of a finding is a named template of its code in src/engine/fixes.ts, typed the same way.

import type { Severity } from './types.ts';

type Params = Record<string, string | number>;

/** One code: what it means, and how its one-line message is built. */
export interface CodeDef<P extends Params = Params> {
  level: Severity;
  /** Short name, e.g. "Gateway port not on its Service". */
  title: string;
  /** The one-line message from params. Plain text. */
  message: (p: P) => string;
  /** What the finding means (reference page). */
  meaning: string;
  /** Why it matters to traffic (reference page). */
  why: string;
  /** How to fix it, generally; a check names a more specific template from src/engine/fixes.ts. */
  fix: string;
  /** A short YAML example that triggers the code (reference page). */
  example?: string;
}

// Declares a code with the type of its params; the identity function keeps inference.
function code<P extends Params>(def: CodeDef<P>): CodeDef<P> {
  return def;
}

export const CODES = {
  IST0002: code<{ detail: string }>({
    level: 'warning',
    title: 'Deprecated field or resource type',
    message: (p) => `Deprecated: ${p.detail}`,
    meaning:
      'The configuration uses something Istio has deprecated or dropped: a VirtualService fault delay given as `percent`, a Sidecar `outboundTrafficPolicy.egressProxy`, or a CustomResourceDefinition of the removed rbac.istio.io API.',
    why: 'Deprecated fields are ignored or read with old semantics, and removed resource types are not read at all, so the behaviour the YAML describes may not be what the proxies do.',
    fix: 'Move to the replacement the message names (`percentage` for fault delays) or delete the field or resource that Istio no longer reads.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: shop }
spec:
  hosts: [ratings]
  http:
    - fault: { delay: { percent: 10, fixedDelay: 2s } }   # use percentage.value
      route: [{ destination: { host: ratings } }]`,
  }),
  IST0101: code<{ kind: string; ref: string }>({
    level: 'error',
    title: 'Referenced resource not found',
    message: (p) => `Referenced ${p.kind} not found: "${p.ref}"`,
    meaning: 'A resource refers to another resource (a host, a subset, a gateway, a selector, a Secret) that does not exist.',
    why: 'Istio silently ignores or rejects configuration that points at nothing: requests fail with 503s or routes never apply.',
    fix: 'Create the missing resource, or correct the reference (name, namespace, labels).',
    example: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: web, namespace: shop }
spec:
  selector: { istio: egressgateway }   # no pod carries this label
  servers:
    - port: { number: 443, name: tls, protocol: TLS }
      hosts: ["*"]`,
  }),
  IST0102: code<{ namespace: string }>({
    level: 'info',
    title: 'Namespace not enabled for injection',
    message: (p) =>
      `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${p.namespace} istio-injection=enabled' to enable it, or 'kubectl label namespace ${p.namespace} istio-injection=disabled' to explicitly mark it as not needing injection.`,
    meaning: 'The namespace has neither an `istio-injection` nor an `istio.io/rev` label, so new pods in it get no sidecar.',
    why: 'Workloads without a sidecar are outside the mesh: no mTLS, no routing rules, no telemetry.',
    fix: 'Label the namespace `istio-injection=enabled` (or `istio.io/rev=<revision>`), or `istio-injection=disabled` to say it is deliberately outside the mesh.',
    example: `apiVersion: v1
kind: Namespace
metadata:
  name: legacy          # no istio-injection or istio.io/rev label`,
  }),
  IST0103: code<{ pod: string }>({
    level: 'warning',
    title: 'Pod missing the Istio proxy',
    message: (p) => `The pod ${p.pod} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`,
    meaning: 'The pod runs in a namespace labelled `istio-injection=enabled` but has no `istio-proxy` container, and it did not opt out.',
    why: 'The pod was created before injection was enabled, or the injection webhook did not run; it is outside the mesh while its neighbours are inside, so strict mTLS peers refuse it and routing rules skip it.',
    fix: 'Restart the workload (`kubectl rollout restart deploy/<name>`) so the webhook injects the sidecar; if it still has none, check the webhook (`istioctl x check-inject`, IST0139).',
    example: `apiVersion: v1
kind: Pod
metadata: { name: cart-7c9d8f6b5-xk2lp, namespace: shop }   # shop has istio-injection=enabled
spec:
  containers:
    - { name: cart, image: example/cart:2.3 }                # no istio-proxy`,
  }),
  IST0106: code<{ err: string }>({
    level: 'error',
    title: 'Schema validation error',
    message: (p) => `Schema validation error: ${p.err}`,
    meaning:
      "An Istio resource does not fit its CustomResourceDefinition's OpenAPI schema: a field of the wrong type, a value outside its enum, a required field missing, a field the schema does not know, or two mutually exclusive fields set together.",
    why: 'The API server refuses such an object, or istiod rejects it, so the configuration never reaches a proxy.',
    fix: 'Correct the field the message names (its path is given) to what the CRD allows; `kubectl apply --dry-run=server` shows the same error.',
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: cart, namespace: shop }
spec:
  host: cart
  trafficPolicy: { tls: { mode: MUTUAL_TLS } }   # ISTIO_MUTUAL or MUTUAL`,
  }),
  IST0107: code<{ annotation: string; kind: string }>({
    level: 'warning',
    title: 'Misplaced Istio annotation',
    message: (p) => `Misplaced annotation: ${p.annotation} can only be applied to ${p.kind}`,
    meaning:
      'An Istio annotation sits on a kind of resource it does not apply to, e.g. a pod annotation on a Deployment instead of on its pod template.',
    why: 'Istio reads the annotation only from the resources it is defined for; elsewhere it has no effect.',
    fix: 'Move the annotation to a resource of the kind the message names (for pods: `spec.template.metadata.annotations` of the workload).',
    example: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
  annotations: { sidecar.istio.io/proxyCPU: 200m }   # belongs on the pod template`,
  }),
  IST0108: code<{ annotation: string }>({
    level: 'warning',
    title: 'Unknown Istio annotation',
    message: (p) => `Unknown annotation: ${p.annotation}`,
    meaning: "An annotation in an istio.io domain is not one of Istio's known annotations (often a typo).",
    why: 'Istio ignores annotations it does not know, so the setting the author meant never applies.',
    fix: "Correct the name to one of Istio's annotations (istio.io's annotation reference lists them), or remove it.",
    example: `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  annotations: { networking.istio.io/exportto: "." }   # exportTo`,
  }),
  IST0109: code<{ virtualServices: string; host: string }>({
    level: 'error',
    title: 'Mesh VirtualServices share a host',
    message: (p) =>
      `The VirtualServices ${p.virtualServices} associated with mesh gateway define the same host ${p.host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
    meaning:
      'Two or more VirtualServices bound to the `mesh` gateway (no `gateways:`, or `mesh` listed) claim the same host in the same export scope. The host is printed as `scope/fqdn`.',
    why: 'Sidecars get one route table per host. istiod merges conflicting VirtualServices in an order you do not control, so some of the rules silently never apply.',
    fix: 'Merge the rules into one VirtualService per host, or give them non-overlapping exportTo scopes.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews-canary, namespace: shop }
spec:
  hosts: [reviews]          # reviews-main in shop also routes "reviews"
  http: [{ route: [{ destination: { host: reviews, subset: v2 } }] }]`,
  }),
  IST0110: code<{ sidecars: string; namespace: string; pod: string }>({
    level: 'error',
    title: 'Sidecars select the same pod',
    message: (p) =>
      `The Sidecars [${p.sidecars}] in namespace ${JSON.stringify(p.namespace)} select the same workload pod ${JSON.stringify(p.pod)}, which can lead to undefined behavior.`,
    meaning: 'More than one Sidecar resource with a workloadSelector matches the same pod.',
    why: 'A proxy applies exactly one Sidecar resource. Which one istiod picks among several is not defined, so egress hosts and inbound ports may differ from what either author expected.',
    fix: 'Make the workload selectors disjoint, or merge the Sidecar resources into one.',
    example: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: cart-egress, namespace: shop }
spec:
  workloadSelector: { labels: { app: cart } }     # cart-strict selects app=cart too
  egress: [{ hosts: ["./*", "istio-system/*"] }]`,
  }),
  IST0111: code<{ sidecars: string; namespace: string }>({
    level: 'error',
    title: 'Several namespace-wide Sidecars',
    message: (p) =>
      `The Sidecars [${p.sidecars}] in namespace ${JSON.stringify(p.namespace)} have no workload selector, which can lead to undefined behavior.`,
    meaning:
      'A namespace has more than one Sidecar resource without a workloadSelector; each claims to be the default for every proxy in the namespace.',
    why: 'Only one namespace-wide Sidecar can apply. istiod picks one of them, so the egress and ingress limits in force are a matter of chance.',
    fix: 'Keep one Sidecar without a selector per namespace; give the others a workloadSelector or merge them.',
    example: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: default-egress, namespace: shop }   # shop also has "default"
spec:
  egress: [{ hosts: ["./*"] }]`,
  }),
  IST0112: code<{ host: string; ports: string }>({
    level: 'error',
    title: 'Destination port required',
    message: (p) =>
      `This VirtualService routes to a service ${JSON.stringify(p.host)} that exposes multiple ports [${p.ports}]. Specifying a port in the destination is required to disambiguate.`,
    meaning: 'A route or mirror destination has no `port`, but its host is a Service or ServiceEntry with more than one port.',
    why: 'Without a port, the route applies to a port istiod has to guess; traffic on the other ports may not follow the rule at all.',
    fix: 'Add `port: { number: <port> }` to the destination, or split the route per port.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: payments, namespace: shop }
spec:
  hosts: [payments]
  http: [{ route: [{ destination: { host: payments } }] }]   # payments exposes 8080 and 9090`,
  }),
  IST0116: code<{ deployment: string; port: number; services: string }>({
    level: 'warning',
    title: "Workload's Services disagree on a port's protocol",
    message: (p) =>
      `This deployment ${p.deployment} is associated with multiple services using port ${p.port} but different protocols: ${p.services}`,
    meaning:
      'Two or more Services that select the pods of a meshed Deployment expose the same port number with different `protocol` values (TCP, UDP, SCTP; unset counts as TCP).',
    why: 'The sidecar configures one inbound listener per port: it cannot carry one port as two protocols, so traffic for one of the Services is mishandled.',
    fix: 'Give the port one protocol in every Service that selects the workload, or expose the second protocol on another port.',
    example: `apiVersion: v1
kind: Service
metadata: { name: dns-udp, namespace: shop }
spec:
  selector: { app: resolver }          # dns-tcp selects app=resolver with port 53/TCP
  ports: [{ name: udp-dns, port: 53, protocol: UDP }]`,
  }),
  IST0118: code<{ portName: string; port: number; targetPort: string }>({
    level: 'info',
    title: 'Port name does not declare a protocol',
    message: (p) =>
      `Port name ${p.portName} (port: ${p.port}, targetPort: ${p.targetPort}) doesn't follow the naming convention of Istio port.`,
    meaning:
      "Neither the Service port's appProtocol nor its name (`<protocol>[-<suffix>]`) names a protocol Istio knows, so Istio sniffs the protocol from the first bytes of each connection.",
    why: 'Sniffing adds latency to server-first protocols and can misclassify traffic, so HTTP routing, retries and metrics may not apply; server-first protocols (MySQL, SMTP) can hang.',
    fix: 'Set `appProtocol` (http, http2, grpc, https, tls, tcp, …) or rename the port to `<protocol>-<suffix>`, for example `http-web`.',
    example: `apiVersion: v1
kind: Service
metadata: { name: catalog, namespace: shop }
spec:
  selector: { app: catalog }
  ports: [{ name: web, port: 8080 }]   # "web" names no protocol`,
  }),
  IST0123: code<{ labels: string }>({
    level: 'warning',
    title: 'Namespace has more than one injection label',
    message: (p) =>
      `The namespace has more than one type of injection labels ${p.labels}, which may lead to undefined behavior. Make sure only one injection label exists.`,
    meaning:
      'The namespace carries more than one of `istio-injection`, `istio.io/rev` and `istio.io/dataplane-mode`. The last two only count while `istio-injection` is absent or `enabled`.',
    why: 'Each label is matched by a different webhook or data-plane mode: pods may be injected by the wrong control-plane revision, or the namespace is asked to be both sidecar and ambient. Which one wins depends on webhook selectors, not on intent.',
    fix: 'Keep one label: `kubectl label namespace <ns> istio.io/rev-` to stay on the default revision, or `kubectl label namespace <ns> istio-injection-` to follow the revision label (the usual choice during a canary upgrade). Then restart the workloads.',
    example: `apiVersion: v1
kind: Namespace
metadata:
  name: busted
  labels: { istio-injection: enabled, istio.io/rev: canary }`,
  }),
  IST0125: code<{ annotation: string; problem: string }>({
    level: 'warning',
    title: 'Invalid Istio annotation value',
    message: (p) => `Invalid annotation ${p.annotation}: ${p.problem}`,
    meaning:
      'An Istio annotation that the sidecar injector validates (ports, CIDR lists, interface names, integers, booleans, resource quantities, interception mode) has a value it cannot parse.',
    why: 'The injector refuses to inject a pod whose annotations do not validate, so the workload starts without its sidecar or not at all.',
    fix: 'Give the annotation a value of the form the message names.',
    example: `apiVersion: v1
kind: Pod
metadata:
  name: cart
  namespace: shop
  annotations: { traffic.sidecar.istio.io/excludeOutboundPorts: "5432;6379" }   # comma-separated`,
  }),
  IST0126: code<{ serviceregistry: string; network: string }>({
    level: 'error',
    title: 'meshNetworks names an unknown registry',
    message: (p) => `Unknown service registry ${p.serviceregistry} in network ${p.network}`,
    meaning:
      'An endpoint of a network in meshNetworks (the `meshNetworks` key of ConfigMap istio-system/istio) says `fromRegistry: <name>`, and `<name>` is neither one of istiod\'s built-in registries (`Kubernetes`, `External`, `Mock`, spelled exactly so) nor a cluster that a remote-cluster Secret (labelled `istio/multiCluster: "true"`) holds a kubeconfig for, under a data key of that name.',
    why: 'istiod assigns the endpoints of a registry to a network by that name; endpoints of a cluster the name does not match land on no declared network, so cross-network traffic toward them is not sent through the network gateway and fails.',
    fix: "Spell `fromRegistry` as the cluster's ID (the data key of its remote Secret, the `networking.istio.io/cluster` annotation `istioctl create-remote-secret` writes), or create the missing remote Secret with `istioctl create-remote-secret`.",
    example: `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: ""
  meshNetworks: |
    networks:
      west:
        endpoints: [{ fromRegistry: cluster-wset }]   # the remote Secret's key is cluster-west
        gateways: [{ address: 203.0.113.10, port: 15443 }]`,
  }),
  IST0127: code<{ labels: string }>({
    level: 'warning',
    title: 'Policy selects no workload',
    message: (p) => `No matching workloads for this resource with the following labels: ${p.labels}`,
    meaning:
      "An AuthorizationPolicy applies to no pod istioctl counts as meshed (a sidecar, sidecar injection on, or ambient redirection): its selector matches none in its namespace (in any namespace, for a policy in the mesh root namespace), or it has no selector and its namespace has no meshed pod. The labels are the selector's, empty for a policy without one.",
    why: 'A policy that applies to nothing enforces nothing: the access it was meant to allow or deny is not controlled, usually because of a typo in a label or a workload that was renamed or moved.',
    fix: "Correct `spec.selector.matchLabels` to the labels of the workload's pods, move the policy to the namespace of those pods, or delete it if the workload is gone.",
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: cart-readers, namespace: shop }
spec:
  selector: { matchLabels: { app: carts } }   # the pods are labelled app: cart
  rules: [{ to: [{ operation: { methods: [GET] } }] }]`,
  }),
  IST0128: code<{ destinationRule: string; namespace: string; mode: string; host: string }>({
    level: 'warning',
    title: 'TLS without server certificate verification',
    message: (p) =>
      `DestinationRule ${p.destinationRule} in namespace ${p.namespace} has TLS mode set to ${p.mode} but no caCertificates are set to validate server identity for host: ${p.host}`,
    meaning:
      'The DestinationRule originates TLS (mode SIMPLE or MUTUAL) for all ports but gives no `caCertificates` (and no `credentialName` with a workloadSelector) to verify the server with.',
    why: 'The connection is encrypted but the server is not authenticated: anything that can answer for the host can read the traffic.',
    fix: "Set `tls.caCertificates` (or a `credentialName` whose Secret holds `ca.crt`) to the CA that signs the server's certificate, and `sni`/`subjectAltNames` to its name.",
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: payments-api, namespace: shop }
spec:
  host: api.payments.example.com
  trafficPolicy: { tls: { mode: SIMPLE } }   # no caCertificates`,
  }),
  IST0129: code<{ destinationRule: string; namespace: string; mode: string; host: string; port: string }>({
    level: 'warning',
    title: 'Port-level TLS without server certificate verification',
    message: (p) =>
      `DestinationRule ${p.destinationRule} in namespace ${p.namespace} has TLS mode set to ${p.mode} but no caCertificates are set to validate server identity for host: ${p.host} at port ${p.port}`,
    meaning:
      "A portLevelSettings entry originates TLS (mode SIMPLE or MUTUAL) without `caCertificates` (or a `credentialName` with a workloadSelector). The port is printed as Istio's text form, e.g. `number:443`.",
    why: 'Traffic to that port is encrypted but the server is not authenticated.',
    fix: "Set `caCertificates` (or a `credentialName` whose Secret holds `ca.crt`) in that port's `tls` block.",
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ledger, namespace: shop }
spec:
  host: ledger.example.com
  trafficPolicy:
    portLevelSettings: [{ port: { number: 443 }, tls: { mode: SIMPLE } }]`,
  }),
  IST0130: code<{ ruleno: string; reason: string }>({
    level: 'warning',
    title: 'VirtualService rule never used',
    message: (p) => `VirtualService rule ${p.ruleno} not used (${p.reason}).`,
    meaning:
      'A rule of the VirtualService (an `http`, `tcp` or `tls` entry, named by its `name` or its index) can never be chosen: an earlier rule without `match` already takes every request, or every one of its matches repeats a match of an earlier rule.',
    why: 'Proxies try the rules in order and use the first that matches, so the traffic this rule was written for goes where the earlier rule sends it.',
    fix: 'Move the rule before the one that takes its traffic, give it a match of its own, or delete it; keep a rule without `match` last.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: cart, namespace: shop }
spec:
  hosts: [cart]
  http:
    - route: [{ destination: { host: cart, subset: v1 } }]   # no match: takes everything
    - match: [{ uri: { prefix: /beta } }]                     # never reached
      route: [{ destination: { host: cart, subset: v2 } }]`,
  }),
  IST0131: code<{ ruleno: string; matchno: string; dupno: string }>({
    level: 'info',
    title: 'VirtualService match shadowed by an earlier one',
    message: (p) => `VirtualService rule ${p.ruleno} match ${p.matchno} is not used (duplicate/overlapping match in rule ${p.dupno}).`,
    meaning:
      'A match of a VirtualService rule repeats an earlier match (the same conditions, whatever its name), or is an HTTP `uri.prefix` match that extends the prefix of an earlier match with the same method, authority, port, headers and query parameters.',
    why: 'The earlier match takes those requests first, so this match routes nothing; the rule may still be used through its other matches.',
    fix: 'Delete the repeated match, or put the longer prefix before the shorter one so the more specific route is tried first.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: catalog, namespace: shop }
spec:
  hosts: [catalog]
  http:
    - match: [{ uri: { prefix: /api/v1 } }]
      route: [{ destination: { host: catalog } }]
    - match: [{ uri: { prefix: /api/v1/items } }]   # /api/v1 already takes these
      route: [{ destination: { host: items } }]`,
  }),
  IST0132: code<{ hosts: string; virtualservice: string; gateway: string }>({
    level: 'warning',
    title: 'VirtualService host not served by its Gateway',
    message: (p) => `one or more host ${p.hosts} defined in VirtualService ${p.virtualservice} not found in Gateway ${p.gateway}.`,
    meaning:
      "None of the VirtualService's hosts matches a host of any server of a Gateway it binds to (after `./host` and `*/host` are resolved, and hosts scoped to another namespace are dropped). Also reported when the Gateway does not exist.",
    why: "A gateway only routes hosts its servers accept: the VirtualService's routes are never attached to the gateway, and requests for its hosts there get 404.",
    fix: 'Add the host (or a wildcard covering it) to a server of the Gateway, or bind the VirtualService to the Gateway that serves its host.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop.example.com]
  gateways: [shop-gateway]     # its servers only accept "api.example.com"
  http: [{ route: [{ destination: { host: frontend } }] }]`,
  }),
  IST0134: code<Record<string, never>>({
    level: 'warning',
    title: 'ServiceEntry needs addresses',
    message: () => 'ServiceEntry addresses are required for this protocol.',
    meaning:
      'A ServiceEntry has TCP (or unset-protocol) ports but no `addresses`, no allocated `status.addresses`, and the mesh does not auto-allocate IPs (meshConfig.defaultConfig.proxyMetadata ISTIO_META_DNS_CAPTURE plus ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE, all "true").',
    why: 'For TCP, Envoy can only tell destinations apart by IP and port. Without an address, all such ServiceEntries on that port share one 0.0.0.0 listener and traffic may go to the wrong one.',
    fix: 'Add `addresses` (a VIP or CIDR), declare the real protocol (HTTP, TLS with SNI), or enable DNS capture with IP auto-allocation in meshConfig.',
    example: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: legacy-db, namespace: shop }
spec:
  hosts: [db.legacy.example.com]
  ports: [{ number: 5432, name: tcp-pg, protocol: TCP }]
  resolution: DNS`,
  }),
  IST0135: code<{ annotation: string; extra: string }>({
    level: 'info',
    title: 'Deprecated Istio annotation',
    message: (p) => `Annotation ${JSON.stringify(p.annotation)} has been deprecated${p.extra} and may not work in future Istio versions.`,
    meaning: 'A resource carries an Istio annotation that Istio has deprecated.',
    why: 'Deprecated annotations keep working for a while, then are dropped: the setting silently stops applying after an upgrade.',
    fix: 'Use the replacement (for `sidecar.istio.io/inject`, the label of the same name) and remove the annotation.',
    example: `apiVersion: v1
kind: Pod
metadata:
  name: cart
  namespace: shop
  annotations: { sidecar.istio.io/inject: "true" }   # use the label`,
  }),
  IST0136: code<{ annotation: string }>({
    level: 'info',
    title: 'Alpha-level Istio annotation',
    message: (p) => `Annotation ${JSON.stringify(p.annotation)} is part of an alpha-phase feature and may be incompletely supported.`,
    meaning: "A resource carries an Istio annotation whose feature Istio's annotation table marks as alpha.",
    why: 'Alpha features may change shape or disappear between releases and get less testing: fine to try, risky to depend on in production.',
    fix: 'Keep the annotation only where you accept the risk; otherwise use a beta or stable setting for the same effect (meshConfig, ProxyConfig, a Sidecar resource) or remove it.',
    example: `apiVersion: v1
kind: Service
metadata:
  name: ledger
  namespace: shop
  annotations: { networking.istio.io/exportTo: "." }   # alpha`,
  }),
  IST0137: code<{ deployment: string; services: string; targetPort: string; ports: string }>({
    level: 'warning',
    title: "Workload's Services map one targetPort from different ports",
    message: (p) =>
      `This deployment ${p.deployment} is associated with multiple services ${p.services} using targetPort ${p.targetPort} but different ports: ${p.ports}.`,
    meaning: 'Two or more Services that select the pods of a meshed Deployment reach the same targetPort through different port numbers.',
    why: "Istio requires Services that select the same workload to use the same port for the same targetPort: the sidecar builds its inbound listener from one of them, and the other Service's port settings (protocol, name) are ignored.",
    fix: 'Use the same port number for that targetPort in every Service that selects the workload.',
    example: `apiVersion: v1
kind: Service
metadata: { name: cart-admin, namespace: shop }
spec:
  selector: { app: cart }                          # cart exposes 80 → 8080
  ports: [{ name: http-admin, port: 8080, targetPort: 8080 }]`,
  }),
  IST0138: code<{ gateways: string }>({
    level: 'warning',
    title: 'Gateways share a certificate',
    message: (p) => `Duplicate certificate in multiple gateways ${p.gateways} may cause 404s if clients re-use HTTP2 connections.`,
    meaning:
      'Two Gateways that apply to the same gateway pods serve TLS with the same certificate: the same credentialName, or the same serverCertificate and privateKey files.',
    why: 'HTTP/2 clients reuse a connection for every host the certificate covers. A request for a host of one Gateway sent on a connection set up for the other reaches a filter chain that has no route for it: 404.',
    fix: "Use one certificate per Gateway, each covering only that Gateway's hosts, or merge the servers into one Gateway.",
    example: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: api-gateway, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      hosts: [api.example.com]
      tls: { mode: SIMPLE, credentialName: wildcard-cert }   # shop-gateway uses it too`,
  }),
  IST0139: code<{ error: string }>({
    level: 'error',
    title: 'Istio webhook is invalid',
    message: (p) => p.error,
    meaning:
      'An Istio injection webhook overlaps with another one (some namespace and pod labels match both), or its clientConfig names a Service that does not exist.',
    why: 'Overlapping injection webhooks inject twice or race over the pod spec; a webhook without its Service fails every call, so pods start without a sidecar or are rejected.',
    fix: 'Delete the stale webhook configuration (often from an old revision or install), make the selectors disjoint, or restore the Service the webhook calls.',
    example: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: istio-sidecar-injector-old }
webhooks:
  - name: sidecar-injector.istio.io
    clientConfig: { service: { name: istio-sidecar-injector, namespace: istio-system } }   # removed in 1.5`,
  }),
  IST0140: code<{ subsetVirtualService: string; virtualService: string }>({
    level: 'warning',
    title: 'Subset routing bypassed by a gateway route',
    message: (p) => `Subset in virtual service ${p.subsetVirtualService} has no effect on ingress gateway ${p.virtualService} requests`,
    meaning:
      'A VirtualService bound to gateways routes to a host without a subset, while another VirtualService for that host routes it to subsets.',
    why: 'The gateway sends requests straight to the host, so the subset rules (canaries, version pinning) never apply to traffic coming in through the gateway.',
    fix: 'Route to the subsets in the gateway-bound VirtualService too, or bind one VirtualService to both the gateway and `mesh`.',
  }),
  IST0144: code<Record<string, never>>({
    level: 'warning',
    title: 'Application runs as UID 1337',
    message: () => 'User ID (UID) 1337 is reserved for the sidecar proxy.',
    meaning: 'A pod or Deployment sets `runAsUser: 1337` for the pod or for an application container (not istio-proxy).',
    why: "The sidecar's iptables rules let traffic from UID 1337 bypass the proxy, so an application running as that user escapes the mesh: no mTLS, no policy, no telemetry.",
    fix: 'Run the application as another user ID.',
    example: `apiVersion: v1
kind: Pod
metadata: { name: cart, namespace: shop }
spec:
  securityContext: { runAsUser: 1337 }
  containers: [{ name: cart, image: example/cart:1 }]`,
  }),
  IST0145: code<{ gateway: string; selector: string; portnumber: string; hosts: string }>({
    level: 'error',
    title: 'Gateways conflict on selector, port and host',
    message: (p) => `Conflict with gateways ${p.gateway} (workload selector ${p.selector}, port ${p.portnumber}, hosts ${p.hosts}).`,
    meaning:
      'Another Gateway selecting the same gateway pods defines a server on the same port for the same host (written identically, with the same bind address).',
    why: "Envoy can serve a host on a port from one server only: istiod keeps one of the servers, so the other Gateway's TLS settings and VirtualServices silently stop applying for that host.",
    fix: 'Serve each host on each port from one Gateway: merge the servers, or move one to another port or another set of gateway pods.',
    example: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop-gateway-v2, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 80, name: http, protocol: HTTP }
      hosts: [shop.example.com]     # shop-gateway serves it on port 80 too`,
  }),
  IST0146: code<{ resourceType: string; resourceName: string }>({
    level: 'warning',
    title: 'Deployment with `image: auto` not selected for injection',
    message: (p) =>
      `${p.resourceType} ${p.resourceName} contains \`image: auto\` but does not match any Istio injection webhook selectors.`,
    meaning:
      "A Deployment has an `istio-proxy` container with `image: auto` (a gateway deployed by injection), but no Istio injection webhook's namespace and object selectors match its pods.",
    why: 'Only the injector replaces `auto` with the real proxy image; without injection its pods fail to pull an image called `auto`.',
    fix: 'Label the namespace or the pod template so an Istio injection webhook selects it (e.g. `istio-injection=enabled` on the namespace), or set the proxy image explicitly.',
    example: `apiVersion: apps/v1
kind: Deployment
metadata: { name: ingress, namespace: edge }   # edge is not labelled for injection
spec:
  selector: { matchLabels: { istio: ingressgateway } }
  template:
    metadata: { labels: { istio: ingressgateway } }
    spec: { containers: [{ name: istio-proxy, image: auto }] }`,
  }),
  IST0147: code<{ resourceType: string; resourceName: string }>({
    level: 'error',
    title: 'Pod with `image: auto` not injected',
    message: (p) =>
      `${p.resourceType} ${p.resourceName} contains \`image: auto\` but does not match any Istio injection webhook selectors.`,
    meaning:
      'A running Pod still has an `istio-proxy` container with `image: auto`: injection, which would have replaced it, did not happen when the pod was created.',
    why: 'The pod cannot pull an image called `auto`, so its proxy (usually a gateway) never starts.',
    fix: 'Make an Istio injection webhook select the pod (namespace or pod labels), then recreate the pod (`kubectl rollout restart`).',
    example: `apiVersion: v1
kind: Pod
metadata: { name: ingress-7c9f-abcde, namespace: edge }
spec: { containers: [{ name: istio-proxy, image: auto }] }`,
  }),
  IST0148: code<{ namespace: string }>({
    level: 'info',
    title: 'Namespace injected by default',
    message: (p) =>
      `The namespace ${p.namespace} is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.`,
    meaning:
      'The namespace has no injection label, but the injector runs with `sidecarInjectorWebhook.enableNamespacesByDefault: true`, so new pods in it get a sidecar anyway.',
    why: 'Membership of the mesh is implicit: anyone reading the namespace cannot tell it is meshed, and a reinstall without that value silently takes it out of the mesh.',
    fix: 'Nothing, if that is intended. Label the namespace `istio-injection=enabled` to make it explicit, or `istio-injection=disabled` to keep it out of the mesh.',
  }),
  IST0149: code<{ key: string; gateway: string; pod: string }>({
    level: 'error',
    title: 'JWT claim routing without RequestAuthentication',
    message: (p) =>
      `The virtual service uses the JWT claim based routing (key: ${p.key}) but found no request authentication for the gateway (${p.gateway}) pod (${p.pod}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.`,
    meaning:
      'A VirtualService bound to a Gateway matches on a header named `@request.auth.claims.<claim>` (or `@request.auth.claims[<claim>]`), but a pod of that Gateway is selected by no RequestAuthentication in its own namespace or in istio-system.',
    why: 'Claims exist only after a RequestAuthentication has validated the token at that proxy; without one, the claim match never succeeds and requests fall through to other routes or get a 404.',
    fix: 'Apply a RequestAuthentication whose selector matches the gateway pods (in their namespace, or in istio-system), with the jwtRules of the issuer whose claims the routes use.',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: api, namespace: shop }
spec:
  hosts: [api.example.com]
  gateways: [public]                   # its pods have no RequestAuthentication
  http:
    - match: [{ headers: { "@request.auth.claims.tier": { exact: gold } } }]
      route: [{ destination: { host: api-gold } }]`,
  }),
  IST0150: code<Record<string, never>>({
    level: 'warning',
    title: 'ExternalName Service port name',
    message: () =>
      'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
    meaning: 'A port of a `type: ExternalName` Service names no protocol Istio knows, or is named exactly `tcp`.',
    why: 'For ExternalName Services the proxy has no IP to match TCP traffic on; such ports may not be forwarded at all.',
    fix: 'Name the port after the protocol it carries (`http-…`, `https-…`, `tls-…`), or describe the external host with a ServiceEntry (resolution: DNS) instead.',
    example: `apiVersion: v1
kind: Service
metadata: { name: billing, namespace: shop }
spec:
  type: ExternalName
  externalName: billing.example.com
  ports: [{ name: tcp, port: 443 }]`,
  }),
  IST0151: code<Record<string, never>>({
    level: 'warning',
    title: 'EnvoyFilter relative patch without priority',
    message: () =>
      'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
    meaning:
      'A patch of the EnvoyFilter inserts before or after, replaces or removes something that another patch may have put there (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE), and the EnvoyFilter leaves `priority` at 0.',
    why: 'EnvoyFilters of the same priority are applied oldest first. A relative patch only works if what it is anchored to is already in place when it runs; recreating or reordering filters (a restore, a GitOps sync) can change that, and the patch then silently does nothing.',
    fix: 'Give the EnvoyFilter an explicit `priority` that orders it after the filters it depends on, or use an absolute operation (INSERT_FIRST, ADD) where the position does not matter.',
    example: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: add-header-lua, namespace: shop }
spec:                                     # no priority
  configPatches:
    - applyTo: HTTP_FILTER
      match: { listener: { filterChain: { filter: { name: envoy.filters.network.http_connection_manager } } } }
      patch: { operation: INSERT_BEFORE, value: { name: envoy.filters.http.lua } }`,
  }),
  IST0152: code<Record<string, never>>({
    level: 'error',
    title: 'EnvoyFilter REPLACE on the wrong kind of object',
    message: () => 'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.',
    meaning:
      'A patch uses `operation: REPLACE` with an `applyTo` other than HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST. (istiod also replaces LISTENER_FILTERs, which istioctl flags all the same.)',
    why: 'istiod replaces only filters and virtual hosts; on listeners, filter chains, clusters or routes the patch is skipped, so the change the filter was written for never happens.',
    fix: 'Use MERGE to change fields of a listener, cluster or route, or REMOVE followed by ADD to swap a whole object.',
    example: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: swap-cluster, namespace: shop }
spec:
  configPatches:
    - applyTo: CLUSTER                    # REPLACE does not work on clusters
      match: { cluster: { name: outbound|80||cart.shop.svc.cluster.local } }
      patch: { operation: REPLACE, value: { connect_timeout: 2s } }`,
  }),
  IST0153: code<Record<string, never>>({
    level: 'error',
    title: 'EnvoyFilter ADD on a route configuration or route',
    message: () => 'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    meaning:
      'A patch uses `operation: ADD` with `applyTo: ROUTE_CONFIGURATION` or `HTTP_ROUTE`. istiod only merges into a route configuration; current releases do add HTTP_ROUTE patches to their virtual host, which istioctl still flags.',
    why: 'On a ROUTE_CONFIGURATION the patch is skipped without an error: whatever it was meant to add never reaches the proxies.',
    fix: 'Use MERGE to change a route configuration, ADD on VIRTUAL_HOST for a new virtual host, or a VirtualService for new routes.',
    example: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: extra-vhosts, namespace: shop }
spec:
  configPatches:
    - applyTo: ROUTE_CONFIGURATION        # only MERGE applies here
      match: { routeConfiguration: { portNumber: 8080 } }
      patch: { operation: ADD, value: { virtual_hosts: [{ name: maintenance, domains: ["*"] }] } }`,
  }),
  IST0154: code<Record<string, never>>({
    level: 'error',
    title: 'EnvoyFilter REMOVE on a route configuration or route',
    message: () => 'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    meaning:
      'A patch uses `operation: REMOVE` with `applyTo: ROUTE_CONFIGURATION` or `HTTP_ROUTE`. istiod only merges into a route configuration; current releases do remove matched HTTP_ROUTEs, which istioctl still flags.',
    why: 'On a ROUTE_CONFIGURATION the patch is skipped: what it meant to drop keeps serving traffic.',
    fix: 'Drop the route from the VirtualService that creates it, or REMOVE the whole VIRTUAL_HOST if that is what you mean.',
    example: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: drop-route, namespace: shop }
spec:
  configPatches:
    - applyTo: ROUTE_CONFIGURATION        # REMOVE is ignored here
      match: { routeConfiguration: { portNumber: 8080 } }
      patch: { operation: REMOVE }`,
  }),
  IST0155: code<Record<string, never>>({
    level: 'warning',
    title: 'EnvoyFilter relative patch next to a proxyVersion patch',
    message: () =>
      'This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
    meaning:
      'A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in an EnvoyFilter without `priority` targets a filter name that an earlier patch restricts to some proxy versions (`match.proxy.proxyVersion`).',
    why: 'During an upgrade, old and new proxies run side by side. The version-restricted patch applies to only some of them, so on the others the relative patch finds nothing to anchor to and is skipped, and the two proxy generations end up with different filter chains.',
    fix: 'Set `priority` so the order is explicit, and make sure the patches a relative patch depends on match the same proxy versions (or none).',
    example: `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: lua-by-version, namespace: shop }
spec:
  configPatches:
    - applyTo: HTTP_FILTER
      match: { proxy: { proxyVersion: '^1\\.27.*' }, listener: { filterChain: { filter: { name: envoy.filters.network.http_connection_manager } } } }
      patch: { operation: INSERT_FIRST, value: { name: lua-auth } }
    - applyTo: HTTP_FILTER
      match: { listener: { filterChain: { filter: { name: envoy.filters.network.http_connection_manager } } } }
      patch: { operation: REPLACE, value: { name: lua-auth } }   # relies on the patch above`,
  }),
  IST0157: code<{ name: string; namespace: string }>({
    level: 'warning',
    title: 'Telemetry access logging without a provider',
    message: (p) => `The Telemetry ${p.name} in namespace ${JSON.stringify(p.namespace)} with empty providers will be ignored.`,
    meaning:
      'An `accessLogging` entry of the Telemetry is not disabled and names no provider, and meshConfig sets no `defaultProviders.accessLogging` to fall back on.',
    why: 'With no provider to send them to, the access logs the entry asks for are not written anywhere: the Telemetry looks active but changes nothing.',
    fix: 'Name a provider in the entry (`providers: [{ name: envoy }]`, or one of meshConfig.extensionProviders), or set meshConfig.defaultProviders.accessLogging.',
    example: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: errors-only, namespace: shop }
spec:
  accessLogging:
    - filter: { expression: "response.code >= 500" }   # no providers`,
  }),
  IST0158: code<{ podNames: string }>({
    level: 'warning',
    title: "Proxy image differs from the injector's",
    message: (p) =>
      `The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: ${p.podNames}). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.`,
    meaning:
      'In a namespace with injection enabled, running pods carry an istio-proxy image other than the one the injector ConfigMap of their revision (`istio-sidecar-injector[-<rev>]`, `values.global`) would inject today.',
    why: 'Pods keep the proxy they were created with. After a control-plane upgrade the old proxies keep running beside the new ones; istiod supports only a small window of older proxy versions, and fixes and features of the new proxy reach only recreated pods.',
    fix: 'Restart the workloads in the namespace (`kubectl -n <namespace> rollout restart deployment`) so the injector gives them the current proxy.',
    example: `apiVersion: v1
kind: Pod
metadata: { name: cart-7c9d8f6b5-xk2lp, namespace: shop }   # shop has istio-injection=enabled
spec:
  containers:
    - { name: cart, image: example/cart:2.3 }
    - { name: istio-proxy, image: docker.io/istio/proxyv2:1.27.3 }   # the injector now says 1.28.0`,
  }),
  IST0159: code<{ telemetries: string; namespace: string; pod: string }>({
    level: 'error',
    title: 'Telemetries select the same pod',
    message: (p) =>
      `The Telemetries [${p.telemetries}] in namespace ${JSON.stringify(p.namespace)} select the same workload pod ${JSON.stringify(p.pod)}, which can lead to undefined behavior.`,
    meaning: 'More than one Telemetry with a `selector` matches the same pod.',
    why: 'A workload takes its settings from one workload-level Telemetry. When several claim it, which one istiod uses is not defined, so metrics, traces and access logs may follow either.',
    fix: 'Make the selectors disjoint, or merge the Telemetries into one.',
    example: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: cart-tracing, namespace: shop }
spec:
  selector: { matchLabels: { app: cart } }          # cart-logs selects app=cart too
  tracing: [{ randomSamplingPercentage: 10 }]`,
  }),
  IST0160: code<{ telemetries: string; namespace: string }>({
    level: 'error',
    title: 'Several namespace-wide Telemetries',
    message: (p) =>
      `The Telemetries [${p.telemetries}] in namespace ${JSON.stringify(p.namespace)} have no workload selector, which can lead to undefined behavior.`,
    meaning: 'A namespace has more than one Telemetry without a `selector`; each claims to be the namespace default.',
    why: 'Only one namespace-level Telemetry can be in force. istiod picks one of them, so which telemetry settings the namespace gets is a matter of chance.',
    fix: 'Keep one Telemetry without a selector per namespace: merge the others into it or give them selectors.',
    example: `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: access-logs, namespace: shop }   # shop also has "default"
spec:
  accessLogging: [{ providers: [{ name: envoy }] }]`,
  }),
  IST0161: code<{ gatewayName: string; gatewayNamespace: string }>({
    level: 'error',
    title: 'Invalid Gateway credential',
    message: (p) =>
      `The credential referenced by the Gateway ${p.gatewayName} in namespace ${p.gatewayNamespace} is invalid, which can cause the traffic not to work as expected.`,
    meaning:
      "The Secret a Gateway server's `tls.credentialName` names exists, but istiod cannot use it: it lacks the keys a credential needs (`tls.crt` and `tls.key`, or `cert` and `key`), or its certificate does not parse, has expired or is not yet valid. The namespace in the message is the gateway pods' namespace. Meshbook reports it only with `meshbook check --read-secrets`, which reads Secret contents.",
    why: 'The gateway gets no usable certificate for that server: TLS handshakes for its hosts fail, or clients reject the expired certificate.',
    fix: "Renew the certificate, or recreate the Secret with both keys: `kubectl create -n <gateway pods' namespace> secret tls <name> --cert=cert.pem --key=key.pem`.",
    example: `apiVersion: v1
kind: Secret
metadata: { name: shop-cert, namespace: istio-system }
type: kubernetes.io/tls
data: { tls.crt: "" }   # no key, no certificate
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: web, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      hosts: [shop.example.com]
      tls: { mode: SIMPLE, credentialName: shop-cert }`,
  }),
  IST0162: code<{ port: number; selector: string }>({
    level: 'warning',
    title: 'Gateway port not defined on its Service',
    message: (p) =>
      `The gateway is listening on a target port (port ${p.port}) that is not defined in the Service associated with its workload instances (Pod selector ${p.selector}). If you need to access the gateway port through the gateway Service, it will not be available.`,
    meaning: 'A Gateway server listens on a port that no TCP port (or targetPort) of the Service in front of the gateway pods exposes.',
    why: 'Traffic can only reach the gateway through ports its Service exposes; the server is configured in Envoy but unreachable from outside.',
    fix: "Add the port to the gateway's Service (port or targetPort), or change the Gateway server to a port the Service exposes.",
    example: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop-gateway, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 9443, name: tls-partner, protocol: TLS }   # not a port of istio-ingressgateway
      hosts: ["partner-api.shop.example.com"]
      tls: { mode: PASSTHROUGH }`,
  }),
  IST0163: code<{ hostname: string; webhook: string; msg: string }>({
    level: 'warning',
    title: 'External control plane webhook address not valid',
    message: (p) =>
      `The hostname (${p.hostname}) that was provided for the webhook (${p.webhook}) to reach the ingress gateway on the external control plane cluster ${p.msg}. Traffic may not flow properly.`,
    meaning:
      'A webhook of Istio\'s injector (`istio-sidecar-injector…`) or validator (`istio-validator…`, `istiod-default-validator`) configuration has neither a `clientConfig.url` nor a `clientConfig.service` ("is blank"), or its URL does not parse ("was provided in an invalid format"). On a cluster whose control plane runs elsewhere, that URL is how the API server reaches the external istiod.',
    why: 'The API server cannot call a webhook it has no address for: with failurePolicy Fail, pods in injected namespaces (or Istio resources, for the validator) cannot be created; with Ignore, pods start without sidecars.',
    fix: "Set `clientConfig.url` to `https://<external istiod's ingress hostname>:15017/inject/…` (or `/validate`) as the external control plane's install generates it, or point `clientConfig.service` at a local istiod.",
  }),
  IST0164: code<{ hostname: string; webhook: string }>({
    level: 'info',
    title: 'External control plane reached by IP address',
    message: (p) =>
      `The address (${p.hostname}) that was provided for the webhook (${p.webhook}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.`,
    meaning:
      "A webhook of Istio's injector or validator configuration calls an external istiod by a URL whose host is an IP address rather than a DNS name.",
    why: 'An IP address ties every remote cluster to one load-balancer address: when it changes, injection and validation stop until each webhook is edited, and the serving certificate must carry that IP.',
    fix: "Give the external control plane's ingress gateway a DNS name and use it in the webhook URLs (reinstall the remote profile with that hostname).",
  }),
  IST0165: code<{ virtualservice: string; gateway: string }>({
    level: 'warning',
    title: 'VirtualService binds an internal Gateway',
    message: (p) =>
      `Gateway reference in VirtualService ${p.virtualservice} is to an implementation-generated internal Gateway: ${p.gateway}.`,
    meaning:
      'A `spec.gateways` entry names the Istio Gateway that istiod generates from a Gateway API Gateway (its name contains `~istio-autogenerated-k8s-gateway~`).',
    why: 'Generated Gateways are an implementation detail: their names change with the Gateway API listeners and are not a supported binding, so the route can break on any change or upgrade.',
    fix: 'Attach an HTTPRoute (or another Gateway API route) to the Gateway API Gateway instead of a VirtualService.',
  }),
  IST0166: code<{ gateway: string }>({
    level: 'warning',
    title: 'Selector ineffective on a Kubernetes Gateway',
    message: (p) => `Ineffective selector on Kubernetes Gateway ${p.gateway}. Use the TargetRef field instead.`,
    meaning:
      'An AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin picks pods with `selector.matchLabels`, and those labels match the pods istiod deployed for a Gateway API Gateway (labelled `gateway.networking.k8s.io/gateway-name`).',
    why: 'For the gateways istiod deploys itself, a label selector is not the supported way to attach policy: istiod may ignore it, so the policy (often an allow or deny rule at the edge) silently does nothing there.',
    fix: 'Replace `selector` with `targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: <gateway> }]`.',
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: edge-deny, namespace: shop }
spec:
  selector:
    matchLabels: { gateway.networking.k8s.io/gateway-name: web }   # use targetRefs
  action: DENY
  rules: [{ to: [{ operation: { paths: ["/admin/*"] } }] }]`,
  }),
  IST0167: code<{ reason: string }>({
    level: 'warning',
    title: 'Policy has no effect',
    message: (p) => `The policy has no impact: ${p.reason}.`,
    meaning:
      'The resource applies to workloads that cannot enforce it, for example a Sidecar resource for pods or a namespace in ambient mode, which have no sidecar.',
    why: 'The configuration looks active but nothing enforces it.',
    fix: 'Delete the resource, or move its intent to what the data-plane mode uses (for ambient: waypoint proxies and their policies).',
  }),
  IST0170: code<{ serviceName: string; namespace: string; clusters: string; error: string }>({
    level: 'warning',
    title: 'Service differs between clusters',
    message: (p) =>
      `The service ${p.serviceName} in namespace "${p.namespace}" is inconsistent across clusters ${p.clusters}, which can lead to undefined behaviors. The inconsistent behaviors are: ${p.error}.`,
    meaning:
      'A Service of the same namespace and name exists in several clusters of one mesh, and they disagree: one is headless and another has a cluster IP, their types differ, or their port lists differ (name, protocol, appProtocol, port, targetPort or nodePort of any port).',
    why: 'istiod merges Services of the same name across clusters into one mesh service; when their definitions disagree, which ports and which kind of load balancing the proxies get depends on the cluster istiod happened to read, so calls fail or behave differently from one cluster to the next.',
    fix: 'Give the Service the same type, the same cluster-IP mode and the same ports in every cluster (apply one manifest everywhere), or give the Services different names if they are not meant to be one service.',
    example: `# cluster east
apiVersion: v1
kind: Service
metadata: { name: ratings, namespace: shop }
spec: { selector: { app: ratings }, ports: [{ name: http, port: 9080 }] }
# cluster west: the same Service with another port name
spec: { selector: { app: ratings }, ports: [{ name: grpc, port: 9080 }] }`,
  }),
  IST0171: code<{ conditionType: string; reason: string; message: string }>({
    level: 'warning',
    title: 'Negative status condition',
    message: (p) => `A condition with a negative status is present: type=${p.conditionType}, reason=${p.reason}, message=${p.message}.`,
    meaning:
      "A status condition that istiod or a Gateway API controller wrote says something did not work: `istio.io/WaypointBound` False on a Service, ServiceEntry or WorkloadEntry, `ZtunnelAccepted` or `WaypointAccepted` False (or WaypointAccepted with reason PartiallyInvalid) on an AuthorizationPolicy, `Accepted`, `Programmed` or `ResolvedRefs` False on a Gateway API Gateway or on a route's parent.",
    why: 'The controller itself has told you the configuration is not (fully) in effect; the reason and message say what it refused and why.',
    fix: "Read the condition's reason and message (`kubectl get <kind> <name> -o yaml`), correct what it names, and let the controller write a new status.",
    example: `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: shop, labels: { istio.io/use-waypoint: missing } }
status:
  conditions:
    - type: istio.io/WaypointBound
      status: "False"
      reason: WaypointIsNotReady
      message: 'waypoint "shop/missing" is not ready'`,
  }),
  IST0173: code<{ subset: string }>({
    level: 'error',
    title: 'Subset selects no pods',
    message: (p) =>
      `The Subset ${p.subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
    meaning:
      "No pod carries all the labels of the subset (merged with the ServiceEntry's workloadSelector). Pods are matched with the labels istiod adds from their node: topology region, zone, subzone and hostname.",
    why: 'Requests routed to the subset find no endpoints and fail with 503 and the UH (no healthy upstream) flag.',
    fix: 'Correct the subset labels to the labels the pods carry (`kubectl get pods --show-labels`), or deploy the version the subset names.',
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: shop }
spec:
  host: reviews
  subsets: [{ name: v3, labels: { version: v3 } }]   # no pod has version=v3`,
  }),
  IST0174: code<{ host: string }>({
    level: 'warning',
    title: 'DestinationRule host is unknown',
    message: (p) => `The host ${p.host} defined in the DestinationRule does not match any services in the mesh.`,
    meaning:
      "No Service or ServiceEntry visible from the DestinationRule's namespace has the DestinationRule's host. Short names resolve in the DestinationRule's namespace.",
    why: 'A DestinationRule for an unknown host configures nothing: its load balancing, TLS and subsets apply to no traffic.',
    fix: 'Correct the host (use the FQDN `name.namespace.svc.cluster.local` for Services in other namespaces), or create the Service or ServiceEntry.',
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ratings, namespace: shop }
spec:
  host: ratings    # the Service is in namespace reviews`,
  }),
  IST0175: code<{ count: number; names: string }>({
    level: 'warning',
    title: 'JWKS fetches not restricted',
    message: (p) =>
      `BLOCKED_CIDRS_IN_JWKS_URIS is not configured but ${p.count} RequestAuthentication resource(s) exist (${p.names}). Consider configuring it to restrict JWKS URI fetches to trusted networks.`,
    meaning:
      'RequestAuthentications exist, and an istiod Deployment (label app=istiod) sets no non-empty BLOCKED_CIDRS_IN_JWKS_URIS environment variable on its containers. istiod fetches the JWKS of each jwtRule from its jwksUri itself.',
    why: 'Whoever may write a RequestAuthentication can point jwksUri at any address istiod reaches, including internal services and cloud metadata endpoints, and make istiod request them; the variable lists address ranges istiod refuses to fetch from.',
    fix: 'Set BLOCKED_CIDRS_IN_JWKS_URIS on the istiod container to the ranges it must never fetch from (e.g. `169.254.0.0/16` and internal networks), through `pilot.env` in the Helm values or `values.pilot.env` of the IstioOperator.',
    example: `apiVersion: apps/v1
kind: Deployment
metadata: { name: istiod, namespace: istio-system, labels: { app: istiod } }
spec:
  template:
    spec:
      containers:
        - name: discovery          # no BLOCKED_CIDRS_IN_JWKS_URIS in env
          image: docker.io/istio/pilot:1.29.0`,
  }),
  IST0176: code<{ crd: string; installedVersion: string; minimumVersion: string }>({
    level: 'warning',
    title: 'Gateway API CRD older than Istio needs',
    message: (p) =>
      `Gateway API CRD ${JSON.stringify(p.crd)} is at version ${JSON.stringify(p.installedVersion)} but Istio requires at least ${JSON.stringify(p.minimumVersion)}; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.`,
    meaning:
      'A Gateway API CustomResourceDefinition carries a `gateway.networking.k8s.io/bundle-version` annotation older than the minimum this Istio release supports for that kind (GRPCRoute 1.1, BackendTLSPolicy 1.4, TLSRoute 1.5, TCPRoute 1.6).',
    why: 'istiod does not watch a CRD below its minimum version: every resource of that kind (routes, policies) is silently ignored, so traffic they describe is not configured.',
    fix: 'Install the Gateway API CRDs of the release Istio documents as supported (`kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/<version>/standard-install.yaml`), before or with the Istio upgrade.',
    example: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: tlsroutes.gateway.networking.k8s.io
  annotations: { gateway.networking.k8s.io/bundle-version: v1.2.1 }   # Istio needs 1.5.0`,
  }),
  IST0177: code<{ serviceEntries: string; host: string; port: number; protocols: string }>({
    level: 'warning',
    title: "ServiceEntries disagree on a port's protocol",
    message: (p) =>
      `Multiple ServiceEntries (${p.serviceEntries}) define the same host ${JSON.stringify(p.host)} and port ${p.port} with conflicting protocols (${p.protocols}).`,
    meaning:
      'Two or more ServiceEntries (or one with duplicate ports) visible in the same scope give the same host and port different protocols.',
    why: 'A proxy builds one listener and cluster per host and port; which protocol wins is undefined, so HTTP routing or TLS passthrough may break.',
    fix: 'Agree on one protocol for the host and port, or merge the ServiceEntries.',
    example: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: api-tls, namespace: shop }
spec:
  hosts: [api.example.com]
  ports: [{ number: 443, name: tls, protocol: TLS }]   # api-https says HTTPS
  resolution: DNS`,
  }),
  MB0001: code<{ error: string }>({
    level: 'error',
    title: 'Check failed to run',
    message: (p) => `The check itself failed: ${p.error}`,
    meaning: 'The check threw an error instead of returning findings. Nothing is known about what it verifies.',
    why: 'A check that cannot run can hide a real problem; the rest of the run is unaffected.',
    fix: 'Look at the error text. A malformed object in a snapshot is the usual cause; otherwise report a bug with the snapshot attached.',
  }),
  MB0101: code<{ scope: string }>({
    level: 'error',
    title: 'No Istio control plane found',
    message: (p) => `No istiod Deployment (istiod, istiod-<revision>, or Istio 1.0's istio-pilot) was found ${p.scope}.`,
    meaning:
      "No Deployment runs Istio's control plane: none is named `istiod`, `istiod-<revision>` or `istio-pilot`, and none is labelled `app=istiod`.",
    why: 'Without a control plane, sidecars and gateways receive no configuration and no certificates: no routing, no mTLS, no service discovery. Proxies that already run keep their last configuration until they restart.',
    fix: 'Install Istio (for example `istioctl install`), or point Meshbook at the cluster or namespace that runs it. If istiod runs outside the cluster (external control plane), this check does not apply.',
    example: `# A cluster whose istio-system namespace holds only the ingress gateway:
apiVersion: apps/v1
kind: Deployment
metadata: { name: istio-ingressgateway, namespace: istio-system }`,
  }),
  MB0102: code<{ deployment: string; ready: number; available: number; desired: number }>({
    level: 'error',
    title: 'Control plane not available',
    message: (p) =>
      p.desired === 0
        ? `Control plane Deployment ${p.deployment} is scaled to zero replicas: no istiod is serving.`
        : `Control plane Deployment ${p.deployment} has ${p.ready} of ${p.desired} replicas ready (${p.available} available).`,
    meaning: 'An istiod Deployment exists but fewer of its replicas are ready and available than it asks for, or it is scaled to zero.',
    why: 'istiod reports ready only once it has listed and watched the API server (R2) and started its injector and validation webhooks; a missing replica means fewer proxies can connect, and with none ready no configuration is pushed, no certificate is signed and new pods fail injection.',
    fix: 'Run `kubectl -n <ns> describe deploy <name>` and `kubectl -n <ns> logs deploy/<name>`: look for image pull errors, unschedulable pods, or "Failed waiting for cache sync" (API server access, see R2).',
    example: `apiVersion: apps/v1
kind: Deployment
metadata: { name: istiod, namespace: istio-system }
spec: { replicas: 2 }
status: { replicas: 2, readyReplicas: 1, availableReplicas: 1 }`,
  }),
  MB0103: code<{ pod: string; container: string; restarts: number }>({
    level: 'warning',
    title: 'Control plane pod restarting',
    message: (p) => `istiod pod ${p.pod} container ${p.container} has restarted ${p.restarts} times.`,
    meaning: 'A container of an istiod pod has restarted three times or more.',
    why: 'Each restart drops the xDS streams of every proxy connected to that replica; proxies keep their last configuration but see no updates until they reconnect, and a crash loop eventually takes the replica out of the Service.',
    fix: "Read the previous container's log (`kubectl logs --previous`) and its last state: raise the memory limit if it was OOMKilled, otherwise fix what the log says before the restart.",
  }),
  MB0104: code<{ deployment: string; version: string; revision: string }>({
    level: 'info',
    title: 'Control plane found',
    message: (p) => `Control plane ${p.deployment} runs Istio ${p.version} (revision ${p.revision}) and is available.`,
    meaning: 'An istiod Deployment was found and all its replicas are ready; the finding records its version and revision.',
    why: "Knowing which control-plane versions and revisions run is the first fact of any mesh investigation: proxies should match their revision's version, and canary upgrades run two revisions side by side.",
    fix: "Nothing to fix. Compare the version with the proxies' (`istioctl proxy-status`) when planning an upgrade.",
  }),
  MB0105: code<{ service: string; webhooks: string }>({
    level: 'error',
    title: 'Webhook Service has no ready endpoints',
    message: (p) =>
      `Service ${p.service}, called by ${p.webhooks}, has no ready endpoint: the API server cannot reach the Istio webhook behind it.`,
    meaning:
      'An Istio injection or validation webhook calls a Service that exists, but none of its EndpointSlices lists a ready address: no istiod pod behind it is ready.',
    why: 'Every webhook call fails. With failurePolicy Fail, pods in injected namespaces and Istio config changes are rejected; with Ignore, pods start without a sidecar and invalid config is accepted unchecked.',
    fix: 'Get an istiod pod ready behind the Service (`kubectl -n istio-system get pods -l app=istiod`, then describe and read the logs of those that are not), or fix the Service selector if the pods are ready.',
  }),
  MB0106: code<{ proxy: string; types: string; istiod: string }>({
    level: 'error',
    title: 'Proxy rejected its configuration',
    message: (p) =>
      `Proxy ${p.proxy} rejected the ${p.types} configuration istiod ${p.istiod} sent it (ERROR): it runs on the last configuration it accepted.`,
    meaning:
      "istiod's sync status (`/debug/syncz`, what `istioctl proxy-status` shows as ERROR) records that the proxy answered the last push of these xDS types with a NACK and an error.",
    why: 'Envoy keeps its previous configuration when it rejects a push: every later change to routes, clusters or listeners of that type never reaches this proxy until the offending config is fixed.',
    fix: 'Read the error (in the evidence, or `istioctl proxy-status <pod>.<namespace>`), then find the resource that produced it, usually an EnvoyFilter or a recent VirtualService or DestinationRule change, and fix or remove it.',
  }),
  MB0107: code<{ proxy: string; types: string; istiod: string }>({
    level: 'warning',
    title: 'Proxy configuration not acknowledged',
    message: (p) => `Proxy ${p.proxy} has not acknowledged the latest ${p.types} configuration istiod ${p.istiod} sent it (STALE).`,
    meaning:
      'istiod sent a push of these xDS types, and the proxy has not yet answered it with the same nonce: the push is in flight, or the proxy is overloaded or stuck.',
    why: 'A momentary STALE during a rollout is normal; one that persists means this proxy routes on older configuration than its peers.',
    fix: "Run the check again in a minute. If it persists: `istioctl proxy-status <pod>.<namespace>`, check the proxy's CPU and memory, and restart the pod if it stays stuck.",
  }),
  MB0108: code<{ proxy: string; types: string; istiod: string }>({
    level: 'warning',
    title: 'Proxy configuration not sent',
    message: (p) => `istiod ${p.istiod} has not sent proxy ${p.proxy} the ${p.types} configuration it asked for (NOT SENT).`,
    meaning:
      'The proxy subscribed to these xDS types and istiod has sent nothing for them yet, typically because istiod is still computing the push or has nothing valid to send.',
    why: 'A proxy without listeners or clusters cannot pass traffic, and a pod whose proxy has no configuration never becomes ready.',
    fix: "Check istiod's log for errors about this proxy (`kubectl -n istio-system logs deploy/istiod | grep <pod>`), and `istioctl proxy-status` for other proxies in the same state.",
  }),
  MB0109: code<{ pod: string; revision: string }>({
    level: 'error',
    title: 'Meshed pod not connected to istiod',
    message: (p) =>
      `Pod ${p.pod} runs an istio-proxy sidecar, but no istiod (revision ${p.revision}) lists it among its connected proxies.`,
    meaning:
      'A running pod has an `istio-proxy` container, and none of the istiod replicas asked lists a proxy `<pod>.<namespace>` in its sync status.',
    why: 'A proxy without a connection to istiod gets no configuration, no certificate rotation and no endpoint updates; once its certificate expires, its mTLS connections fail.',
    fix: "Read the proxy's log (`kubectl logs <pod> -c istio-proxy`) for xDS connection errors: a NetworkPolicy blocking port 15012, a revision whose istiod is gone, or DNS for istiod.<namespace>.svc failing.",
  }),
  MB0201: code<{ service: string; selector: string }>({
    level: 'warning',
    title: 'Service selects no pods',
    message: (p) =>
      `Service ${p.service} selects no pods (selector ${p.selector}): istiod has no endpoints for it, and requests to it fail with 503 "no healthy upstream".`,
    meaning: 'The Service has a selector, but no pod in its namespace carries all of those labels.',
    why: "istiod builds each service's endpoints from its EndpointSlices (R1). With no matching pod there is nothing to route to: clients in the mesh get 503 UH, clients outside get connection refused or timeouts.",
    fix: 'Fix the selector or the pod labels so they match (`kubectl get pods -l <selector>`), deploy the workload, or delete the Service if it is left over.',
    example: `apiVersion: v1
kind: Service
metadata: { name: recommendations, namespace: shop }
spec:
  selector: { app: recommendations }   # its Deployment was deleted
  ports: [{ name: http, port: 8080 }]`,
  }),
  MB0202: code<{ pod: string; ip: string; service: string }>({
    level: 'error',
    title: 'Ready pod missing from EndpointSlices',
    message: (p) =>
      `Pod ${p.pod} (${p.ip}) is Running and Ready and matches Service ${p.service}, but no EndpointSlice lists it as a ready endpoint: stale EndpointSlice, istiod will not route to it.`,
    meaning: "A pod the Service selects is Running and Ready, yet none of the Service's EndpointSlices holds its IP as a ready address.",
    why: 'istiod learns endpoints only from EndpointSlices (R1). A pod missing from them receives no mesh traffic, so its Service runs with less capacity than its pods suggest, and with no traffic at all when every pod is missing.',
    fix: 'The EndpointSlice controller (in kube-controller-manager) is not keeping up: check that it runs and read its log for errors about this Service. Deleting the stale EndpointSlice makes the controller rebuild it.',
  }),
  MB0203: code<{ slice: string; address: string; service: string; reason: string }>({
    level: 'error',
    title: 'Stale EndpointSlice address',
    message: (p) =>
      `EndpointSlice ${p.slice} lists ${p.address} as a ready endpoint of Service ${p.service}, but ${p.reason}: stale EndpointSlice, proxies will send requests to it.`,
    meaning: "A ready address in one of the Service's EndpointSlices does not belong to any Running, Ready pod the Service selects.",
    why: 'istiod turns every ready EndpointSlice address into an Envoy endpoint (R1). Requests sent there hit a deleted pod, a not-ready pod or, once the IP is reused, an unrelated one: connection failures, 503 UF, or traffic reaching the wrong workload.',
    fix: 'Check that the EndpointSlice controller in kube-controller-manager runs and read its log. Deleting the stale EndpointSlice makes the controller rebuild it from the current pods. Slices managed by another controller (label endpointslice.kubernetes.io/managed-by) must be fixed there.',
    example: `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: reviews-8xk2p
  namespace: bookinfo
  labels: { kubernetes.io/service-name: reviews }
addressType: IPv4
endpoints:
  - addresses: ["10.244.2.31"]     # the reviews-v3 pod that had this IP was deleted
    conditions: { ready: true }`,
  }),
  MB0204: code<{ service: string }>({
    level: 'error',
    title: 'Service has no EndpointSlice',
    message: (p) =>
      `Service ${p.service} has a selector but no EndpointSlice: the EndpointSlice controller has not processed it, so istiod knows no endpoints for it.`,
    meaning:
      "No EndpointSlice carries the label `kubernetes.io/service-name=<service>` in the Service's namespace, although the Service has a selector (the controller writes a slice even when no pod matches).",
    why: 'istiod reads endpoints only from EndpointSlices (R1): without one, the service exists in the mesh with no endpoints and every request to it fails with 503 "no healthy upstream".',
    fix: 'Check that kube-controller-manager runs with the endpointslice controller enabled (`--controllers`), and read its log for this Service. A snapshot taken without EndpointSlices (no list permission) also shows this: re-run with get/list on endpointslices.discovery.k8s.io.',
  }),
  MB0205: code<{ service: string; pods: number }>({
    level: 'warning',
    title: 'Service has no ready pods',
    message: (p) =>
      `Service ${p.service} selects ${p.pods} pod(s) and none of them is Running and Ready: istiod has no healthy endpoint for it.`,
    meaning: "The Service's selector matches pods, but none is Running with condition Ready=True.",
    why: 'Only ready pods become ready EndpointSlice addresses, which istiod turns into Envoy endpoints (R1): until one is ready, requests to the Service fail with 503 "no healthy upstream".',
    fix: 'Find out why the pods are not ready: `kubectl describe pod` (readiness probe failures, image pulls, scheduling). In the mesh, an `istio-proxy` that never gets ready means it cannot reach istiod.',
  }),
  MB0206: code<{ namespace: string; configMap: string }>({
    level: 'error',
    title: 'Meshed namespace outside discoverySelectors',
    message: (p) =>
      `istiod does not discover namespace ${p.namespace}: routes to its Services cannot work (no discoverySelectors entry in ConfigMap ${p.configMap} matches its labels).`,
    meaning:
      "The namespace runs meshed workloads (an injection or revision label, or pods with an istio-proxy container), and meshConfig `discoverySelectors` is set, but none of its label selectors matches the namespace's labels. The selectors are ORed; an empty list selects every namespace.",
    why: "istiod ignores every Service, EndpointSlice and pod in a namespace its selectors do not match (R1): routes to those Services fail with 503 NC (no cluster), and the namespace's own sidecars get no configuration.",
    fix: 'Label the namespace so one selector matches it (`kubectl label namespace <ns> <key>=<value>`), or add a selector for it to discoverySelectors in the `mesh` key of the istio ConfigMap.',
    example: `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |
    discoverySelectors:
      - matchLabels: { mesh: included }   # namespace shop has istio-injection=enabled but no mesh label`,
  }),
  MB0207: code<{ resource: string; host: string; namespace: string }>({
    level: 'warning',
    title: 'Route to a Service istiod does not discover',
    message: (p) =>
      `${p.resource} points at host ${p.host}, a Service in namespace ${p.namespace}, which istiod's discoverySelectors do not select: the route has no destination.`,
    meaning:
      'A VirtualService destination or a DestinationRule host resolves to a Kubernetes Service in a namespace that no meshConfig discoverySelectors entry matches.',
    why: "istiod never learns that Service (R1), so it builds no cluster for the host: requests routed there fail with 503 NC, and the DestinationRule's policy applies to nothing.",
    fix: "Bring the Service's namespace into discoverySelectors (a label on the namespace, or a selector), or point the route at a discovered host.",
  }),
  MB0208: code<{ service: string; istiod: string }>({
    level: 'error',
    title: "Service missing from istiod's registry",
    message: (p) =>
      `istiod's registry has no entry for Service ${p.service}: istiod ${p.istiod} does not know it, so proxies get no cluster for it and requests to it fail with 503 NC.`,
    meaning:
      "The Service exists in a namespace that runs meshed workloads and that istiod's discoverySelectors select, yet istiod's own service registry (`/debug/registryz`, read live from a ready istiod) lists no service with its name and namespace.",
    why: "Proxies learn services only from istiod (R1). A Service Kubernetes has and istiod does not is unreachable by name from the mesh, however correct its EndpointSlices are; no snapshot check can see this, only istiod's own view.",
    fix: "Run the check again (a Service created seconds ago may not be pushed yet). If it stays missing, read istiod's log for errors about the Service or its namespace (`kubectl -n istio-system logs deploy/istiod | grep <service>`), check istiod may list and watch services (R2), and restart istiod if its informers are stuck.",
  }),
  MB0301: code<{ deployment: string; ready: number; pods: number }>({
    level: 'error',
    title: 'istiod not ready',
    message: (p) =>
      `Control plane ${p.deployment} has no ready pod (${p.ready} of ${p.pods} ready): istiod has not shown that it can list and watch the API server.`,
    meaning:
      'No pod of the istiod Deployment has condition Ready=True. istiod reports ready only after its informers have listed and watched the API server (Services, EndpointSlices, Pods, Nodes, Namespaces, Istio config) and its caches are synced.',
    why: 'Until istiod is ready it serves no configuration: new proxies get nothing, endpoints and routes are not updated, and certificates are not signed. The usual causes on the network side are an API server it cannot reach or permissions it lacks (R2).',
    fix: 'Read istiod\'s log (`kubectl -n istio-system logs deploy/istiod -c discovery`): "Failed waiting for cache sync" or "forbidden" names the resource it cannot read (grant it, see MB0302); "dial tcp … i/o timeout" to the API server means an egress NetworkPolicy or firewall blocks it.',
    example: `apiVersion: v1
kind: Pod
metadata: { name: istiod-7b69d4f8c9-4xq2n, namespace: istio-system, labels: { app: istiod } }
status:
  phase: Running
  conditions: [{ type: Ready, status: "False" }]`,
  }),
  MB0302: code<{ serviceAccount: string; verbs: string; resource: string; purpose: string }>({
    level: 'error',
    title: 'istiod may not read what it discovers',
    message: (p) =>
      `ServiceAccount ${p.serviceAccount} may not ${p.verbs} ${p.resource} across the cluster, which istiod needs to ${p.purpose}.`,
    meaning:
      "No ClusterRole bound to istiod's ServiceAccount (through a ClusterRoleBinding, directly or through one of its groups) has a rule allowing these verbs on this resource. RoleBindings do not count: istiod watches every namespace at once.",
    why: 'istiod builds the mesh from what it lists and watches on the API server (R2). A forbidden list keeps it from ever becoming ready; a forbidden watch leaves its view stale, so proxies get routes and endpoints that no longer exist.',
    fix: "Add the rule to istiod's ClusterRole (the Istio chart's `istiod-clusterrole-<namespace>`), or reinstall the istiod chart so its RBAC is complete.",
    example: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: istiod-clusterrole-istio-system }
rules:
  - apiGroups: [""]
    resources: [pods, nodes, services, namespaces]
    verbs: [get, list, watch]
  # no rule for endpointslices.discovery.k8s.io`,
  }),
  MB0303: code<{ serviceAccount: string }>({
    level: 'info',
    title: 'No RBAC in the snapshot',
    message: (p) => `The snapshot holds no ClusterRoleBindings or RoleBindings, so what ${p.serviceAccount} may read was not evaluated.`,
    meaning:
      "The snapshot was taken without RBAC objects (or from files that hold none), so the permissions of istiod's ServiceAccount cannot be worked out.",
    why: 'Without bindings every permission would look missing; reporting each would be noise, not evidence.',
    fix: 'Take the snapshot with ClusterRoles, ClusterRoleBindings, Roles and RoleBindings (read access to rbac.authorization.k8s.io), or run against the live cluster.',
  }),
  MB0304: code<{ serviceAccount: string; verbs: string; resource: string; purpose: string }>({
    level: 'error',
    title: 'The API server denies istiod a permission (asked live)',
    message: (p) =>
      `The API server denies ServiceAccount ${p.serviceAccount} ${p.verbs} on ${p.resource} across the cluster (SubjectAccessReview), which istiod needs to ${p.purpose}.`,
    meaning:
      "Meshbook asked the live API server, with a SubjectAccessReview for istiod's ServiceAccount (its user name and its groups), whether it may do this, and the answer was no. Unlike an evaluation of RBAC objects, this is the authorizer's own decision: every authorizer and binding counts.",
    why: 'istiod builds the mesh from what it lists and watches on the API server (R2), and authenticates proxies with TokenReviews. A denied list keeps it from ever becoming ready; a denied watch leaves its view stale; a denied TokenReview stops proxies from getting configuration and certificates.',
    fix: "Add the rule named in the finding to istiod's ClusterRole (the Istio chart's `istiod-clusterrole-<namespace>`, bound to the ServiceAccount by a ClusterRoleBinding), or reinstall the istiod chart so its RBAC is complete.",
    example: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: istiod-clusterrole-istio-system }
rules:
  - apiGroups: [""]
    resources: [pods, nodes, services, namespaces]
    verbs: [get, list, watch]
  # no rule for endpointslices.discovery.k8s.io: SubjectAccessReview says allowed: false`,
  }),
  MB0401: code<{ policy: string; service: string; port: number; sources: number }>({
    level: 'warning',
    title: 'NetworkPolicy blocks mesh traffic to a Service',
    message: (p) =>
      `${p.sources} meshed workload(s) cannot reach Service ${p.service} port ${p.port}: no ingress rule on its pods allows them (the narrowest policy to change is NetworkPolicy ${p.policy}).`,
    meaning:
      "For each listed source workload, the NetworkPolicies that isolate the Service's pods for ingress have no rule allowing a connection on its targetPort. Policies act after the Service is translated to a pod IP, so the pods and targetPort are what is evaluated.",
    why: 'Istio assumes every endpoint of the mesh can reach every endpoint of the services it routes to (R3). A sidecar asked to call this Service opens the connection anyway and waits: the request ends in a connect timeout and a 503 UF, with nothing in the application logs.',
    fix: 'If the traffic should flow, add the suggested rule to the named policy. If the segmentation is intended, scope the mesh configuration the same way (Sidecar egress hosts, exportTo), so proxies do not route where the network will not let them.',
    example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress, namespace: bookinfo }
spec:
  podSelector: {}
  policyTypes: [Ingress]      # nothing outside bookinfo reaches reviews:9080`,
  }),
  MB0402: code<{ policy: string; sources: number; services: number; namespaces: number }>({
    level: 'warning',
    title: 'Egress NetworkPolicy blocks mesh traffic',
    message: (p) =>
      `NetworkPolicy ${p.policy} keeps ${p.sources} meshed workload(s) from ${p.services} Service port(s) of the mesh in ${p.namespaces} namespace(s): no egress rule on their pods allows the connections.`,
    meaning:
      "The listed workloads are isolated for egress, and no egress rule of the policies that select them allows a connection to these Services' pods on their targetPorts. One finding per egress policy: its rule list decides every destination of the pods it selects.",
    why: 'Istio assumes every endpoint of the mesh can reach every endpoint of the services it routes to (R3). The sidecars of these workloads still get routes to those Services, and every call through them ends in a connect timeout and a 503 UF.',
    fix: 'Add egress rules for the destinations the workloads should call (the suggested rule names the first ones exactly). If the limits are intended, give the workloads a Sidecar resource whose egress hosts match them, so their proxies do not route where the network will not let them.',
    example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-egress, namespace: ops }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports: [{ port: 53, protocol: UDP }]    # DNS only`,
  }),
  MB0501: code<{ virtualService: string; gateway: string; host: string; port: number; policy: string; direction: string }>({
    level: 'error',
    title: 'NetworkPolicy drops a gateway route',
    message: (p) =>
      `VirtualService ${p.virtualService} routes traffic from gateway ${p.gateway} to ${p.host} port ${p.port}, but NetworkPolicy ${p.policy} drops it (${p.direction === 'ingress' ? 'no ingress rule on the destination pods allows the gateway' : 'no egress rule on the gateway pods allows the destination'}).`,
    meaning:
      "A route of a VirtualService bound to a Gateway sends requests from the gateway's pods to a Service whose target pods (or the gateway pods themselves) are isolated by NetworkPolicies with no rule for that connection.",
    why: "Istio's layer 7 rules say the request should go through, the layer 3 rules below say it may not (R4). Clients outside the mesh get 503s or timeouts from the gateway for every request on that route.",
    fix: "Add an ingress rule on the destination's policy (or an egress rule on the gateway's) allowing the gateway pods on the destination targetPort, or change the route.",
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop.example.com]
  gateways: [shop-gateway]
  http: [{ route: [{ destination: { host: checkout, port: { number: 8080 } } }] }]   # checkout only admits frontend`,
  }),
  MB0502: code<{ virtualService: string; host: string; port: number; policy: string; clients: number }>({
    level: 'error',
    title: 'No mesh client can use a route',
    message: (p) =>
      `VirtualService ${p.virtualService} routes ${p.host} port ${p.port} for the mesh, but none of the ${p.clients} meshed client workload(s) it applies to may open that connection (NetworkPolicy ${p.policy}).`,
    meaning:
      'The route applies to sidecars (no gateways, or the `mesh` gateway) in the namespaces the VirtualService is exported to, and for every meshed workload there, the NetworkPolicies drop the connection to the destination pods and port.',
    why: 'The route is configured on every sidecar in scope and can never carry a request: layer 3 and layer 7 disagree completely (R4). Calls through it time out with 503 UF.',
    fix: 'Allow the intended clients in the named policy (the suggested rule), or remove or re-scope the route (exportTo) if nothing should use it.',
  }),
  MB0503: code<{ virtualService: string; host: string; port: number; policy: string; blocked: number; clients: number }>({
    level: 'info',
    title: 'Route exported to clients the network drops',
    message: (p) =>
      `VirtualService ${p.virtualService} routes ${p.host} port ${p.port} for ${p.clients} meshed client workload(s), and NetworkPolicy ${p.policy} drops ${p.blocked} of them.`,
    meaning:
      'The route applies to sidecars in namespaces some of whose workloads the NetworkPolicies do not let through to the destination. Those clients have the route but cannot use it.',
    why: 'Usually intended segmentation, but the mesh configuration says otherwise (R4): a blocked client that calls the host waits for a connect timeout instead of failing fast, and the route is pushed to proxies that cannot use it.',
    fix: "Either allow those clients in the named policy, or narrow the VirtualService's exportTo (and the Service's networking.istio.io/exportTo annotation) to the namespaces that may call it.",
  }),
  MB0601: code<{ policy: string; direction: string; component: string; port: number; purpose: string; proxies: number }>({
    level: 'error',
    title: 'NetworkPolicy blocks proxies from the control plane',
    message: (p) =>
      `NetworkPolicy ${p.policy} drops ${p.purpose} traffic from ${p.proxies} proxy workload(s) to ${p.component} port ${p.port} (${p.direction === 'ingress' ? 'no ingress rule on the control plane pods allows them' : 'no egress rule on the proxy pods allows it'}).`,
    meaning:
      'Sidecars and gateways must open connections to the control plane: to istiod on 15012 (xDS and certificates; 15010 where plaintext xDS is used), or in Istio 1.0 to Pilot on 15010/15011 and Mixer on 9091/15004. The named policy isolates one end and has no rule for that connection.',
    why: "A proxy that cannot reach the control plane never becomes ready: it has no listeners, no routes and no certificate, so the pod is never added to its Service's endpoints (R5). Proxies that were running keep stale config and expiring certificates.",
    fix: "Allow the port in the named policy: as Istio's own chart policy does for istiod (ingress on 15010, 15012 from anywhere), or with an egress rule to the control plane namespace on that port.",
    example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-egress, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports: [{ port: 53, protocol: UDP }]    # DNS only: sidecars cannot reach istiod:15012`,
  }),
  MB0602: code<{ policy: string; component: string; port: number; servicePort: number }>({
    level: 'error',
    title: 'NetworkPolicy blocks the API server from a webhook',
    message: (p) =>
      `NetworkPolicy ${p.policy} drops the API server's webhook calls to ${p.component} (Service port ${p.servicePort} → pod port ${p.port}): no ingress rule allows that port from outside the pod network.`,
    meaning:
      'The API server calls the sidecar injection and config validation webhooks through the Service, which arrives at the pods on the targetPort (15017 for istiod). The API server is not a pod: only a rule with no `from` or with an ipBlock containing its address admits it.',
    why: 'With the webhook unreachable, pods in injection-enabled namespaces are created without sidecars or not at all (failurePolicy Fail), and Istio config is rejected with "failed calling webhook … context deadline exceeded" (R5). Private GKE clusters show the same symptom when their firewall does not open 15017.',
    fix: "Add an ingress rule for the pod port with no `from` (as Istio's chart policy does for 15017), or with an ipBlock for the API server addresses.",
    example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: istiod-lockdown, namespace: istio-system }
spec:
  podSelector: { matchLabels: { app: istiod } }
  ingress:
    - from: [{ namespaceSelector: {} }]   # pods only: the API server is not a pod
      ports: [{ port: 15017 }]`,
  }),
  MB0603: code<{ policy: string; direction: string; target: string; port: number; purpose: string; count: number }>({
    level: 'warning',
    title: 'NetworkPolicy blocks Prometheus from Istio metrics',
    message: (p) =>
      `NetworkPolicy ${p.policy} drops Prometheus scrapes of ${p.purpose} on port ${p.port} of ${p.target} (${p.count} workload(s); ${p.direction === 'ingress' ? 'no ingress rule on the scraped pods admits Prometheus' : 'no egress rule on the Prometheus pods allows it'}).`,
    meaning:
      "A Prometheus pod exists, and the NetworkPolicies on the scraped pods (ingress) or on Prometheus (egress) have no rule for its scrape of an Istio metrics port: 15020 (merged metrics) or 15090 (Envoy) on proxies, 15014 on istiod (9093 on Istio 1.0's control plane).",
    why: "Without these metrics, dashboards, Kiali's graph and alerts go blank for the affected workloads, exactly where you would look to diagnose the mesh. Traffic itself is not affected.",
    fix: "Allow Prometheus's namespace (or pods) on the port in the named policy; the suggested rule names them exactly.",
  }),
  MB0604: code<{ service: string; port: number; answer: string }>({
    level: 'error',
    title: 'API server cannot reach the istiod webhook',
    message: (p) =>
      `The API server could not reach ${p.service} on Service port ${p.port} (${p.answer}): admission webhook calls to istiod take this path, so sidecar injection and config validation fail.`,
    meaning:
      "Asked to proxy a GET through the Service port Istio's webhook configurations call (istiod's https-webhook, 443 → pod port 15017), the API server answered 5xx (it could not connect) or not at all. That is the same connection an admission webhook call makes.",
    why: 'With the webhook unreachable, pods in injection-enabled namespaces are created without sidecars or not at all (failurePolicy Fail), and Istio config is rejected with "failed calling webhook … context deadline exceeded" (R5). This is exactly where private-cluster firewalls block 15017: GKE private clusters only open 443 and 10250 from the control plane to the nodes by default.',
    fix: "Allow TCP 15017 from the control plane to the nodes: on GKE private clusters a firewall rule from the control plane's CIDR (masterIpv4CidrBlock) to the nodes' network tag; elsewhere the security group or firewall between them. Then check NetworkPolicies on istiod and that its pods are ready.",
  }),
  MB0701: code<{ namespace: string; pods: number }>({
    level: 'error',
    title: 'Ambient namespace without ztunnel',
    message: (p) =>
      `Namespace ${p.namespace} enrolls ${p.pods} pod(s) in ambient mode, but no ztunnel DaemonSet or pod exists in the cluster: nothing carries their mesh traffic.`,
    meaning:
      'A namespace (or its pods) carries `istio.io/dataplane-mode=ambient`, yet the snapshot holds no ztunnel: no DaemonSet whose pods run `proxy ztunnel`, and no pod labelled `app: ztunnel`.',
    why: 'ztunnel is the per-node proxy of ambient mode: it opens the HBONE tunnels (port 15008), holds the workload certificates and enforces L4 policy. Without it, istio-cni either leaves the pods unredirected (plain text, no policy) or, once redirected, their traffic has nowhere to go.',
    fix: 'Install ztunnel (the `ztunnel` Helm chart, or `istioctl install --set profile=ambient`) in the Istio namespace, or remove the ambient label if the namespace is not meant to be in ambient mode.',
  }),
  MB0702: code<{ namespace: string; pods: number }>({
    level: 'error',
    title: 'Ambient namespace without the istio-cni node agent',
    message: (p) =>
      `Namespace ${p.namespace} enrolls ${p.pods} pod(s) in ambient mode, but no istio-cni node agent (DaemonSet istio-cni-node) exists in the cluster: nobody redirects their traffic to ztunnel.`,
    meaning:
      'A namespace (or its pods) carries `istio.io/dataplane-mode=ambient`, yet the snapshot holds no istio-cni node agent: no DaemonSet or pod labelled `k8s-app: istio-cni-node`.',
    why: "In ambient mode the istio-cni node agent is what enrols a pod: it enters the pod's network namespace, installs the rules that send its traffic to ztunnel, and hands the pod to ztunnel. Without it the pods run outside the mesh, in plain text and without policy, whatever their labels say.",
    fix: 'Install the `istio-cni` chart with `ambient.enabled=true` (the ambient profile does), or remove the ambient label.',
  }),
  MB0703: code<{ node: string; pods: number; found: string }>({
    level: 'error',
    title: 'Node with ambient pods and no ready ztunnel',
    message: (p) => `Node ${p.node} hosts ${p.pods} ambient pod(s) but has no ready ztunnel pod (${p.found}).`,
    meaning:
      "Ambient pods are scheduled on the node (spec.nodeName), and no ztunnel pod on that node is Running with condition Ready=True: the DaemonSet's pod there is missing, pending, crash-looping or not ready.",
    why: "A pod's traffic always goes through the ztunnel of its own node. With none ready there, new ambient pods cannot be enrolled (istio-cni keeps them pending and their traffic blocked), and already-enrolled pods on the node lose their mesh connectivity.",
    fix: "Look at the ztunnel pod on that node: `kubectl -n <istio ns> get pods -l app=ztunnel -o wide --field-selector spec.nodeName=<node>`, then describe it and read its logs. If there is none, check the DaemonSet's nodeSelector, affinity and tolerations against the node's labels and taints.",
  }),
  MB0704: code<{ node: string; pods: number; found: string }>({
    level: 'error',
    title: 'Node with ambient pods and no ready istio-cni agent',
    message: (p) => `Node ${p.node} hosts ${p.pods} ambient pod(s) but has no ready istio-cni node agent (${p.found}).`,
    meaning: 'Ambient pods are scheduled on the node, and no istio-cni node agent pod on that node is Running and Ready.',
    why: "The node agent enrols every ambient pod started on its node, and the chained CNI plugin it installs asks it before the pod's network is up: with the agent gone, new pods on the node fail to start or start outside the mesh, and label changes are not applied.",
    fix: "Look at the istio-cni pod on that node: `kubectl -n <istio ns> get pods -l k8s-app=istio-cni-node -o wide --field-selector spec.nodeName=<node>`, then describe it and read its logs; if there is none, compare the DaemonSet's nodeSelector and tolerations with the node.",
  }),
  MB0705: code<{ daemonSet: string; desired: number; ready: number; updated: number }>({
    level: 'warning',
    title: 'Ambient node agent DaemonSet not fully ready',
    message: (p) =>
      `DaemonSet ${p.daemonSet} has ${p.ready} of ${p.desired} pods ready and ${p.updated} of ${p.desired} updated to its current template.`,
    meaning:
      'The status of the ztunnel or istio-cni DaemonSet counts fewer ready (numberReady) or up-to-date (updatedNumberScheduled) pods than nodes that should run one (desiredNumberScheduled).',
    why: 'Each node needs its own ztunnel and istio-cni agent. A node without them breaks ambient pods scheduled there now or later; a rollout that does not finish leaves nodes on mixed versions.',
    fix: 'Find the pods that are not ready (`kubectl -n <ns> get pods -l <selector> -o wide`), describe them and read their logs; for a stuck rollout, `kubectl -n <ns> rollout status ds/<name>`.',
  }),
  MB0706: code<{ daemonSet: string; component: string; version: string; istiod: string }>({
    level: 'warning',
    title: 'Ambient node agent version differs from istiod',
    message: (p) => `${p.component} (DaemonSet ${p.daemonSet}) runs Istio ${p.version}, istiod runs ${p.istiod}.`,
    meaning:
      "The image tag of the ztunnel or istio-cni DaemonSet's container has another major.minor version than the istiod Deployment's discovery container.",
    why: 'ztunnel speaks its own xDS types (workloads and authorizations) with istiod, and istio-cni and ztunnel speak a node-local protocol: Istio upgrades them together with the control plane, and a node agent older or newer than istiod outside the supported window can misread configuration or fail to enrol pods.',
    fix: "Upgrade (or roll back) the node agents to the control plane's version: with Helm, upgrade the `istio-cni` and `ztunnel` charts to the istiod chart's version; with istioctl, `istioctl upgrade`. Upgrade ztunnel last, node by node if you can, since restarting it interrupts the connections of the pods on that node.",
  }),
  MB0707: code<{ configMap: string; value: string }>({
    level: 'error',
    title: 'istio-cni runs with ambient mode turned off',
    message: (p) =>
      `ConfigMap ${p.configMap} sets AMBIENT_ENABLED to ${p.value}: the istio-cni node agent does not enrol any pod in ambient mode, although ambient namespaces exist.`,
    meaning:
      'The istio-cni chart writes its settings into the ConfigMap istio-cni-config; AMBIENT_ENABLED is `true` only when the chart was installed with ambient.enabled=true (the ambient profile). Installed for sidecars only, the agent ignores the ambient label.',
    why: 'Pods in ambient namespaces are then never redirected to ztunnel: they talk plain text, bypass every mesh policy, and the ambient label promises a protection that is not there.',
    fix: 'Reinstall or upgrade the istio-cni chart with `--set ambient.enabled=true` (or the ambient profile), then check that pods in ambient namespaces carry the annotation ambient.istio.io/redirection=enabled.',
  }),
  MB0710: code<{ pod: string }>({
    level: 'error',
    title: 'Pod has a sidecar and is redirected to ztunnel',
    message: (p) =>
      `Pod ${p.pod} runs an istio-proxy sidecar and also carries ambient.istio.io/redirection=enabled: its traffic is captured twice.`,
    meaning:
      'The pod has an istio-proxy container (the sidecar injector ran) and istio-cni marked it as redirected to ztunnel. Istio supports one data plane per pod: istio-cni skips pods with a sidecar, so this pod was enrolled before it got its sidecar, or its annotations were copied by hand.',
    why: 'The sidecar and ztunnel both intercept the same packets: connections are wrapped twice or dropped, and which policy applies is undefined.',
    fix: 'Choose one data plane for the workload: for ambient, label the pod template `sidecar.istio.io/inject: "false"` and restart it; for sidecars, label it `istio.io/dataplane-mode: none` and restart it.',
  }),
  MB0711: code<{ pod: string; via: string }>({
    level: 'warning',
    title: 'Sidecar pod enrolled in ambient mode',
    message: (p) =>
      `Pod ${p.pod} runs an istio-proxy sidecar although ${p.via} enrols it in ambient mode: the ambient label has no effect on it, and its traffic uses the sidecar.`,
    meaning:
      'The pod has an istio-proxy sidecar while its own label or its namespace label asks for ambient mode. istio-cni never redirects a pod with a sidecar, so the pod stays a sidecar workload.',
    why: 'Sidecar and ambient workloads interoperate, so traffic flows; but the labels say one thing and the pod does another: waypoints, ambient policies and the sidecar-less upgrade path do not apply to it.',
    fix: 'Decide for the workload: for ambient, turn injection off for it (`sidecar.istio.io/inject: "false"` on the pod template, or remove istio-injection / istio.io/rev from the namespace) and restart it; to keep the sidecar, label the pod template `istio.io/dataplane-mode: none`.',
  }),
  MB0712: code<{ pod: string; via: string }>({
    level: 'warning',
    title: 'Ambient pod in a namespace that injects sidecars',
    message: (p) =>
      `Pod ${p.pod} is redirected to ztunnel, but ${p.via} asks for sidecar injection: its next restart gives it a sidecar and takes it out of ambient mode.`,
    meaning:
      'istio-cni enrolled the pod (ambient.istio.io/redirection=enabled) and it has no sidecar yet, but sidecar injection is enabled for it. The injector acts when a pod is created, so the next rollout changes its data plane.',
    why: 'A routine restart silently moves the workload from ambient to sidecar mode: waypoint routing and ambient policies stop applying, sidecar resources start to.',
    fix: 'Make the labels agree: for ambient, remove istio-injection / istio.io/rev from the namespace (or label the pod template `sidecar.istio.io/inject: "false"`); for sidecars, remove the ambient label and restart the workload.',
  }),
  MB0713: code<{ pod: string; sidecar: string; ambient: string }>({
    level: 'warning',
    title: 'Pod asks for both a sidecar and ambient mode',
    message: (p) => `Pod ${p.pod} is asked to take a sidecar (${p.sidecar}) and to join ambient mode (${p.ambient}); it has neither yet.`,
    meaning:
      "The labels on the pod and its namespace ask for sidecar injection and for ambient enrolment at once, and the pod has neither a sidecar nor istio-cni's redirection annotation.",
    why: 'Which data plane the workload gets depends on the order things happen in (the injector runs at creation, istio-cni skips pods with a sidecar): the outcome is not what either label promises on its own.',
    fix: 'Keep one of the two labels for the workload (sidecar: istio-injection=enabled or istio.io/rev; ambient: istio.io/dataplane-mode=ambient), then restart it.',
  }),
  MB0714: code<{ pod: string; node: string }>({
    level: 'error',
    title: 'Ambient pod enrolment pending',
    message: (p) =>
      `Pod ${p.pod} on node ${p.node} carries ambient.istio.io/redirection=pending: its traffic is redirected, but no ztunnel has taken it over, so it can neither send nor receive.`,
    meaning:
      "istio-cni writes `pending` once it has installed the pod's redirection rules but could not yet hand the pod to the node's ztunnel; `enabled` replaces it when ztunnel accepts the pod.",
    why: 'Until a ztunnel accepts the pod, its redirected traffic has nowhere to go: every connection to or from it fails.',
    fix: "Get the node's ztunnel ready (`kubectl -n <istio ns> get pods -l app=ztunnel -o wide --field-selector spec.nodeName=<node>`, then its logs); istio-cni completes the enrolment once ztunnel is up.",
  }),
  MB0715: code<{ pod: string; node: string; via: string }>({
    level: 'warning',
    title: 'Ambient pod not captured',
    message: (p) =>
      `Pod ${p.pod} is enrolled in ambient mode by ${p.via} and its node ${p.node} runs a ready ztunnel and istio-cni agent, but istio-cni has not redirected it (no ambient.istio.io/redirection=enabled).`,
    meaning:
      "A running pod that its labels put in ambient mode lacks the annotation istio-cni writes after redirecting it, although the node's ztunnel and istio-cni node agent are both ready.",
    why: 'The pod talks plain text outside the mesh: no mTLS, no L4 policy, no waypoint. Peers that require mTLS refuse it, and policies written for it are not enforced.',
    fix: "Read the istio-cni node agent's log on that node for the pod's name (enrolment errors are logged there), then recreate the pod: the CNI plugin enrols a pod when it is created.",
  }),
  MB0716: code<{ namespace: string; pods: number }>({
    level: 'info',
    title: 'Pods opted out of ambient mode',
    message: (p) => `${p.pods} pod(s) in ambient namespace ${p.namespace} opt out with istio.io/dataplane-mode=none.`,
    meaning:
      'The namespace is in ambient mode and these pods carry the opt-out label istio.io/dataplane-mode=none: istio-cni leaves them alone.',
    why: 'An opt-out is a deliberate hole in the ambient mesh: those pods talk plain text and no mesh policy protects them. Listing them keeps the hole visible.',
    fix: 'Nothing to fix if intended. To bring a pod back into the mesh, remove the label from its pod template: `kubectl label pod <pod> istio.io/dataplane-mode-` (the template for a lasting change).',
  }),
  MB0720: code<{ gateway: string; listeners: string }>({
    level: 'error',
    title: 'Waypoint without an HBONE listener',
    message: (p) =>
      `Waypoint ${p.gateway} has no listener on port 15008 with protocol HBONE (listeners: ${p.listeners}); ztunnel reaches waypoints only through HBONE on 15008.`,
    meaning:
      'A Gateway API Gateway of class `istio-waypoint` declares no listener with `port: 15008` and `protocol: HBONE`, the listener `istioctl waypoint generate` writes (named `mesh`).',
    why: "Clients' ztunnels tunnel traffic to a waypoint over HBONE on 15008. Istio marks every other listener of a waypoint as not accepted, and without the HBONE listener it falls back to admitting only its own namespace.",
    fix: 'Give the Gateway the listener `{ name: mesh, port: 15008, protocol: HBONE }` (`istioctl waypoint generate -n <namespace>` prints a complete one).',
    example: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: http, port: 80, protocol: HTTP }]   # needs 15008/HBONE`,
  }),
  MB0721: code<{ gateway: string; listener: string; port: number; protocol: string }>({
    level: 'warning',
    title: 'Waypoint listener Istio does not accept',
    message: (p) =>
      `Waypoint ${p.gateway} listener ${p.listener} (${p.port}/${p.protocol}) is not the single 15008/HBONE listener a waypoint expects; Istio marks it not accepted.`,
    meaning:
      'A Gateway of class `istio-waypoint` has a listener other than port 15008 with protocol HBONE. istiod sets the listener\'s Accepted condition to False (reason UnsupportedProtocol, "Expected a single listener on port 15008 with protocol HBONE").',
    why: 'Waypoints take traffic only as HBONE tunnels; an extra HTTP or TCP listener opens nothing and suggests the Gateway was meant for ingress (class `istio`) instead.',
    fix: 'Remove the listener, or move it to an ingress Gateway of class `istio`.',
  }),
  MB0722: code<{ gateway: string; state: string }>({
    level: 'error',
    title: 'Waypoint not programmed',
    message: (p) => `Waypoint ${p.gateway} is not ready: ${p.state}. Services and workloads bound to it are not served until it is.`,
    meaning:
      'The waypoint Gateway has no `Programmed` condition with status True, or no address in `status.addresses`. istiod publishes a waypoint only once its status has an address, which happens when its deployment has a ready pod.',
    why: 'Until then every Service or pod that names it gets `istio.io/WaypointBound` False (WaypointIsNotReady) and its L7 policies and routes are not applied.',
    fix: "Look at the Gateway's conditions and at its deployment (`kubectl get deploy,pods -l gateway.networking.k8s.io/gateway-name=<name> -n <namespace>`): image pull errors, pending pods, or a control plane installed without ambient support.",
  }),
  MB0723: code<{ gateway: string; value: string }>({
    level: 'error',
    title: 'Unknown waypoint-for value',
    message: (p) =>
      `Waypoint ${p.gateway} has istio.io/waypoint-for=${p.value}, which Istio does not know (service, workload, all or none); it serves neither Services nor workloads.`,
    meaning: 'The `istio.io/waypoint-for` label of a waypoint is not one of `service`, `workload`, `all` or `none`.',
    why: 'istiod compares the value literally: Services bind only to `service` or `all`, workloads only to `workload` or `all`, so every binding to this waypoint fails with UnsupportedTrafficType.',
    fix: 'Set `istio.io/waypoint-for` to `service` (the default), `workload`, `all` or `none`.',
  }),
  MB0724: code<{ resource: string; waypoint: string }>({
    level: 'error',
    title: 'use-waypoint names a missing waypoint',
    message: (p) => `${p.resource} asks for waypoint ${p.waypoint} (istio.io/use-waypoint), and no such Gateway exists.`,
    meaning:
      'A Namespace, Service, ServiceEntry or pod is labelled `istio.io/use-waypoint=<name>`, and there is no Gateway API Gateway of that name in the namespace the label (or `istio.io/use-waypoint-namespace`) points to.',
    why: 'istiod reports the binding as WaypointIsNotReady and sends the traffic straight to the destination: the L7 policies and routes meant for the waypoint are silently skipped.',
    fix: 'Create the waypoint (`istioctl waypoint apply -n <namespace> --name <name>`), or correct the label.',
  }),
  MB0725: code<{ resource: string; waypoint: string; waypointFor: string; traffic: string }>({
    level: 'error',
    title: 'Waypoint does not serve that traffic',
    message: (p) =>
      `${p.resource} binds ${p.traffic} traffic to waypoint ${p.waypoint}, whose istio.io/waypoint-for=${p.waypointFor} does not serve it.`,
    meaning:
      "Services bind to a waypoint only if its `istio.io/waypoint-for` is `service` (the default) or `all`; pods labelled `istio.io/use-waypoint` only if it is `workload` or `all`. A namespace's label passes to its Services (and to its pods, where a service-only waypoint is simply not used).",
    why: 'istiod refuses the binding (WaypointBound False, reason UnsupportedTrafficType) and the traffic bypasses the waypoint and its L7 policies.',
    fix: 'Label the waypoint with the traffic type it must serve (`istio.io/waypoint-for=all` serves both), or bind to a waypoint that serves it.',
  }),
  MB0726: code<{ resource: string; waypoint: string; namespace: string; rule: string }>({
    level: 'error',
    title: 'Waypoint does not admit the namespace',
    message: (p) => `${p.resource} uses waypoint ${p.waypoint}, whose HBONE listener does not admit namespace ${p.namespace} (${p.rule}).`,
    meaning:
      "The 15008/HBONE listener's `allowedRoutes.namespaces` of the waypoint (`from: Same` when unset) does not admit the namespace of the resource bound to it, typically a waypoint in another namespace named by `istio.io/use-waypoint-namespace`.",
    why: 'istiod refuses the binding (WaypointBound False, reason AttachmentDenied) and the traffic bypasses the waypoint.',
    fix: "Set the waypoint listener's `allowedRoutes.namespaces.from` to `All`, or to `Selector` with a selector matching the namespace.",
  }),
  MB0727: code<{ resource: string; namespace: string }>({
    level: 'warning',
    title: 'use-waypoint-namespace without use-waypoint',
    message: (p) =>
      `${p.resource} has istio.io/use-waypoint-namespace=${p.namespace} but no istio.io/use-waypoint label, so the namespace label is ignored.`,
    meaning:
      '`istio.io/use-waypoint-namespace` only says where the waypoint named by `istio.io/use-waypoint` lives; istiod reads it only next to that label.',
    why: 'Whoever set it meant the traffic to go through a waypoint in that namespace; it does not.',
    fix: 'Add `istio.io/use-waypoint=<waypoint name>`, or remove the namespace label.',
  }),
  MB0735: code<{ policy: string; action: string; attributes: string; consequence: string }>({
    level: 'error',
    title: 'HTTP rules on ztunnel',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} (${p.action}) selects ambient workloads, which ztunnel enforces without HTTP attributes (found: ${p.attributes}): ${p.consequence}.`,
    meaning:
      'An AuthorizationPolicy without `targetRefs` applies (by `selector`, or namespace-wide) to pods in ambient mode, so their ztunnel enforces it, and it uses attributes ztunnel cannot see: `hosts`, `methods`, `paths` (and their `not` forms), `requestPrincipals`, `remoteIpBlocks`, or `when` keys other than source.ip, source.namespace, source.principal, destination.ip and destination.port.',
    why: 'istiod drops what ztunnel cannot check (ZtunnelAccepted False, UnsupportedValue): an ALLOW rule that uses them never matches, so requests it should allow are denied; a DENY loses the HTTP part of its rules and denies more than written, or nothing at all.',
    fix: 'Attach the policy to the waypoint with `targetRefs` (a Service bound to a waypoint, or the waypoint Gateway) instead of `selector`, or keep only L4 attributes for ztunnel.',
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: reviews-get, namespace: shop }   # shop: istio.io/dataplane-mode=ambient
spec:
  selector: { matchLabels: { app: reviews } }
  action: ALLOW
  rules: [{ to: [{ operation: { methods: ["GET"] } }] }]`,
  }),
  MB0736: code<{ policy: string; action: string }>({
    level: 'error',
    title: 'Action ztunnel does not support',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} (${p.action}) selects ambient workloads, and ztunnel does not support the ${p.action} action: nothing enforces it for them.`,
    meaning:
      'An AuthorizationPolicy with action CUSTOM or AUDIT and no `targetRefs` applies to pods in ambient mode. ztunnel supports only ALLOW and DENY.',
    why: "istiod leaves the policy out of ztunnel's configuration (ZtunnelAccepted False, UnsupportedValue): an external authorizer (CUSTOM) is never asked, so requests pass unchecked.",
    fix: 'Attach the policy to a waypoint with `targetRefs`; waypoints support CUSTOM and AUDIT.',
  }),
  MB0737: code<{ kind: string; policy: string; what: string }>({
    level: 'warning',
    title: 'L7 policy on ambient workloads by selector',
    message: (p) =>
      `${p.kind} ${p.policy} (${p.what}) selects ambient workloads without targetRefs: ztunnel does not apply it and waypoints ignore selectors, so it has no effect on them.`,
    meaning:
      'A RequestAuthentication, a WasmPlugin, or a Telemetry with tracing, access logging or metric overrides applies to pods in ambient mode through `selector` (or namespace-wide) and has no `targetRefs`.',
    why: 'Only a proxy that parses HTTP can apply these; in ambient that is a waypoint, which takes policy only through `targetRefs`. JWT checks, plugins and telemetry silently stop working after a move from sidecars.',
    fix: 'Attach it with `targetRefs` to the waypoint Gateway or to a Service bound to a waypoint.',
  }),
  MB0738: code<{ kind: string; policy: string; target: string }>({
    level: 'warning',
    title: 'Policy targets a Service without a waypoint',
    message: (p) =>
      `${p.kind} ${p.policy} targets ${p.target}, which is not bound to a waypoint (no istio.io/use-waypoint on it or its namespace): nothing enforces it.`,
    meaning:
      'A policy attaches with `targetRefs` to a Service or ServiceEntry, but neither the Service nor its namespace carries `istio.io/use-waypoint` (or the Service opts out with `none`).',
    why: 'Policies attached to a Service are carried out by the waypoint that serves it; without one, no proxy applies them and the traffic is not checked.',
    fix: 'Bind the Service to a waypoint: `kubectl label service <name> -n <namespace> istio.io/use-waypoint=<waypoint>` (or label the namespace).',
  }),
  MB0739: code<{ kind: string; policy: string; target: string }>({
    level: 'error',
    title: 'Policy targets a missing resource',
    message: (p) => `${p.kind} ${p.policy} targets ${p.target}, which does not exist.`,
    meaning: "A `targetRefs` entry names a Service, ServiceEntry or Gateway API Gateway that is not in the policy's namespace.",
    why: 'istiod cannot attach the policy there (WaypointAccepted False, TargetNotFound): whatever it should allow, deny or record is not applied.',
    fix: 'Correct the name in `targetRefs`, or create the resource it names.',
  }),
  MB0745: code<{ kind: string; resource: string; features: string; service: string }>({
    level: 'warning',
    title: 'L7 routing for an ambient Service without a waypoint',
    message: (p) =>
      `${p.kind} ${p.resource} (${p.features}) applies to ${p.service}, an ambient Service bound to no waypoint (no istio.io/use-waypoint on it or its namespace): ztunnel ignores it, so it has no effect.`,
    meaning:
      'A VirtualService with HTTP or TLS routes for mesh traffic, or a DestinationRule with HTTP-level settings (outlier detection, HTTP connection pool, consistent hashing on a header or cookie), names a Service in an ambient namespace, and neither the Service nor its namespace is bound to a waypoint (or the Service opts out with `none`).',
    why: 'In ambient mode only a waypoint reads VirtualServices and DestinationRules; ztunnel forwards connections without them. Retries, traffic splits, fault injection and circuit breaking written for the Service silently stop working.',
    fix: 'Bind the Service to a waypoint: `kubectl label service <name> -n <namespace> istio.io/use-waypoint=<waypoint>` (or label the namespace).',
    example: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: shop }   # shop: istio.io/dataplane-mode=ambient, no istio.io/use-waypoint
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v2 } }] }]`,
  }),
  MB0746: code<{ kind: string; resource: string; service: string; read: string }>({
    level: 'warning',
    title: 'L7 routing the waypoint does not read',
    message: (p) =>
      `${p.kind} ${p.resource} applies to the ambient Service ${p.service}, but the waypoint serving it reads ${p.kind}s only from ${p.read}: this one has no effect there.`,
    meaning:
      "An L7 VirtualService or DestinationRule names an ambient Service from another namespace. A waypoint takes a Service's VirtualServices only from the Service's namespace or its own, and its DestinationRules from those or the mesh root namespace.",
    why: 'The routing or traffic policy looks configured, but the waypoint carrying the traffic never applies it. Sidecar clients in the namespace of the resource may still use it, so behaviour differs by client.',
    fix: "Move the resource into the Service's namespace (or the waypoint's).",
  }),
  MB0747: code<{ kind: string; resource: string; features: string; namespace: string }>({
    level: 'warning',
    title: 'L7 routing in an ambient namespace without a waypoint',
    message: (p) =>
      `${p.kind} ${p.resource} (${p.features}) is in the ambient namespace ${p.namespace}, which is bound to no waypoint, and names no Service found in the snapshot: unless its hosts are served by a waypoint elsewhere, nothing applies it.`,
    meaning:
      'An L7 VirtualService or DestinationRule sits in a namespace labelled `istio.io/dataplane-mode=ambient` without `istio.io/use-waypoint`, and none of its hosts is a Service in the snapshot (an external host, a wildcard, a ServiceEntry or a Service not read).',
    why: 'ztunnel does not apply VirtualServices or DestinationRules; without a waypoint for the hosts, the rules are dead configuration.',
    fix: 'Bind the namespace (or the ServiceEntry or Service behind the host) to a waypoint with `istio.io/use-waypoint`.',
  }),
  MB0750: code<{ policy: string; workloads: number; cni: string; address: string }>({
    level: 'warning',
    title: "NetworkPolicy drops ambient pods' kubelet probes",
    message: (p) =>
      `NetworkPolicy ${p.policy} does not admit ${p.address}, the source address of kubelet probes to ambient pods, and ${p.cni} enforces NetworkPolicy on it: the health probes of ${p.workloads} ambient workload(s) fail.`,
    meaning:
      "istio-cni rewrites the source of the kubelet's health probes to ambient pods to a link-local address (169.254.7.127, IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff) so ztunnel can let them past mesh policy. The named policy isolates these pods for ingress and admits that address on none of their probed ports. Cilium exempts the kubelet's probes by the node's identity, which the rewritten address no longer carries, so under a default-deny policy it drops them.",
    why: "Readiness probes that never get through keep the pods out of their Services' endpoints; failing liveness probes restart them in a loop. It happens the moment a namespace is enrolled in ambient, with no change to the policy (R5).",
    fix: 'Admit the probe address in an ingress rule of the pods (an ipBlock of 169.254.7.127/32), or cluster-wide with a CiliumClusterwideNetworkPolicy allowing fromCIDR 169.254.7.127/32.',
    example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-hbone, namespace: shop }   # shop is labelled istio.io/dataplane-mode=ambient
spec:
  podSelector: {}
  ingress:
    - ports: [{ port: 15008 }]   # no rule for 169.254.7.127: Cilium drops the probes`,
  }),
  MB0751: code<{ policy: string; workloads: number; cni: string; address: string }>({
    level: 'info',
    title: "NetworkPolicy may drop ambient pods' kubelet probes",
    message: (p) =>
      `NetworkPolicy ${p.policy} does not admit ${p.address}, the source address of kubelet probes to ambient pods: whether the probes of ${p.workloads} ambient workload(s) get through depends on the CNI (${p.cni}).`,
    meaning:
      "istio-cni rewrites the source of the kubelet's health probes to ambient pods to a link-local address (169.254.7.127, IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff). The named policy isolates these pods for ingress and admits that address on none of their probed ports. Some CNIs treat the probes as node traffic anyway; Cilium is documented not to, and for the CNI found here Istio documents neither.",
    why: "Where the CNI enforces the policy on that address, readiness probes keep the pods out of their Services' endpoints and liveness probes restart them (R5). Admitting the address costs nothing: it is link-local and never routed off the node.",
    fix: 'Admit the probe address in an ingress rule of the pods (an ipBlock of 169.254.7.127/32), as Istio recommends for any cluster with ingress NetworkPolicies on ambient pods.',
  }),
  MB0801: code<{ destinationRule: string; namespace: string; policy: string }>({
    level: 'error',
    title: 'DestinationRule disables mTLS toward a STRICT namespace',
    message: (p) =>
      `DestinationRule ${p.destinationRule} sends plaintext to every service of namespace ${p.namespace} (tls.mode DISABLE), but PeerAuthentication ${p.policy} makes that namespace accept mTLS only (STRICT).`,
    meaning:
      'A namespace-wide DestinationRule (host `*.<namespace>.svc.cluster.local`) turns client TLS off, while the namespace-wide PeerAuthentication of the same namespace requires mutual TLS. Kiali reports this as KIA0207.',
    why: 'Sidecars the rule applies to open plaintext connections, and the STRICT servers reset them: every call from those clients into the namespace fails.',
    fix: "Set the DestinationRule's tls.mode to ISTIO_MUTUAL (or remove the tls block and let auto mTLS choose), or relax the PeerAuthentication to PERMISSIVE if plaintext clients must still reach the namespace.",
    example: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: plaintext, namespace: shop }
spec:
  host: "*.shop.svc.cluster.local"
  trafficPolicy: { tls: { mode: DISABLE } }   # shop's PeerAuthentication is STRICT`,
  }),
  MB0802: code<{ destinationRule: string; host: string; policy: string }>({
    level: 'error',
    title: 'DestinationRule disables mTLS under a STRICT mesh',
    message: (p) =>
      `DestinationRule ${p.destinationRule} sends plaintext to ${p.host} (tls.mode DISABLE), but the mesh-wide PeerAuthentication ${p.policy} requires mTLS (STRICT) and no namespace policy relaxes it.`,
    meaning:
      "A mesh-wide (`*.local`) or namespace-wide DestinationRule turns client TLS off while the root namespace's PeerAuthentication makes the whole mesh STRICT, and the namespace has no policy of its own. Kiali reports this as KIA0208.",
    why: 'The servers behind those hosts accept mutual TLS only, so the plaintext connections the rule asks for are reset.',
    fix: "Set the DestinationRule's tls.mode to ISTIO_MUTUAL (or remove the tls block), or give the namespaces that must take plaintext a PERMISSIVE PeerAuthentication.",
  }),
  MB0803: code<{ destinationRule: string; rootNamespace: string }>({
    level: 'error',
    title: 'Mesh-wide ISTIO_MUTUAL without a mesh PeerAuthentication',
    message: (p) =>
      `DestinationRule ${p.destinationRule} makes every client use Istio mTLS (host *.local, ISTIO_MUTUAL), but no PeerAuthentication in ${p.rootNamespace} enables mTLS mesh-wide and auto mTLS is off.`,
    meaning:
      'With meshConfig enableAutoMtls false, mutual TLS is only consistent when the client rule and the server policy are written together; here the mesh-wide DestinationRule has no mesh-wide PeerAuthentication (STRICT or PERMISSIVE) beside it. Kiali reports this as KIA0205.',
    why: 'Servers that were not told to accept mTLS (a namespace or workload policy with DISABLE, or none at all in older releases) refuse the TLS handshakes the clients start.',
    fix: 'Add a PeerAuthentication without selector in the root namespace with mtls.mode PERMISSIVE (or STRICT), or turn auto mTLS back on.',
  }),
  MB0804: code<{ destinationRule: string; namespace: string }>({
    level: 'error',
    title: 'Namespace-wide ISTIO_MUTUAL without a PeerAuthentication',
    message: (p) =>
      `DestinationRule ${p.destinationRule} makes clients use Istio mTLS toward namespace ${p.namespace}, but neither a PeerAuthentication of that namespace nor a mesh-wide one enables mTLS, and auto mTLS is off.`,
    meaning:
      'A namespace-wide DestinationRule (`*.<namespace>.svc.cluster.local`) with ISTIO_MUTUAL has no PeerAuthentication in its namespace or in the root namespace that enables mTLS. Only checked when meshConfig enableAutoMtls is false. Kiali reports this as KIA0206.',
    why: 'The client half of mutual TLS is configured and the server half is not, so handshakes can fail wherever a server policy disables it.',
    fix: 'Add a PeerAuthentication without selector to the namespace with mtls.mode PERMISSIVE or STRICT, or turn auto mTLS back on.',
  }),
  MB0805: code<{ destinationRule: string; host: string; overridden: string }>({
    level: 'warning',
    title: 'DestinationRule without TLS overrides mTLS',
    message: (p) =>
      `DestinationRule ${p.destinationRule} for ${p.host} has no TLS settings, and it replaces ${p.overridden}, which enables Istio mTLS for that host.`,
    meaning:
      'A more specific DestinationRule wins over the namespace-wide or mesh-wide one that turns on ISTIO_MUTUAL, and settings are not merged: the more specific rule without a tls block drops the mTLS setting for its host. Kiali reports this as KIA0204.',
    why: 'With auto mTLS off, clients then send plaintext to that host; with it on, the wide rule was doing nothing and may mislead whoever reads it.',
    fix: "Add `tls: {mode: ISTIO_MUTUAL}` to the specific rule's trafficPolicy (or rely on auto mTLS and delete the wide rule).",
  }),
  MB0806: code<{ policy: string }>({
    level: 'error',
    title: 'Mesh-wide STRICT without a mesh-wide ISTIO_MUTUAL DestinationRule',
    message: (p) =>
      `PeerAuthentication ${p.policy} makes the whole mesh STRICT, but auto mTLS is off and no DestinationRule for *.local sends ISTIO_MUTUAL.`,
    meaning:
      'With meshConfig enableAutoMtls false, clients send whatever their DestinationRule says, plaintext by default. A STRICT mesh policy then needs a `*.local` DestinationRule with ISTIO_MUTUAL beside it. Kiali reports this as KIA0401.',
    why: 'Clients without a rule send plaintext, and every STRICT server resets them.',
    fix: 'Turn auto mTLS back on (meshConfig enableAutoMtls: true), or add a DestinationRule for host `*.local` in the root namespace with trafficPolicy.tls.mode ISTIO_MUTUAL.',
  }),
  MB0807: code<{ policy: string; namespace: string }>({
    level: 'error',
    title: 'Namespace-wide STRICT without an ISTIO_MUTUAL DestinationRule',
    message: (p) =>
      `PeerAuthentication ${p.policy} makes namespace ${p.namespace} STRICT, but auto mTLS is off and no namespace-wide or mesh-wide DestinationRule sends ISTIO_MUTUAL.`,
    meaning:
      'With meshConfig enableAutoMtls false, a namespace-wide STRICT policy needs a DestinationRule for `*.<namespace>.svc.cluster.local` (or `*.local`) with ISTIO_MUTUAL so that clients actually send mTLS. Kiali reports this as KIA0501.',
    why: "Clients keep sending plaintext and the namespace's servers reset them.",
    fix: 'Turn auto mTLS back on, or add a DestinationRule for `*.<namespace>.svc.cluster.local` with trafficPolicy.tls.mode ISTIO_MUTUAL.',
  }),
  MB0808: code<{ policy: string; namespace: string; destinationRule: string }>({
    level: 'error',
    title: 'Namespace disables mTLS, a DestinationRule still sends it',
    message: (p) =>
      `PeerAuthentication ${p.policy} turns mTLS off for namespace ${p.namespace}, but DestinationRule ${p.destinationRule} still makes clients send mutual TLS to it.`,
    meaning:
      'The namespace-wide PeerAuthentication sets DISABLE while a namespace-wide or mesh-wide DestinationRule (and no namespace-wide rule with DISABLE) sets ISTIO_MUTUAL or MUTUAL. Kiali reports this as KIA0505.',
    why: 'The servers speak plaintext only; clients that start a TLS handshake with them fail.',
    fix: 'Add a DestinationRule for `*.<namespace>.svc.cluster.local` with tls.mode DISABLE next to the policy, or change the policy to PERMISSIVE.',
  }),
  MB0809: code<{ policy: string; destinationRule: string }>({
    level: 'error',
    title: 'Mesh disables mTLS, a DestinationRule still sends it',
    message: (p) =>
      `PeerAuthentication ${p.policy} turns mTLS off mesh-wide, but DestinationRule ${p.destinationRule} (host *.local) makes every client send mutual TLS.`,
    meaning:
      'The mesh-wide PeerAuthentication sets DISABLE while the mesh-wide DestinationRule sets ISTIO_MUTUAL or MUTUAL. Kiali reports this as KIA0506.',
    why: 'Servers take plaintext only and clients open TLS: calls fail wherever no narrower policy says otherwise.',
    fix: "Set the `*.local` DestinationRule's tls.mode to DISABLE (or delete its tls block), or change the mesh policy to PERMISSIVE.",
  }),
  MB0810: code<{ policy: string; fields: string; mode: string }>({
    level: 'error',
    title: 'AuthorizationPolicy needs mTLS that its workloads do not get',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} matches on the peer's identity (${p.fields}), but the workloads it applies to receive no mutual TLS (${p.mode}).`,
    meaning:
      "principals, namespaces (and their not- forms) and the conditions source.principal, source.namespace and connection.sni are read from the client's mTLS certificate. The workloads the policy applies to have mutual TLS turned off. Kiali reports this as KIA0105.",
    why: 'Without a certificate there is no identity: ALLOW rules on it never match (calls are denied), DENY rules on it never match (calls get through).',
    fix: 'Turn mTLS on for those workloads (a PeerAuthentication with PERMISSIVE or STRICT), or match on source addresses (ipBlocks) instead of identities.',
  }),
  MB0811: code<{ kind: string; name: string; field: string; namespace: string }>({
    level: 'warning',
    title: 'exportTo names a namespace that does not exist',
    message: (p) => `${p.kind} ${p.name} is exported to namespace ${p.namespace} (${p.field}), which does not exist.`,
    meaning:
      'An exportTo entry that is neither `.` nor `*` must name a namespace. This one names none that the cluster has. Kiali reports this as KIA0005.',
    why: 'Usually a typo: the namespace that was meant does not see the rule, and its clients use another (or none).',
    fix: 'Correct the namespace name in exportTo, or remove the entry.',
  }),
  MB0830: code<{ service: string; port: number; targetPort: number; clients: number; namespace: string }>({
    level: 'warning',
    title: 'Clients outside the mesh call a STRICT port',
    message: (p) =>
      `${p.clients} pod(s) outside the mesh in namespace ${p.namespace} can call Service ${p.service} port ${p.port}, whose workloads accept only mTLS on target port ${p.targetPort} (STRICT): their plaintext connections are reset.`,
    meaning:
      "Pods without a sidecar (and not in ambient mode) send plaintext. The Service's workloads have a STRICT effective mode on its target port. Callers are inferred, not observed: any pod outside the mesh in the Service's own namespace counts.",
    why: 'A STRICT server closes every connection that is not Istio mTLS, so those callers see "connection reset by peer", whatever NetworkPolicies allow.',
    fix: 'Bring the callers into the mesh (inject a sidecar or enroll the namespace in ambient), or make that port PERMISSIVE with a workload PeerAuthentication and portLevelMtls.',
  }),
  MB0831: code<{ destinationRule: string; service: string; port: number; mode: string; targetPort: number }>({
    level: 'error',
    title: 'DestinationRule sends non-Istio TLS to a STRICT port',
    message: (p) =>
      `DestinationRule ${p.destinationRule} makes clients send ${p.mode === 'DISABLE' ? 'plaintext' : `their own TLS (${p.mode})`} to Service ${p.service} port ${p.port}, whose workloads accept only Istio mTLS on target port ${p.targetPort} (STRICT).`,
    meaning:
      "The DestinationRule the clients use for that host and port sets tls.mode DISABLE, SIMPLE or MUTUAL, and the servers' effective PeerAuthentication mode on the target port is STRICT.",
    why: 'Auto mTLS steps aside when a DestinationRule sets a mode, so the sidecars send exactly what the rule says, and the STRICT server resets it: every call from those namespaces fails.',
    fix: 'Set the mode to ISTIO_MUTUAL (or remove the tls block and let auto mTLS choose).',
  }),
  MB0832: code<{ policy: string; workload: string; port: string; mode: string; strict: string }>({
    level: 'warning',
    title: 'A workload override weakens a STRICT policy',
    message: (p) =>
      `PeerAuthentication ${p.policy} makes ${p.workload} ${p.port} ${p.mode}, although ${p.strict} requires mTLS (STRICT) there.`,
    meaning:
      "A namespace-wide or mesh-wide PeerAuthentication is STRICT, and a workload PeerAuthentication (its mode or a portLevelMtls entry) sets PERMISSIVE or DISABLE for some of its workloads' ports.",
    why: 'Such exceptions are sometimes deliberate (a port a health checker or a legacy client calls in plaintext), and often forgotten: the port accepts plaintext from anyone who can reach it, and peer identities are not guaranteed there.',
    fix: 'If the exception is no longer needed, remove it; otherwise keep it as narrow as one port and say why in an annotation.',
  }),
  MB0833: code<{ destinationRule: string; service: string; port: number; targetPort: number }>({
    level: 'error',
    title: 'DestinationRule sends Istio mTLS to a port that disabled it',
    message: (p) =>
      `DestinationRule ${p.destinationRule} makes clients send Istio mTLS to Service ${p.service} port ${p.port}, whose workloads have mTLS turned off on target port ${p.targetPort} (DISABLE).`,
    meaning:
      "The DestinationRule sets tls.mode ISTIO_MUTUAL for that host and port, and the servers' effective PeerAuthentication mode on the target port is DISABLE.",
    why: 'The server proxy passes the TLS handshake to the application as bytes it cannot read: the calls fail.',
    fix: 'Remove the tls block (auto mTLS then sends plaintext to DISABLE ports), or make the port PERMISSIVE.',
  }),
  MB0850: code<{ policy: string; method: string; field: string }>({
    level: 'warning',
    title: 'AuthorizationPolicy method is no HTTP method',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} lists "${p.method}" at ${p.field}, which matches no HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE), even as a prefix or suffix pattern.`,
    meaning:
      'An entry of `to.operation.methods` is neither `*`, nor one of the nine HTTP methods, nor a `prefix*` or `*suffix` pattern that one of them fits (compared ignoring case, as Kiali does, although Envoy compares the method exactly). Kiali reports the same as KIA0102. gRPC method names belong in `paths`; every gRPC call is a POST.',
    why: 'Envoy compares the request method as sent; an entry that fits no method never matches, so an ALLOW rule that relies on it admits nothing and a DENY rule blocks nothing.',
    fix: 'Use an HTTP method, in upper case (`GET`), or a one-sided pattern of one (`P*`); move gRPC service and method names to `paths` (`/package.Service/Method`).',
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: readers, namespace: shop }
spec:
  rules: [{ to: [{ operation: { methods: [FETCH] } }] }]   # no such HTTP method`,
  }),
  MB0851: code<{ policy: string; host: string; field: string; fqdn: string }>({
    level: 'error',
    title: 'AuthorizationPolicy host not in the registry',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} names host "${p.host}" at ${p.field}, but no Service, ServiceEntry or VirtualService provides ${p.fqdn}, and the mesh sends no traffic to unknown hosts (outboundTrafficPolicy REGISTRY_ONLY).`,
    meaning:
      "A `to.operation.hosts` entry written as a bare service name or `<service>.<namespace>` (of a namespace that exists) resolves to an in-cluster host no Service (visible to the policy's namespace), ServiceEntry or VirtualService host covers. Kiali reports the same as KIA0104, as an error when the mesh is REGISTRY_ONLY. Hosts with more dots or wildcards are Host-header patterns and are not checked.",
    why: 'The rule compares the Host header; a request for a host the registry does not know cannot leave a REGISTRY_ONLY mesh, so the rule never matches anything, usually because of a typo or a removed Service.',
    fix: 'Correct the host to a Service that exists (`<service>` or `<service>.<namespace>`), or create the Service or ServiceEntry it should name.',
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: to-cart, namespace: shop }
spec:
  rules: [{ to: [{ operation: { hosts: [carts] } }] }]   # the Service is called cart`,
  }),
  MB0852: code<{ policy: string; host: string; field: string; fqdn: string }>({
    level: 'warning',
    title: 'AuthorizationPolicy host not in the registry',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} names host "${p.host}" at ${p.field}, but no Service, ServiceEntry or VirtualService provides ${p.fqdn}.`,
    meaning:
      "As MB0851, in a mesh whose outboundTrafficPolicy is ALLOW_ANY (Istio's default), where traffic to unregistered hosts may still flow. Kiali reports the same as KIA0104, as a warning in that case.",
    why: 'A rule on a host nothing in the mesh provides is most often a typo or a leftover of a removed Service: it never matches the traffic it was written for.',
    fix: 'Correct the host to a Service that exists (`<service>` or `<service>.<namespace>`), or create the Service or ServiceEntry it should name.',
  }),
  MB0853: code<{ policy: string; principal: string; field: string; trustDomain: string }>({
    level: 'error',
    title: 'AuthorizationPolicy principal has no workload',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} names principal "${p.principal}" at ${p.field}, but no workload in this cluster runs as that service account (trust domain ${p.trustDomain}).`,
    meaning:
      "A `from.source.principals` entry (`<trust domain>/ns/<namespace>/sa/<service account>`, `*` patterns allowed at either end) matches the identity of no pod, Deployment or DaemonSet in the cluster, in the mesh's trust domain or its aliases. Kiali reports the same as KIA0106. Kiali checks workloads' service accounts, not ServiceAccount objects: an account nothing runs as is reported too.",
    why: 'The rule admits (or denies) a caller that does not exist: the intended client, whose identity is spelled differently, gets the opposite of what the policy meant.',
    fix: 'Spell the principal as the client runs: its namespace and `serviceAccountName` (`default` when unset), in the trust domain of meshConfig.trustDomain.',
    example: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: from-frontend, namespace: shop }
spec:
  rules: [{ from: [{ source: { principals: [cluster.local/ns/shop/sa/frontend] } }] }]   # frontend runs as sa/web`,
  }),
  MB0854: code<{ policy: string; principal: string; field: string; trustDomain: string; known: string }>({
    level: 'warning',
    title: 'AuthorizationPolicy principal in an unknown trust domain',
    message: (p) =>
      `AuthorizationPolicy ${p.policy} names principal "${p.principal}" at ${p.field}, in trust domain ${p.trustDomain}, which is neither the mesh's trust domain nor an alias (${p.known}): it cannot be checked here.`,
    meaning:
      'A principal without wildcards names a trust domain other than meshConfig.trustDomain and its trustDomainAliases. Kiali reports the same as KIA0108. It is right for callers of another mesh that federates with this one, and a typo otherwise.',
    why: 'Only identities whose trust domain the mesh knows ever reach the rule as written; a misspelt trust domain matches no caller of this mesh.',
    fix: "If the caller belongs to this mesh, use its trust domain (meshConfig.trustDomain, `cluster.local` by default); if it comes from another mesh, add that mesh's trust domain to meshConfig.trustDomainAliases or accept the warning.",
  }),
  MB0855: code<{ namespace: string; count: number; rootNamespace: string }>({
    level: 'info',
    title: 'Workloads covered by no AuthorizationPolicy',
    message: (p) =>
      `${p.count} workload(s) in namespace ${p.namespace} are selected by no AuthorizationPolicy in the namespace or in the root namespace ${p.rootNamespace}.`,
    meaning:
      'No AuthorizationPolicy applies to the workload: none in its namespace or in the mesh root namespace has a selector matching its pod labels, or no selector at all. Kiali reports the same as KIA1301 (a warning it ignores by default). Policies attached through targetRefs are not counted.',
    why: 'Without any AuthorizationPolicy a workload admits every caller that can reach it; in a mesh that means to be deny-by-default it is the gap.',
    fix: 'Where every workload should be governed, put an allow-nothing policy (`spec: {}`) in the root namespace, so the mesh denies by default, and grant access per workload with ALLOW policies; elsewhere this is for information only.',
  }),
  MB0902: code<{ cluster: string; other: string; configMap: string }>({
    level: 'error',
    title: 'Clusters trust different root certificates',
    message: (p) =>
      `Cluster ${p.cluster} trusts no root certificate that cluster ${p.other} trusts (ConfigMap ${p.configMap}, key root-cert.pem): proxies of the two clusters cannot verify each other, so mTLS between them fails.`,
    meaning:
      "Each namespace's `istio-ca-root-cert` ConfigMap holds the root certificates the proxies of that cluster accept (key `root-cert.pem`). The bundles of these two clusters have no certificate in common, so each cluster's istiod signs workload certificates under a root the other does not trust.",
    why: 'A multi-cluster mesh needs one root of trust: every cross-cluster connection is mutual TLS, and a peer whose chain ends at an unknown root is rejected (the caller sees a TLS handshake failure or a 503 with upstream connect error).',
    fix: 'Plug in certificates from one common root in every cluster (Secret `cacerts` in istio-system with ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem from an intermediate CA per cluster), then restart istiod and the workloads so they get new certificates.',
    example: `# cluster east, ConfigMap istio-system/istio-ca-root-cert
data: { root-cert.pem: "-----BEGIN CERTIFICATE-----\\nMIIB…east…" }
# cluster west: a self-signed istiod root of its own
data: { root-cert.pem: "-----BEGIN CERTIFICATE-----\\nMIIB…west…" }`,
  }),
  MB0903: code<{ cluster: string; other: string }>({
    level: 'warning',
    title: 'Root certificate bundles differ',
    message: (p) =>
      `The root certificates of cluster ${p.cluster} and cluster ${p.other} overlap but are not the same: cross-cluster mTLS works only if the root each istiod signs with is in the other's bundle.`,
    meaning:
      'The two `root-cert.pem` bundles share at least one certificate and differ in others, as during a root rotation or after adding a second root to one cluster only.',
    why: 'Which root signs the workload certificates is not visible in the bundle; if a cluster signs with a root the other does not list, its workloads are rejected there.',
    fix: 'Finish the rotation: give every cluster the same bundle (the old and the new root in each while workloads move over), then drop the old root everywhere.',
  }),
  MB0904: code<{ cluster: string; what: string; reason: string }>({
    level: 'warning',
    title: 'Cannot compare a cluster',
    message: (p) => `Cannot compare ${p.what} of cluster ${p.cluster}: ${p.reason}`,
    meaning:
      'A multi-cluster check needs a fact of this cluster (its root certificate, its cluster name, its network) and the run does not hold it, so the requirement is left undecided for this cluster rather than passed.',
    why: 'A requirement between clusters that cannot be read is not known to hold; treating it as met would hide exactly the failures these checks exist for.',
    fix: 'Read what the message names (a snapshot with that object, or permission to list its kind), or fix the installation if the object is really missing.',
  }),
  MB0905: code<{ cluster: string; trustDomain: string; other: string; otherDomain: string }>({
    level: 'warning',
    title: 'Trust domain of another cluster not accepted',
    message: (p) =>
      `Cluster ${p.cluster} (trust domain ${p.trustDomain}) does not accept trust domain ${p.otherDomain} of cluster ${p.other}: it is neither its trustDomain nor one of its trustDomainAliases.`,
    meaning:
      'meshConfig.trustDomain differs between the clusters, and the cluster named first does not list the other trust domain in meshConfig.trustDomainAliases.',
    why: 'Workload identities carry the trust domain (spiffe://<trust domain>/ns/…/sa/…). Authorization policies and the SAN checks of mTLS compare it, so callers from the other cluster do not match rules written for the local trust domain.',
    fix: "Use one trust domain in every cluster, or add each other cluster's trust domain to meshConfig.trustDomainAliases (ConfigMap istio-system/istio, key mesh) in every cluster.",
  }),
  MB0906: code<{ cluster: string; meshId: string; other: string; otherMeshId: string }>({
    level: 'warning',
    title: 'Clusters have different mesh IDs',
    message: (p) =>
      `Cluster ${p.cluster} has mesh ID ${p.meshId} and cluster ${p.other} has mesh ID ${p.otherMeshId}: the clusters of one mesh must share one mesh ID.`,
    meaning:
      'The mesh ID (meshConfig.defaultConfig.meshId, set from values.global.meshID; the trust domain when unset, which is what the injector gives proxies) differs between two clusters the run treats as one mesh.',
    why: 'Istio labels telemetry and identifies its mesh by this ID; control planes installed with different IDs are separate meshes by configuration, and metrics of one service end up split in two.',
    fix: 'Install every cluster with the same `values.global.meshID` (and restart the workloads so proxies get it).',
  }),
  MB0907: code<{ clusterId: string; cluster: string; other: string }>({
    level: 'error',
    title: 'Two clusters share a cluster name',
    message: (p) =>
      `Cluster ${p.cluster} and cluster ${p.other} both call themselves ${p.clusterId} (istiod's CLUSTER_ID, values.global.multiCluster.clusterName): every cluster of a mesh needs its own name.`,
    meaning:
      'istiod identifies each cluster by its cluster ID: the CLUSTER_ID of its own Deployment (`Kubernetes` when unset) and the data key of each remote secret. Two clusters with one ID look like one cluster to istiod.',
    why: 'istiod skips a remote secret whose ID equals its own and keys endpoints by cluster ID, so a cluster with a duplicate name is not discovered and its endpoints are missing or overwritten.',
    fix: 'Reinstall one of the clusters with its own `values.global.multiCluster.clusterName`, and recreate the remote secrets under the new name (`istioctl create-remote-secret --name=<new name>`).',
  }),
  MB0910: code<{ primary: string; clusterId: string; cluster: string }>({
    level: 'error',
    title: 'Primary cluster has no remote secret for another cluster',
    message: (p) =>
      `istiod in cluster ${p.primary} has no remote secret for cluster ${p.cluster} (cluster ID ${p.clusterId}): it does not discover that cluster's services and endpoints.`,
    meaning:
      'istiod reads the other clusters of its mesh from Secrets in its namespace labelled `istio/multiCluster: "true"`, one kubeconfig per cluster ID. No such Secret in this primary names the other cluster (by the data key, the `networking.istio.io/cluster` annotation or the name `istio-remote-secret-<cluster ID>`).',
    why: 'Without it, proxies managed by this istiod see only local endpoints: calls to a service that runs only in the other cluster fail with 503 (no healthy upstream), and failover across clusters never happens.',
    fix: 'Create it from the other cluster: `istioctl create-remote-secret --context=<other> --name=<its cluster ID> | kubectl apply --context=<primary> -f -`.',
  }),
  MB0911: code<{ secret: string; cluster: string; reason: string }>({
    level: 'warning',
    title: 'Remote secret that istiod does not read',
    message: (p) => `Secret ${p.secret} in cluster ${p.cluster} looks like a remote secret, but istiod does not read it: ${p.reason}.`,
    meaning:
      'istiod watches only Secrets in its own namespace (istio-system) that carry the label `istio/multiCluster: "true"`. This Secret is named or annotated as a remote secret and misses one of those.',
    why: 'The cluster it was created for stays undiscovered, while the Secret suggests it is set up.',
    fix: 'Recreate it as `istioctl create-remote-secret` writes it: in istio-system, labelled `istio/multiCluster=true`.',
  }),
  MB0915: code<{ gateway: string; cluster: string; gatewayNetwork: string; clusterNetwork: string }>({
    level: 'warning',
    title: 'East-west gateway on another network than its cluster',
    message: (p) =>
      `East-west gateway ${p.gateway} in cluster ${p.cluster} serves network ${p.gatewayNetwork}, but the cluster's istio-system namespace says network ${p.clusterNetwork}.`,
    meaning:
      "The gateway's network (its ISTIO_META_REQUESTED_NETWORK_VIEW, or its topology.istio.io/network label) is not the network the cluster's workloads are on (the topology.istio.io/network label of istio-system).",
    why: "Other networks reach this cluster's workloads through the gateway of their network; istiod pairs gateways and endpoints by network name, so a mismatch leaves the cluster's endpoints without a reachable gateway, and remote calls fail.",
    fix: 'Use one network name for the cluster: label istio-system `topology.istio.io/network=<network>` and install the east-west gateway with the same network (gen-eastwest-gateway.sh --network <network>).',
  }),
  MB0916: code<{ pod: string; cluster: string; network: string }>({
    level: 'warning',
    title: 'Pod on a network no gateway serves',
    message: (p) =>
      `Pod ${p.pod} in cluster ${p.cluster} is labelled network ${p.network}, which is not its cluster's network and which no east-west gateway of this run serves.`,
    meaning:
      "The pod's topology.istio.io/network label overrides the cluster's network for its endpoints, and no gateway exists for that network.",
    why: "Callers on other networks are sent to the gateway of the endpoint's network; with none, the endpoint is unreachable from them.",
    fix: "Remove the label (the pod then takes its cluster's network), or deploy an east-west gateway for that network.",
  }),
  MB0917: code<{ cluster: string; labelled: string }>({
    level: 'warning',
    title: 'Cluster without a network while others have one',
    message: (p) =>
      `Cluster ${p.cluster} does not label istio-system with topology.istio.io/network, while ${p.labelled} do: its endpoints are on the unnamed network.`,
    meaning: 'Some clusters of the mesh name their network and this one does not.',
    why: 'istiod treats endpoints on different networks as not directly reachable; an unnamed network is a network of its own, without a gateway, so traffic between it and the others is either sent directly where it cannot go or not at all.',
    fix: 'Label istio-system in this cluster `topology.istio.io/network=<network>` (the same name as the clusters it shares a flat network with).',
  }),
  MB0918: code<{ service: string; cluster: string }>({
    level: 'warning',
    title: 'East-west gateway Service without a network label',
    message: (p) =>
      `East-west gateway Service ${p.service} in cluster ${p.cluster} has no topology.istio.io/network label, so istiod does not use it as the gateway of any network (unless meshNetworks names it).`,
    meaning:
      "istiod finds the gateway of a network from a Service labelled topology.istio.io/network that listens on the gateway port (15443, or 15008 for ambient), or from meshNetworks `registryServiceName`. This gateway's Service has neither label nor, as far as this check reads, another way to be found.",
    why: "Endpoints of this cluster's network then have no gateway, and callers on other networks are not sent anywhere.",
    fix: "Label the Service `topology.istio.io/network=<network>` (gen-eastwest-gateway.sh does it through the gateway's labels).",
  }),
  MB0920: code<{ cluster: string; network: string }>({
    level: 'error',
    title: 'Network without an east-west gateway',
    message: (p) =>
      `Cluster ${p.cluster} is on network ${p.network}, other clusters of the mesh are not, and no east-west gateway serves ${p.network}: the other networks cannot reach its workloads.`,
    meaning:
      "In a multi-network mesh, traffic between networks goes through an east-west gateway of the destination's network (port 15443). This network has none in any cluster of the run.",
    why: 'istiod does not send proxies to endpoints of a network without a gateway, so services that run only there are unreachable from the other networks.',
    fix: 'Install an east-west gateway in this cluster (`samples/multicluster/gen-eastwest-gateway.sh --network <network> | istioctl install -y -f -`) and expose services through it (`samples/multicluster/expose-services.yaml`).',
  }),
  MB0921: code<{ service: string; cluster: string; type: string }>({
    level: 'error',
    title: 'East-west gateway without an external address',
    message: (p) =>
      `East-west gateway Service ${p.service} in cluster ${p.cluster} (type ${p.type}) has no external address yet, so the other networks have nothing to connect to.`,
    meaning:
      'The Service has no `status.loadBalancer.ingress` address and no `spec.externalIPs`: the load balancer is pending, or the Service is not of a type that gets one.',
    why: "istiod advertises the gateway's external address to the other networks as the way into this one; without it, cross-network endpoints are dropped and calls fail.",
    fix: 'Find out why the load balancer is pending (`kubectl describe service`: quota, subnet, controller), or give the Service an address the other clusters reach (spec.externalIPs, or meshNetworks gateways.address).',
  }),
  MB0922: code<{ service: string; cluster: string; port: number; purpose: string }>({
    level: 'error',
    title: 'East-west gateway Service lacks a port',
    message: (p) => `East-west gateway Service ${p.service} in cluster ${p.cluster} does not expose port ${p.port}, which ${p.purpose}.`,
    meaning:
      "The ports the gateway must accept from other clusters: 15443 (mTLS to workloads, AUTO_PASSTHROUGH; another port if the Service carries networking.istio.io/gatewayPort), 15012 and 15017 when remote clusters reach this cluster's istiod through it.",
    why: 'A port the Service does not list is not forwarded by the load balancer: the connections of the other clusters time out.',
    fix: 'Add the port to the Service (as samples/multicluster/gen-eastwest-gateway.sh lists them: status-port 15021, tls 15443, tls-istiod 15012, tls-webhook 15017).',
  }),
  MB0923: code<{ gateway: string; cluster: string; port: number; detail: string }>({
    level: 'error',
    title: 'No cross-network Gateway on the east-west gateway',
    message: (p) =>
      `No Gateway on east-west gateway ${p.gateway} in cluster ${p.cluster} passes *.local through on port ${p.port} with tls.mode AUTO_PASSTHROUGH (${p.detail}).`,
    meaning:
      "The east-west gateway's pods forward cross-network mTLS only for a Gateway server on the gateway port (15443) with `tls.mode: AUTO_PASSTHROUGH` whose hosts cover `*.local` (the `cross-network-gateway` of samples/multicluster/expose-services.yaml).",
    why: "Without that server the gateway has no listener for the other networks' traffic, and calls from them are reset.",
    fix: 'Apply samples/multicluster/expose-services.yaml in istio-system: a Gateway selecting `istio: eastwestgateway` with a TLS server on 15443, mode AUTO_PASSTHROUGH, hosts `*.local`.',
  }),
  MB0924: code<{ policy: string; gateway: string; cluster: string; ports: string }>({
    level: 'error',
    title: 'NetworkPolicy blocks traffic into the east-west gateway',
    message: (p) =>
      `NetworkPolicy ${p.policy} in cluster ${p.cluster} isolates the pods of east-west gateway ${p.gateway} and admits no traffic from outside the cluster on ${p.ports}.`,
    meaning:
      'The gateway pods are selected for ingress by NetworkPolicies, and no rule admits a source outside the pod network (any ipBlock, or a rule without `from`) on the ports other clusters use.',
    why: 'Cross-network and remote control-plane traffic arrives from outside the cluster; dropped at the gateway pod, it never reaches the workloads or istiod.',
    fix: "Add an ingress rule admitting the other clusters' addresses (an ipBlock) on the gateway ports to one of the policies.",
  }),
  MB0925: code<{ policy: string; gateway: string; cluster: string; destinations: string }>({
    level: 'error',
    title: "NetworkPolicy blocks the east-west gateway's own traffic",
    message: (p) =>
      `NetworkPolicy ${p.policy} in cluster ${p.cluster} keeps east-west gateway ${p.gateway} from reaching ${p.destinations}.`,
    meaning:
      "An egress policy on the gateway pods admits neither istiod (15012, for the gateway's own configuration and, when exposed, the remote proxies' xDS) nor some mesh workloads on their Service ports.",
    why: 'The gateway opens a new connection to the workload (or istiod) for each cross-network one; a blocked egress turns into resets for the callers in the other clusters.',
    fix: 'Append an egress rule to the policy for the destinations listed (the remediation names one).',
  }),
  MB0926: code<{ policy: string; gateway: string; cluster: string; workloads: string }>({
    level: 'warning',
    title: 'Workload ingress policy blocks the east-west gateway',
    message: (p) =>
      `NetworkPolicy ${p.policy} in cluster ${p.cluster} does not admit east-west gateway ${p.gateway}, so callers from other networks cannot reach ${p.workloads}.`,
    meaning:
      "Traffic from another network reaches a workload from the east-west gateway's pods. This policy isolates the workload for ingress and no rule admits the gateway on the workload's Service ports.",
    why: 'Local callers work, so the failure shows only for cross-network calls (connection timeouts from the other clusters).',
    fix: "Admit the gateway pods (namespaceSelector istio-system plus the gateway's pod labels) on the Service ports in the policy.",
  }),
  MB0930: code<{ cluster: string }>({
    level: 'error',
    title: 'Remote cluster names no control plane cluster',
    message: (p) =>
      `Cluster ${p.cluster} runs no istiod, and its istio-system namespace has no topology.istio.io/controlPlaneClusters annotation: no primary takes charge of it.`,
    meaning:
      'A remote cluster (one without istiod) says which primaries manage it through this annotation on its istio-system namespace: a comma-separated list of cluster IDs, or `*`.',
    why: 'istiod of a primary leads a remote cluster (writes its webhook and CA bundle configuration) only if that annotation names it; without it, the remote is discovered but not configured.',
    fix: '`kubectl --context=<remote> annotate namespace istio-system topology.istio.io/controlPlaneClusters=<primary cluster ID>`.',
  }),
  MB0931: code<{ cluster: string; named: string; known: string }>({
    level: 'warning',
    title: 'Remote cluster names an unknown control plane cluster',
    message: (p) =>
      `Cluster ${p.cluster} names control plane cluster(s) ${p.named} in topology.istio.io/controlPlaneClusters, but no primary of this run has that cluster ID (primaries: ${p.known}).`,
    meaning: 'The annotation lists cluster IDs; none of them is the CLUSTER_ID of an istiod in the clusters read.',
    why: 'A name that matches no istiod is as good as no annotation: no primary leads the remote.',
    fix: 'Set the annotation to the cluster ID of the primary (its istiod CLUSTER_ID), or include that primary in the run if it was left out.',
  }),
  MB0932: code<{ policy: string; cluster: string; address: string; port: number }>({
    level: 'error',
    title: "Remote proxies cannot reach the primary's istiod",
    message: (p) =>
      `NetworkPolicy ${p.policy} in cluster ${p.cluster} keeps proxies from reaching the primary's istiod at ${p.address}:${p.port} (through the east-west gateway).`,
    meaning:
      "In a remote cluster the istiod Service points at the primary's east-west gateway. Egress policies on meshed pods must admit that address on 15012 (xDS and certificates).",
    why: 'Proxies that cannot reach istiod never get configuration or certificates: new pods do not become ready.',
    fix: 'Append an egress rule admitting the address (an ipBlock of one address) on TCP 15012 to the policy.',
  }),
  MB0933: code<{ cluster: string; address: string; known: string }>({
    level: 'warning',
    title: 'Remote cluster points at an address no primary gateway has',
    message: (p) =>
      `The istiod Service of remote cluster ${p.cluster} points at ${p.address}, which is not the external address of an east-west gateway of any primary in this run (${p.known}).`,
    meaning:
      "The remote's istio-system/istiod Service (no selector) lists the primary's address in its EndpointSlice (values.global.remotePilotAddress). It matches no primary gateway's load balancer address.",
    why: "After a load balancer is recreated its address changes; the remote's proxies keep dialing the old one and lose istiod.",
    fix: "Reinstall the remote with `values.global.remotePilotAddress` set to the primary east-west gateway's current address, or give the gateway a static address.",
  }),
} as const satisfies Record<string, CodeDef<never>>;

export type CodeId = keyof typeof CODES;

export type ParamsOf<C extends CodeId> = (typeof CODES)[C] extends CodeDef<infer P> ? P : never;

/** The reference page of a code, relative to the site root. */
export function codeDocsPath(id: string): string {
  return `/reference/codes/${id.toLowerCase()}/`;
}

/** Every registered code, in code order. */
export function listCodes(): { id: CodeId; def: CodeDef }[] {
  return (Object.keys(CODES) as CodeId[]).sort().map((id) => ({ id, def: CODES[id] as unknown as CodeDef }));
}
