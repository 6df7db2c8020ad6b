// The one registry of finding codes. Kept in code order (plain string order, so IST
// codes come before MB codes; test/meta.test.ts enforces it); a retired code is commented
// out, never reused. IST codes mean exactly what `istioctl analyze` means by them
// (same level, same message shape), so users can look them up on istio.io too; MB codes
// are Meshbook's own, grouped in ranges:
//   MB00xx engine           MB01xx control plane      MB02xx R1 service discovery
//   MB03xx R2 API server    MB04xx R3 L3 reachability MB05xx R4 firewall vs L3-7 rules
//   MB06xx R5 control ports     MB07xx ambient mode
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
  IST0171: code<{ conditionType: string; reason: string; message: string }>({
    level: 'warning',
    title: 'Negative status condition',
    message: (p) => `A condition with a negative status is present: type=${p.conditionType}, reason=${p.reason}, message=${p.message}.`,
    meaning:
      "A status condition that istiod or a Gateway API controller wrote says something did not work: `istio.io/WaypointBound` False on a Service or ServiceEntry, `ZtunnelAccepted` or `WaypointAccepted` False (or WaypointAccepted with reason PartiallyInvalid) on an AuthorizationPolicy, `Accepted`, `Programmed` or `ResolvedRefs` False on a Gateway API Gateway or on a route's parent.",
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
  MB0708: code<{ deployment: string; version: string }>({
    level: 'info',
    title: 'Ambient mode does not apply to this control plane',
    message: (p) =>
      `Control plane ${p.deployment} runs Istio ${p.version}, older than 1.22, where ambient mode became beta: the ambient checks do not apply.`,
    meaning:
      'The istiod (or Istio 1.0-era Pilot) version is older than 1.22. Ambient mode was experimental from 1.18 and alpha in 1.21 with different mechanics, beta in 1.22 and generally available in 1.24; before 1.18 it did not exist.',
    why: "Judging an older mesh by ambient's rules would report problems it cannot have; the check says so instead of passing silently.",
    fix: 'Nothing to fix. To use ambient mode, upgrade the control plane to 1.24 or later (where ambient is generally available) and install ztunnel and istio-cni.',
  }),
  MB0709: code<{ what: string }>({
    level: 'info',
    title: 'No ambient workloads: nothing to check',
    message: (p) => `Nothing to check: ${p.what}.`,
    meaning:
      'No namespace carries istio.io/dataplane-mode=ambient, no pod enrols itself with that label, and no pod carries the redirection annotation istio-cni writes.',
    why: 'A mesh that does not use ambient mode has no ambient requirement to meet; saying so keeps a pass from reading as "ambient is healthy".',
    fix: 'Nothing to fix. To add a namespace to the ambient mesh: `kubectl label namespace <ns> istio.io/dataplane-mode=ambient`.',
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
