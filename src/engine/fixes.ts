// Named fix templates: the remediation text of a finding, kept next to the code registry
// (src/engine/codes.ts) instead of inside check bodies. A check picks a template by name and
// hands it typed params: `ctx.report(code, resource, params, { evidence, fix: 'name', fixParams })`.
// The runner renders it into `finding.remediation`; a finding without a fix gets the code's
// general `fix`. Where a check would branch on the situation, it chooses between templates.
// Keyed by code, in code order; names are kebab-case and unique within a code
// (test/meta.test.ts checks that every template is used and every name exists).

import type { CodeId } from './codes.ts';

export type FixParams = Record<string, string | number | boolean>;

/** One template: the remediation sentence(s) from its params. Plain text (Markdown code spans allowed). */
export type FixTemplate<P extends FixParams = FixParams> = (p: P) => string;

type NoParams = Record<never, never>;

// Declares a template with the type of its params; the identity function keeps inference.
function fix<P extends FixParams>(render: FixTemplate<P>): FixTemplate<P> {
  return render;
}

// Declares a template without params.
function text(sentence: string): FixTemplate<NoParams> {
  return () => sentence;
}

// The second step after any sidecar re-injection: ask the injector why, if it still did not inject.
const checkInject = (namespace: string): string =>
  ` If the new pod still has no istio-proxy, ask why: \`istioctl x check-inject -n ${namespace} <new pod>\` (webhook selectors, the injector's neverInjectSelector, or istiod being unreachable).`;

// A policy that selects Gateway API gateway pods should name the Gateway instead.
const targetGateway = (kind: string, gateway: string): string =>
  `Attach the ${kind} to the Gateway instead of its pods: remove spec.selector and set \`targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: ${gateway} }]\``;

// The path an admission webhook call takes, and the command that takes it too.
type WebhookPath = { port: number; namespace: string; service: string; portName: string };
const webhookPathNote = (p: WebhookPath): string =>
  ` On private clusters (GKE) the cloud firewall between the control plane and the nodes must open ${p.port} too. Live, \`kubectl get --raw /api/v1/namespaces/${p.namespace}/services/https:${p.service}:${p.portName}/proxy/httpsReady\` takes the same path.`;

// Widening discoverySelectors to one namespace by name (works whatever its labels).
type SelectorFix = { namespace: string; configMap: string; istiod: string };
const selectorFix = (p: SelectorFix): string =>
  `add \`- matchLabels: {kubernetes.io/metadata.name: ${p.namespace}}\` to discoverySelectors in ConfigMap ${p.configMap} (key mesh), then restart ${p.istiod} if your version does not reload meshConfig`;

// Granting istiod a missing permission: a rule (JSON) patched into its ClusterRole, or a new role and binding.
const patchRole = (role: string, rule: string): string =>
  `\`kubectl patch clusterrole ${role} --type=json -p '[{"op":"add","path":"/rules/-","value":${rule}}]'\``;
type DiscoveryRole = { name: string; namespace: string; verbs: string; resource: string };
const createRole = (p: DiscoveryRole): string =>
  `\`kubectl create clusterrole ${p.name}-discovery --verb=${p.verbs} --resource=${p.resource}\` and \`kubectl create clusterrolebinding ${p.name}-discovery --clusterrole=${p.name}-discovery --serviceaccount=${p.namespace}:${p.name}\``;

// The other way to settle a blocked mesh call: keep the block and tell the mesh about it.
const SEGMENTATION =
  " If the segmentation is intended, make the mesh agree with it: limit what those proxies route to (a Sidecar resource's egress hosts, or the Service's networking.istio.io/exportTo annotation), so a blocked call fails fast instead of timing out.";

// A route that works for some clients only: allow the rest, or push the route only where it works.
const allowInListed = (direction: string): string => `allow them in one of the ${direction} policies listed`;
type ExportTo = { virtualService: string; exportTo: string };
const exportToRoute = (p: ExportTo): string =>
  `If not, say so in the mesh too: set exportTo on VirtualService ${p.virtualService} to ${p.exportTo} so the route is only pushed where it can work.`;

// A DestinationRule's TLS settings that do not verify the server: the same fix at either level.
type CaFix = { where: string; host: string };
const setCaCertificates = (p: CaFix): string =>
  `Set ${p.where}.caCertificates to the CA bundle that signs ${p.host}'s certificate (or use a credentialName whose Secret holds ca.crt, with a workloadSelector), and set sni / subjectAltNames so the name is checked too.`;

// A DestinationRule's TLS mode set by JSON patch, at the field the finding names.
type PatchTls = { name: string; namespace: string; path: string };
const patchTls = (p: PatchTls, mode: string): string =>
  `\`kubectl patch destinationrule ${p.name} -n ${p.namespace} --type=json -p '[{"op":"replace","path":"${p.path}","value":"${mode}"}]'\``;

export const FIXES = {
  IST0002: {
    'migrate-lightstep': fix<{ provider: string }>(
      (p) =>
        `Define an opentelemetry extension provider in meshConfig that exports to your tracing backend, point the Telemetry's tracing at it instead of ${p.provider}, then remove ${p.provider}.`,
    ),
  },
  IST0101: {
    'gateway-without-servers': fix<{ gateway: string; selector: string }>(
      (p) =>
        `Gateway ${p.gateway} has no servers and no other Gateway serves pods with selector ${p.selector}: add servers to it, or delete it if it is left over.`,
    ),
    'gateway-selector-matches-nothing': text(
      "Label the gateway deployment's pods to match spec.selector, or change the selector to the labels of the gateway pods (usually istio: ingressgateway).",
    ),
    'tls-gateway-selector-matches-nothing': text(
      "Label the gateway deployment's pods to match spec.selector, or change the selector to the labels of the gateway pods (usually istio: ingressgateway). Until a pod matches, no namespace holds this Gateway's certificates.",
    ),
    'secret-in-other-namespace': fix<{ secret: string; foundIn: string; podNamespace: string; namespace: string }>(
      (p) =>
        `Secret ${p.secret} exists in ${p.foundIn}, but the gateway pods run in ${p.podNamespace} and read Secrets only there: create it in ${p.namespace} (kubectl create -n ${p.namespace} secret tls ${p.secret} --cert=… --key=…).`,
    ),
    'create-secret': fix<{ namespace: string; secret: string }>(
      (p) =>
        `Create the Secret in the gateway pods' namespace: kubectl create -n ${p.namespace} secret tls ${p.secret} --cert=… --key=…, or point credentialName at an existing TLS Secret there.`,
    ),
    'gateway-api-gateway': fix<{ gateway: string }>(
      (p) =>
        `${p.gateway} is a Gateway API Gateway (gateway.networking.k8s.io), and VirtualServices bind only to Istio Gateways (networking.istio.io). Route to it with an HTTPRoute whose parentRefs name ${p.gateway}, or create an Istio Gateway.`,
    ),
    'create-gateway': fix<{ gateway: string; namespace: string }>(
      (p) =>
        `Create Gateway ${p.gateway}, or correct the reference: a bare name means a Gateway in the VirtualService's namespace (${p.namespace}); write <namespace>/<name> for one elsewhere.`,
    ),
    'sidecar-selector-matches-nothing': fix<{ namespace: string; selector: string }>(
      (p) =>
        `No pod in namespace ${p.namespace} has all of ${p.selector} (a Sidecar only selects pods in its own namespace). Fix the labels to those of the workload (\`kubectl -n ${p.namespace} get pods --show-labels\`), or delete the Sidecar if the workload is gone.`,
    ),
    'telemetry-selector-matches-nothing': fix<{ namespace: string; selector: string }>(
      (p) =>
        `No pod in namespace ${p.namespace} has all of ${p.selector} (a Telemetry selects only pods in its own namespace). Use the labels of the workload (\`kubectl -n ${p.namespace} get pods --show-labels\`), or delete the Telemetry if the workload is gone.`,
    ),
    'destination-host-not-visible': fix<{ host: string; namespace: string }>(
      (p) =>
        `No Service or ServiceEntry named ${p.host} is visible from namespace ${p.namespace}. Create a ServiceEntry for it, or fix the host; a Service in another namespace is written <name>.<namespace>.svc.cluster.local, and its networking.istio.io/exportTo annotation must include ${p.namespace}.`,
    ),
    'destination-short-name': fix<{ host: string; fqdn: string; namespace: string }>(
      (p) =>
        `The short name ${p.host} means ${p.fqdn}: there is no Service ${p.host} in namespace ${p.namespace}. If the Service lives elsewhere, write its FQDN (${p.host}.<namespace>.svc.cluster.local); otherwise create it.`,
    ),
    'no-such-port': fix<{ destination: string; port: number; ports: string }>(
      (p) => `${p.destination} has no port ${p.port}. Route to one of its ports (${p.ports}), or add port ${p.port} to it.`,
    ),
    'add-subset': fix<{ subset: string; host: string; defined: string }>(
      (p) => `Add subset ${p.subset} (with the labels of its pods) to the DestinationRule for ${p.host}, or route to one of ${p.defined}.`,
    ),
    'create-destinationrule': fix<{ host: string; subset: string; namespace: string; fqdn: string }>(
      (p) =>
        `Create a DestinationRule for ${p.host} that defines subset ${p.subset}. Its host must name the same Service: in namespace ${p.namespace} write "${p.host}", from another namespace write ${p.fqdn}.`,
    ),
    'policy-namespace-not-found': fix<{ pattern: string; field: string }>(
      (p) =>
        `No namespace matches "${p.pattern}" (${p.field}). Correct the name or pattern (a single \`*\` at the start or end is allowed), or create the namespace if its workloads are still to come.`,
    ),
  },
  IST0102: {
    'label-namespace': fix<{ namespace: string }>(
      (p) =>
        `If ${p.namespace} belongs in the mesh: \`kubectl label namespace ${p.namespace} istio-injection=enabled\`, then \`kubectl -n ${p.namespace} rollout restart deployment\` so existing pods get their sidecar. If it does not: \`kubectl label namespace ${p.namespace} istio-injection=disabled\` to record that decision.`,
    ),
  },
  IST0103: {
    'restart-deployment': fix<{ namespace: string; deployment: string }>(
      (p) =>
        `Recreate it through the webhook: \`kubectl -n ${p.namespace} rollout restart deployment/${p.deployment}\`.` +
        checkInject(p.namespace),
    ),
    'recreate-pod': fix<{ namespace: string; pod: string }>(
      (p) =>
        `Delete the pod so its controller recreates it through the webhook (\`kubectl -n ${p.namespace} delete pod ${p.pod}\`), or re-apply it if it has no controller.` +
        checkInject(p.namespace),
    ),
  },
  IST0109: {
    'merge-virtualservices': fix<{ virtualServices: string; host: string }>(
      (p) =>
        `Merge the routes of ${p.virtualServices} for ${p.host} into one VirtualService (order the http rules from most to least specific), or give them exportTo scopes that do not overlap.`,
    ),
  },
  IST0110: {
    'disjoint-selectors': fix<{ pod: string; sidecars: string }>(
      (p) =>
        `Pod ${p.pod} is selected by ${p.sidecars}. Make the workload selectors disjoint (add a distinguishing label such as version), or merge these Sidecars into one.`,
    ),
  },
  IST0111: {
    'one-default-sidecar': fix<{ namespace: string; sidecars: string }>(
      (p) =>
        `Namespace ${p.namespace} can have one default Sidecar. Keep one of ${p.sidecars} without a workloadSelector and either merge the others into it or give them selectors.`,
    ),
  },
  IST0112: {
    'name-the-port': fix<{ ports: string; path: string }>(
      (p) => `Add port: { number: <one of ${p.ports}> } to ${p.path}; with several ports istiod cannot tell which one the route is for.`,
    ),
  },
  IST0116: {
    'one-protocol-per-port': fix<{ port: number; deployment: string }>(
      (p) =>
        `Decide which protocol port ${p.port} of ${p.deployment}'s pods speaks and declare it the same way (protocol, and a matching port name or appProtocol) in every Service that selects them, or move one of them to another port.`,
    ),
  },
  IST0118: {
    'unknown-app-protocol': fix<{ appProtocol: string; port: number }>(
      (p) =>
        `appProtocol ${JSON.stringify(p.appProtocol)} on port ${p.port} overrides the port name and names no protocol Istio knows. Set it to one that does (http, http2, grpc, https, tls, tcp, …) or remove it.`,
    ),
    'declare-protocol': fix<{ port: number; suffix: string }>(
      (p) =>
        `Declare the protocol of port ${p.port}: set appProtocol (http, http2, grpc, https, tls, tcp, …), or name the port "<protocol>[-<suffix>]", such as "http-${p.suffix}" or "tcp-${p.suffix}". Until then Istio sniffs each connection, which delays server-first protocols and can misclassify traffic.`,
    ),
  },
  IST0123: {
    'sidecars-or-ambient': fix<{ namespace: string }>(
      (p) =>
        `Decide between sidecars and ambient: \`kubectl label namespace ${p.namespace} istio.io/dataplane-mode-\` to keep sidecars, or remove istio-injection and istio.io/rev to use ambient; then restart the workloads.`,
    ),
    'injection-or-revision': fix<{ namespace: string; revision: string }>(
      (p) =>
        `Keep one label: \`kubectl label namespace ${p.namespace} istio.io/rev-\` to stay on the default revision, or \`kubectl label namespace ${p.namespace} istio-injection-\` to follow revision ${p.revision}; then \`kubectl -n ${p.namespace} rollout restart deployment\`.`,
    ),
  },
  IST0127: {
    'policy-selector-matches-nothing': fix<{ selector: string; where: string }>(
      (p) =>
        `No meshed pod ${p.where} has all of ${p.selector}. Set spec.selector.matchLabels to the labels of the workload's pods (\`kubectl get pods -A --show-labels\`), or delete the policy if the workload is gone.`,
    ),
    'namespace-without-meshed-pods': fix<{ namespace: string }>(
      (p) =>
        `Namespace ${p.namespace} has no pod with a sidecar, sidecar injection or ambient redirection, so a namespace-wide policy there governs nothing. Enrol the namespace in the mesh (\`istio-injection=enabled\` or \`istio.io/dataplane-mode=ambient\`), or move the policy to where its workloads run.`,
    ),
  },
  IST0128: {
    'set-ca-certificates': fix<CaFix>((p) => setCaCertificates(p)),
  },
  IST0129: {
    'set-ca-certificates': fix<CaFix>((p) => setCaCertificates(p)),
  },
  IST0132: {
    'create-gateway-for-hosts': fix<{ gateway: string }>(
      (p) =>
        `Create Gateway ${p.gateway} with a server for one of the VirtualService's hosts, or bind the VirtualService to an existing Gateway.`,
    ),
    'add-host-to-gateway': fix<{ gateway: string; namespace: string }>(
      (p) =>
        `Add one of the VirtualService's hosts to a server of Gateway ${p.gateway} (a host written ns/host must name ${p.namespace} or *), or change the VirtualService's hosts to one the Gateway serves.`,
    ),
  },
  IST0134: {
    'give-addresses': fix<{ serviceEntry: string }>(
      (p) =>
        `Give ${p.serviceEntry} spec.addresses (the service's VIP or CIDR); or, if the traffic is HTTP or TLS with SNI, declare that protocol on the port; or turn on DNS capture with auto-allocation in meshConfig (defaultConfig.proxyMetadata ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE set to "true").`,
    ),
  },
  IST0137: {
    'one-port-per-target': fix<{ targetPort: string; deployment: string; example: number }>(
      (p) =>
        `Expose targetPort ${p.targetPort} under one port number in every Service that selects ${p.deployment}'s pods (for example ${p.example} everywhere), or point the Services at different container ports.`,
    ),
  },
  IST0138: {
    'separate-certificates': fix<{ gateway: string; otherGateway: string }>(
      (p) =>
        `Give ${p.gateway} and ${p.otherGateway} separate certificates (one per Gateway, each covering only its own hosts), or merge the two Gateways' servers into one Gateway so one connection serves all the hosts.`,
    ),
  },
  IST0139: {
    'overlapping-webhooks': text(
      'Keep one injection webhook per revision and make their namespace and object selectors disjoint: usually a stale istio-sidecar-injector from an older install or revision is left behind; delete it (or `istioctl tag remove` a stale tag).',
    ),
    'missing-injector-service': fix<{ service: string }>(
      (p) =>
        `Point the webhook at the istiod Service of its revision (kubectl get svc -n istio-system -l app=istiod), or reinstall that revision so Service ${p.service} exists again; a webhook left over from an uninstalled revision should be deleted.`,
    ),
  },
  IST0140: {
    'name-the-subset': fix<{ gateways: string; host: string; subsetVirtualService: string }>(
      (p) =>
        `Requests through ${p.gateways} go to ${p.host} directly and skip the subsets ${p.subsetVirtualService} defines. Name the subset in this route too, or bind ${p.subsetVirtualService} to the gateway as well.`,
    ),
  },
  IST0145: {
    'one-gateway-per-host': fix<{ hosts: string; port: string }>(
      (p) =>
        `Serve ${p.hosts} on port ${p.port} from one Gateway only: merge the servers into one Gateway, or move one of them to another port or to gateway pods with a different selector.`,
    ),
  },
  IST0148: {
    'label-explicitly': fix<{ namespace: string }>(
      (p) =>
        `Nothing, if ${p.namespace} belongs in the mesh: label it \`istio-injection=enabled\` to make that explicit. If it does not, \`kubectl label namespace ${p.namespace} istio-injection=disabled\` and restart its workloads.`,
    ),
  },
  IST0150: {
    'external-tcp-port': fix<{ port: number; service: string }>(
      (p) =>
        `Port ${p.port} of ExternalName Service ${p.service} is named "tcp". If the traffic is TLS or HTTP, name the port "tls-…", "https-…" or "http-…"; for plain TCP to an external host, use a ServiceEntry with resolution: DNS instead of an ExternalName Service.`,
    ),
    'name-external-port': fix<{ port: number; service: string; externalName: string }>(
      (p) =>
        `Name port ${p.port} of ExternalName Service ${p.service} after its protocol ("https-…", "tls-…", "http-…"), or describe ${p.externalName} with a ServiceEntry (resolution: DNS).`,
    ),
  },
  IST0158: {
    'repair-injector-configmap': fix<{ configMap: string }>(
      (p) =>
        `The injector ConfigMap ${p.configMap} has no readable values.global proxy image, so no pod can match it: repair the ConfigMap (reinstall or upgrade the revision with istioctl or Helm), then restart the workloads.`,
    ),
    'restart-workloads': fix<{ image: string; namespace: string }>(
      (p) =>
        `Restart the workloads so the injector gives them ${p.image}: \`kubectl -n ${p.namespace} rollout restart deployment\` (and statefulsets or daemonsets that own these pods). Check afterwards with \`istioctl proxy-status\`.`,
    ),
  },
  IST0159: {
    'disjoint-telemetry-selectors': fix<{ pod: string; telemetries: string }>(
      (p) =>
        `Pod ${p.pod} is selected by ${p.telemetries}. Make the selectors disjoint (add a distinguishing label such as version), or merge these Telemetries into one.`,
    ),
  },
  IST0160: {
    'one-default-telemetry': fix<{ namespace: string; telemetries: string }>(
      (p) =>
        `Namespace ${p.namespace} can have one Telemetry without a selector. Keep one of ${p.telemetries} as the namespace default and merge the others into it or give them selectors.`,
    ),
  },
  IST0161: {
    'replace-certificate': fix<{ namespace: string; secret: string; problem: string }>(
      (p) =>
        `Secret ${p.namespace}/${p.secret} cannot serve TLS: ${p.problem}. Replace it with a current certificate and its key: kubectl create -n ${p.namespace} secret tls ${p.secret} --cert=… --key=… --dry-run=client -o yaml | kubectl apply -f -.`,
    ),
  },
  IST0162: {
    'expose-port': fix<{ port: number; selector: string }>(
      (p) =>
        `Add port ${p.port} to the Service that selects the gateway pods (${p.selector}), or move this server to a port the Service already exposes.`,
    ),
  },
  IST0165: {
    'use-httproute': fix<{ owner: string }>(
      (p) =>
        `Do not bind VirtualServices to the Istio Gateway generated for a Gateway API Gateway: its name changes with the listeners. Attach an HTTPRoute (parentRefs: ${p.owner}) to the Gateway API Gateway instead.`,
    ),
  },
  IST0166: {
    'target-gateway': fix<{ kind: string; gateway: string }>((p) => targetGateway(p.kind, p.gateway) + '.'),
    'target-gateway-or-namespace': fix<{ kind: string; gateway: string }>(
      (p) => targetGateway(p.kind, p.gateway) + ' (or, if it was meant for the whole namespace, keep it without any selector).',
    ),
  },
  IST0167: {
    'use-waypoint': text(
      'Ambient workloads have no sidecar proxy, so a Sidecar resource does nothing for them. Delete it, or express the intent with a waypoint proxy and its policies.',
    ),
  },
  IST0173: {
    'no-pods-at-all': fix<{ subset: string }>(
      (p) =>
        `Subset ${p.subset} has no labels, so it would select any pod, but there are no pods at all (outside kube-system and the other namespaces istioctl skips). Deploy the workload before routing to it.`,
    ),
    'no-pod-has-labels': fix<{ selector: string }>(
      (p) =>
        `No pod anywhere has all of ${p.selector}. Compare with \`kubectl get pods -A -l '${p.selector}' --show-labels\`: fix the subset's labels, or deploy the version it names before routing traffic to it.`,
    ),
  },
  IST0174: {
    'host-not-visible': fix<{ host: string; namespace: string }>(
      (p) =>
        `No Service or ServiceEntry named ${p.host} is visible from namespace ${p.namespace}. Fix the host (a Service elsewhere is <name>.<namespace>.svc.cluster.local), check the Service's networking.istio.io/exportTo annotation, or create a ServiceEntry for it.`,
    ),
    'short-name': fix<{ host: string; fqdn: string }>(
      (p) =>
        `The short name ${p.host} means ${p.fqdn}, and there is no such Service. If the Service lives in another namespace, write its FQDN (${p.host}.<namespace>.svc.cluster.local).`,
    ),
  },
  IST0176: {
    'upgrade-crds': fix<{ version: string; crd: string }>(
      (p) =>
        `Upgrade the Gateway API CRDs to release v${p.version} or later, from the same channel they were installed from: ` +
        `\`kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v${p.version}/standard-install.yaml\` ` +
        `(experimental-install.yaml if you use the experimental channel), ` +
        `then check \`kubectl get crd ${p.crd} -o jsonpath='{.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version}'\`.`,
    ),
  },
  IST0177: {
    'one-protocol': fix<{ host: string; port: number; serviceEntries: string }>(
      (p) =>
        `Declare one protocol for ${p.host}:${p.port} in every ServiceEntry that lists it (${p.serviceEntries}), or merge them into one ServiceEntry.`,
    ),
  },
  MB0101: {
    'run-limited-to-namespace': fix<{ namespace: string }>(
      (p) =>
        `This run only read namespace ${p.namespace}. Run again without a namespace limit, or limited to the namespace istiod runs in (usually istio-system).`,
    ),
    'install-istio': text(
      'Install Istio (`istioctl install`, or the istio-base and istiod Helm charts), or point Meshbook at the cluster that runs it. If this cluster uses an external control plane, this check does not apply.',
    ),
    'nothing-reads-the-api-server': text(
      'Install Istio, or run against the cluster (or namespace) where istiod runs; without a control plane there is nothing that needs to read the API server.',
    ),
  },
  MB0102: {
    'scaled-to-zero': fix<{ namespace: string; name: string; revision: string }>(
      (p) =>
        `Scale it back up: \`kubectl -n ${p.namespace} scale deploy/${p.name} --replicas=1\` (or what the install asks for); no pod of revision ${p.revision} can be injected or configured until then.`,
    ),
    'not-ready': fix<{ namespace: string; name: string }>(
      (p) =>
        `Run \`kubectl -n ${p.namespace} describe deploy/${p.name}\` and \`kubectl -n ${p.namespace} logs deploy/${p.name} -c discovery\`: look for image pull errors, unschedulable pods, or "Failed waiting for cache sync" (istiod cannot list or watch the API server, see R2).`,
    ),
  },
  MB0103: {
    'oom-killed': text(
      'The container was killed for running out of memory: raise its memory limit (Helm value pilot.resources.limits.memory) and check what grew (number of services, endpoints and proxies).',
    ),
    'read-previous-log': fix<{ namespace: string; pod: string; container: string }>(
      (p) =>
        `Read the log of the previous run: \`kubectl -n ${p.namespace} logs ${p.pod} -c ${p.container} --previous\`, and fix what it reports before the crash.`,
    ),
  },
  MB0104: {
    'nothing-to-fix': text("Nothing to fix. Compare this version with the proxies' (`istioctl proxy-status`) when planning an upgrade."),
  },
  MB0105: {
    'no-ready-istiod': fix<{ service: string; namespace: string; podSelector: string }>(
      (p) =>
        `Get istiod ready behind ${p.service}: kubectl -n ${p.namespace} get pods -l ${p.podSelector} and kubectl -n ${p.namespace} describe deploy for why no pod is ready; if the pods are ready, the Service selector does not match them.`,
    ),
  },
  MB0106: {
    'read-rejection': fix<{ proxy: string }>(
      (p) =>
        `Read the rejection in full with \`istioctl proxy-status ${p.proxy}\`, find the configuration that produced it (often an EnvoyFilter, or the latest change to a VirtualService, DestinationRule or Sidecar that applies to this workload), and fix or remove it; the proxy accepts the next valid push by itself.`,
    ),
  },
  MB0107: {
    'recheck-then-inspect': fix<{ proxy: string; pod: string; namespace: string }>(
      (p) =>
        `Run the check again in a minute: a push in flight is STALE for a moment. If it stays: \`istioctl proxy-status ${p.proxy}\`, then check the pod's CPU limits and the istio-proxy log (\`kubectl logs ${p.pod} -n ${p.namespace} -c istio-proxy\`), and restart the pod if it is stuck.`,
    ),
  },
  MB0108: {
    'read-istiod-log': fix<{ istioNamespace: string; pod: string }>(
      (p) =>
        `Look for errors about this proxy in istiod's log (\`kubectl -n ${p.istioNamespace} logs deploy/istiod | grep ${p.pod}\`) and compare with \`istioctl proxy-status\`: if many proxies show NOT SENT, istiod is overloaded or failing to compute pushes.`,
    ),
  },
  MB0109: {
    'read-sidecar-log': fix<{ namespace: string; pod: string; revision: string; istioNamespace: string }>(
      (p) =>
        `Read the sidecar's log for xDS errors: \`kubectl -n ${p.namespace} logs ${p.pod} -c istio-proxy | grep -i xds\`. Common causes: a NetworkPolicy blocking port 15012 to istiod (see the control-ports check), a revision ${p.revision} whose istiod no longer runs, or istiod.${p.istioNamespace}.svc not resolving.`,
    ),
  },
  MB0201: {
    'compare-selector': fix<{ namespace: string; selector: string; service: string }>(
      (p) =>
        `Compare the selector with the pod labels (\`kubectl -n ${p.namespace} get pods -l ${p.selector}\` returns nothing): fix the selector or the labels, deploy the workload, or delete ${p.service} if it is left over — and any VirtualService routing to it.`,
    ),
  },
  MB0202: {
    'rebuild-slices': fix<{ namespace: string; service: string }>(
      (p) =>
        `The EndpointSlice controller did not record this pod. Check kube-controller-manager and its log, then rebuild the slices: \`kubectl -n ${p.namespace} delete endpointslice -l kubernetes.io/service-name=${p.service}\` (the controller recreates them from the current pods).`,
    ),
  },
  MB0203: {
    'fix-slice-controller': fix<{ controller: string; address: string }>(
      (p) => `This slice is written by ${p.controller}, not by Kubernetes: fix or restart that controller so it removes ${p.address}.`,
    ),
    'rebuild-slice': fix<{ namespace: string; slice: string; service: string; address: string }>(
      (p) =>
        `Check kube-controller-manager and its log, then rebuild the slices: \`kubectl -n ${p.namespace} delete endpointslice ${p.slice}\` (the controller recreates it from the current pods). Until then proxies keep sending part of the traffic for ${p.service} to ${p.address}.`,
    ),
  },
  MB0204: {
    'check-endpointslice-controller': fix<{ service: string }>(
      (p) =>
        `Check that kube-controller-manager runs with the endpointslice controller (\`kubectl -n kube-system get pods -l component=kube-controller-manager\`, and its log for ${p.service}). If this snapshot was taken without permission to list endpointslices.discovery.k8s.io, take it again with that permission.`,
    ),
  },
  MB0205: {
    'describe-pod': fix<{ namespace: string; pod: string }>(
      (p) =>
        `Find out why the pods are not ready: \`kubectl -n ${p.namespace} describe pod ${p.pod}\` (readiness probe, image pull, scheduling). An istio-proxy container that never gets ready cannot reach istiod.`,
    ),
  },
  MB0206: {
    'add-selector': fix<SelectorFix>((p) => `No label alone makes a selector match: ${selectorFix(p)}.`),
    'label-namespace': fix<SelectorFix & { labels: string }>(
      (p) => `Label the namespace so a selector matches: \`kubectl label namespace ${p.namespace} ${p.labels}\`; or ${selectorFix(p)}.`,
    ),
  },
  MB0207: {
    'discover-namespace': fix<{ namespace: string }>(
      (p) =>
        `Bring namespace ${p.namespace} into discoverySelectors (see the finding on it, or add \`- matchLabels: {kubernetes.io/metadata.name: ${p.namespace}}\`), or route to a Service istiod discovers.`,
    ),
  },
  MB0208: {
    'recheck-then-inspect': fix<{ hostname: string; service: string; namespace: string; istioNamespace: string }>(
      (p) =>
        `Run the check again in a minute: a Service created moments ago may not be in the registry yet. If it stays missing, compare with \`istioctl x internal-debug registryz | grep ${p.hostname}\`, ` +
        `read istiod's log for ${p.service} or ${p.namespace} (\`kubectl -n ${p.istioNamespace} logs deploy/istiod | grep ${p.namespace}\`), check that istiod may list and watch services (the istiod-api-access check), and restart istiod if its watches are stuck.`,
    ),
  },
  MB0301: {
    'read-discovery-log': fix<{ namespace: string; name: string }>(
      (p) =>
        `Read the log: \`kubectl -n ${p.namespace} logs deploy/${p.name} -c discovery\`. "forbidden" or "Failed waiting for cache sync" names a permission it lacks (the permission findings of this check list them); "dial tcp … i/o timeout" towards the API server (the kubernetes Service in default) means an egress NetworkPolicy or a firewall in between drops it.`,
    ),
  },
  MB0302: {
    'patch-clusterrole': fix<{ rule: string; role: string }>(
      (p) => `Add the rule ${p.rule} to ClusterRole ${p.role}: ${patchRole(p.role, p.rule)}. Then restart istiod if it is stuck unready.`,
    ),
    'create-clusterrole': fix<DiscoveryRole & { serviceAccount: string }>(
      (p) =>
        `No ClusterRole is bound to ${p.serviceAccount} cluster-wide that could take the rule: ${createRole(p)} (or reinstall the istiod chart, whose ClusterRole grants it).`,
    ),
  },
  MB0303: {
    'snapshot-rbac': text(
      'Take the snapshot again with read access to rbac.authorization.k8s.io (ClusterRoles, ClusterRoleBindings, Roles, RoleBindings), or run this check against the live cluster.',
    ),
  },
  MB0304: {
    'grant-permission': fix<DiscoveryRole & { serviceAccount: string; role: string; group: string; resources: string; rule: string }>(
      (p) =>
        `Add this rule to the ClusterRole bound to ${p.serviceAccount} (the Istio chart's ${p.role}): ` +
        `{apiGroups: [${JSON.stringify(p.group)}], resources: [${p.resources}], verbs: [${p.verbs.split(',').join(', ')}]} — ` +
        `${patchRole(p.role, p.rule)}. If no ClusterRole is bound to it: ${createRole(p)}.`,
    ),
  },
  MB0401: {
    'allow-in-ingress-policies': text('No single rule names these peers; allow them in one of the ingress policies listed.' + SEGMENTATION),
    'allow-ingress-rule': fix<{ service: string; rule: string }>(
      (p) => `If these workloads should call ${p.service}, ${p.rule}.` + SEGMENTATION,
    ),
    'admit-hbone': fix<{ service: string; rule: string; policy: string }>(
      (p) =>
        `Ambient clients and waypoints reach ${p.service}'s pods over HBONE on TCP 15008 (the targetPort travels inside the tunnel), so the pods must admit 15008 from their mesh peers: ${p.rule}. Or apply a NetworkPolicy of its own next to the existing ones (policies add up): \`${p.policy}\` (\`kubectl apply -f -\`).` +
        SEGMENTATION,
    ),
  },
  MB0402: {
    'allow-in-egress-policies': text(
      'No single rule names these destinations; allow them in one of the egress policies listed.' + SEGMENTATION,
    ),
    'allow-egress-rule': fix<{ rule: string }>((p) => `If these workloads should call those Services, ${p.rule}.` + SEGMENTATION),
    'let-hbone-out': fix<{ rule: string; policy: string }>(
      (p) =>
        `Ambient workloads reach mesh pods and waypoints over HBONE on TCP 15008, so their egress must allow 15008 to them: ${p.rule}. Or apply a NetworkPolicy of its own next to the existing ones (policies add up): \`${p.policy}\` (\`kubectl apply -f -\`).` +
        SEGMENTATION,
    ),
  },
  MB0501: {
    'allow-gateway-pods': fix<{ ports: string; direction: string }>(
      (p) => `Allow the gateway pods on port ${p.ports} in one of the ${p.direction} policies listed, or route elsewhere.`,
    ),
    'allow-rule-or-remove-route': fix<{ rule: string; virtualService: string }>(
      (p) =>
        `To let the route work, ${p.rule}. If the destination must stay closed to the gateway, remove the route from VirtualService ${p.virtualService}.`,
    ),
  },
  MB0502: {
    'allow-in-listed-policies': fix<{ direction: string }>(
      (p) => `If clients should use this route, ${allowInListed(p.direction)}. If none should, remove the route or limit it with exportTo.`,
    ),
    'allow-rule': fix<{ rule: string }>(
      (p) => `If clients should use this route, ${p.rule}. If none should, remove the route or limit it with exportTo.`,
    ),
  },
  MB0503: {
    'allow-in-listed-policies-or-export': fix<ExportTo & { direction: string }>(
      (p) => `If the blocked clients should use this route, ${allowInListed(p.direction)}. ${exportToRoute(p)}`,
    ),
    'allow-rule-or-export': fix<ExportTo & { rule: string }>(
      (p) => `If the blocked clients should use this route, ${p.rule}. ${exportToRoute(p)}`,
    ),
  },
  MB0601: {
    'allow-in-listed-policies': fix<{ port: number; direction: string }>(
      (p) => `Allow TCP ${p.port} between the proxies and the control plane in one of the ${p.direction} policies listed.`,
    ),
    'open-control-plane': fix<{ rule: string; port: number; istiod: boolean }>(
      (p) =>
        `Open the control plane to the proxies: ${p.rule}. Proxies can run in any namespace, so opening ${p.port} to every source ({"ports":[{"protocol":"TCP","port":${p.port}}]}) is simpler${p.istiod ? ", and what Istio's own chart policy for istiod does" : ''}.`,
    ),
    'let-proxies-out': fix<{ rule: string }>((p) => `Let the proxies out to the control plane: ${p.rule}.`),
  },
  MB0602: {
    'allow-from-outside': fix<WebhookPath>(
      (p) => `Allow TCP ${p.port} from outside the pod network in one of the policies listed.` + webhookPathNote(p),
    ),
    'let-api-server-in': fix<WebhookPath & { rule: string }>((p) => `Let the API server in: ${p.rule}.` + webhookPathNote(p)),
  },
  MB0603: {
    'allow-prometheus': fix<{ port: number; direction: string }>(
      (p) => `Allow Prometheus on TCP ${p.port} in one of the ${p.direction} policies listed.`,
    ),
    'let-prometheus-scrape': fix<{ rule: string }>((p) => `Let Prometheus scrape: ${p.rule}.`),
  },
  MB0604: {
    'open-webhook-port': fix<{ namespace: string; path: string }>(
      (p) =>
        `Open the pods' webhook port (15017 for istiod) to the API server. On private clusters the control plane sits outside the node network: on GKE add a firewall rule allowing TCP 15017 from the control plane's CIDR (\`gcloud container clusters describe … --format='value(privateClusterConfig.masterIpv4CidrBlock)'\`) to the nodes; on EKS allow 15017 from the cluster security group to the node security group. Then check NetworkPolicies on ${p.namespace} (the control-ports runbook) and that istiod's pods are ready. Re-run: \`kubectl get --raw '${p.path}'\` should print nothing and exit 0.`,
    ),
  },
  MB0703: {
    'inspect-ztunnel': fix<{ namespace: string; node: string }>(
      (p) =>
        `Find the node's ztunnel: \`kubectl -n ${p.namespace} get pods -l app=ztunnel -o wide --field-selector spec.nodeName=${p.node}\`, then \`kubectl -n ${p.namespace} describe pod <pod>\` and \`kubectl -n ${p.namespace} logs <pod>\`. If the node has none, compare the DaemonSet's nodeSelector, affinity and tolerations with \`kubectl describe node ${p.node}\`.`,
    ),
  },
  MB0704: {
    'inspect-cni-agent': fix<{ namespace: string; node: string }>(
      (p) =>
        `Find the node's istio-cni agent: \`kubectl -n ${p.namespace} get pods -l k8s-app=istio-cni-node -o wide --field-selector spec.nodeName=${p.node}\`, then describe it and read its logs. If the node has none, compare the DaemonSet's nodeSelector and tolerations with \`kubectl describe node ${p.node}\`.`,
    ),
  },
  MB0705: {
    'finish-rollout': fix<{ namespace: string; daemonSet: string; selector: string }>(
      (p) =>
        `List the pods that are not ready with \`kubectl -n ${p.namespace} get pods -l ${p.selector} -o wide\`, describe them and read their logs; \`kubectl -n ${p.namespace} rollout status ds/${p.daemonSet}\` shows whether the rollout is stuck.`,
    ),
  },
  MB0707: {
    'enable-ambient-in-cni': fix<{ namespace: string }>(
      (p) =>
        `Turn ambient mode on in the node agent: \`helm upgrade istio-cni istio/cni -n ${p.namespace} --reuse-values --set ambient.enabled=true\` (or \`istioctl install --set profile=ambient\`). The agent then enrols the pods of ambient namespaces without restarting them.`,
    ),
  },
  MB0714: {
    'ready-ztunnel': fix<{ namespace: string; node: string }>(
      (p) =>
        `Get the node's ztunnel ready: \`kubectl -n ${p.namespace} get pods -l app=ztunnel -o wide --field-selector spec.nodeName=${p.node}\`, then its events and logs. istio-cni finishes the enrolment (the annotation turns to enabled) once ztunnel accepts the pod.`,
    ),
  },
  MB0715: {
    'recreate-after-cni-log': fix<{ namespace: string; node: string; podNamespace: string; pod: string }>(
      (p) =>
        `Find the node agent on that node (\`kubectl -n ${p.namespace} get pods -l k8s-app=istio-cni-node -o wide --field-selector spec.nodeName=${p.node}\`) and search its log for the pod (\`kubectl -n ${p.namespace} logs <agent pod> | grep ${p.pod}\`). Then recreate the pod (\`kubectl -n ${p.podNamespace} delete pod ${p.pod}\`, or restart its workload): the CNI plugin enrols a pod when it is created.`,
    ),
  },
  MB0720: {
    'add-hbone-listener': fix<{ gateway: string; namespace: string }>(
      (p) =>
        `Give Gateway ${p.namespace}/${p.gateway} the waypoint listener: \`kubectl patch gateway ${p.gateway} -n ${p.namespace} --type=json -p '[{"op":"add","path":"/spec/listeners/-","value":{"name":"mesh","port":15008,"protocol":"HBONE"}}]'\` (and remove listeners a waypoint does not use).`,
    ),
  },
  MB0724: {
    'create-waypoint': fix<{ namespace: string; waypoint: string; forTraffic: string }>(
      (p) =>
        `Create it: \`istioctl waypoint apply -n ${p.namespace} --name ${p.waypoint}${p.forTraffic === 'service' ? '' : ` --for ${p.forTraffic}`}\` (or apply a Gateway with gatewayClassName istio-waypoint and the listener { name: mesh, port: 15008, protocol: HBONE }), or point the label at a waypoint that exists.`,
    ),
  },
  MB0725: {
    'serve-traffic': fix<{ namespace: string; gateway: string; traffic: string }>(
      (p) =>
        `Let the waypoint serve ${p.traffic} traffic too: \`kubectl label gateway ${p.gateway} -n ${p.namespace} istio.io/waypoint-for=all --overwrite\`, or bind to a waypoint whose istio.io/waypoint-for is ${p.traffic} or all.`,
    ),
  },
  MB0726: {
    'admit-namespace': fix<{ namespace: string; gateway: string; client: string }>(
      (p) =>
        `Admit ${p.client} on the waypoint's HBONE listener: in Gateway ${p.namespace}/${p.gateway} set \`allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: ${p.client} } } } }\` on the 15008 listener (or \`from: All\`).`,
    ),
  },
  MB0735: {
    'attach-to-waypoint': fix<{ namespace: string; policy: string }>(
      (p) =>
        `Enforce the HTTP rules at a waypoint: in AuthorizationPolicy ${p.namespace}/${p.policy} replace \`selector\` with \`targetRefs: [{ kind: Service, group: "", name: <service> }]\` for a Service bound to a waypoint (\`istio.io/use-waypoint\`), or \`[{ kind: Gateway, group: gateway.networking.k8s.io, name: <waypoint> }]\`. Keep a separate L4-only policy (principals, namespaces, ports) with the selector if ztunnel should enforce something too.`,
    ),
  },
  MB0737: {
    'attach-to-waypoint': fix<{ kind: string; namespace: string; policy: string }>(
      (p) =>
        `In ${p.kind} ${p.namespace}/${p.policy} replace \`selector\` with \`targetRefs\` naming the waypoint Gateway (\`{ kind: Gateway, group: gateway.networking.k8s.io, name: <waypoint> }\`) or a Service bound to it, and make sure the workloads' Services use that waypoint (\`istio.io/use-waypoint\`).`,
    ),
  },
  MB0738: {
    'bind-to-waypoint': fix<{ kind: string; namespace: string; name: string }>(
      (p) =>
        `Bind the ${p.kind} to a waypoint: \`kubectl label ${p.kind.toLowerCase()} ${p.name} -n ${p.namespace} istio.io/use-waypoint=waypoint\` (a waypoint named waypoint must exist: \`istioctl waypoint apply -n ${p.namespace}\`).`,
    ),
  },
  MB0745: {
    'bind-service-to-waypoint': fix<{ namespace: string; service: string }>(
      (p) =>
        `Bind the Service to a waypoint: \`kubectl label service ${p.service} -n ${p.namespace} istio.io/use-waypoint=waypoint\` (a waypoint named waypoint must exist: \`istioctl waypoint apply -n ${p.namespace}\`), or label the namespace instead to bind all its Services.`,
    ),
  },
  MB0746: {
    'move-to-service-namespace': fix<{ kind: string; name: string; from: string; to: string }>(
      (p) =>
        `Move ${p.kind} ${p.name} from ${p.from} to ${p.to}: \`kubectl get ${p.kind.toLowerCase()} ${p.name} -n ${p.from} -o yaml\`, change metadata.namespace to ${p.to} and apply it there, then delete the old one (keep it only if sidecar clients in ${p.from} need it).`,
    ),
  },
  MB0747: {
    'bind-namespace-to-waypoint': fix<{ namespace: string }>(
      (p) =>
        `Give the namespace a waypoint and bind it: \`istioctl waypoint apply -n ${p.namespace} --enroll-namespace\` (or \`kubectl label namespace ${p.namespace} istio.io/use-waypoint=waypoint\` for an existing waypoint); for a ServiceEntry host, label that ServiceEntry instead.`,
    ),
  },
  MB0750: {
    'admit-probe-address': fix<{ rule: string; address: string }>(
      (p) =>
        `Admit the probe address: ${p.rule}. On Cilium one CiliumClusterwideNetworkPolicy covers every ambient pod: \`{apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy, metadata: {name: allow-ambient-hostprobes}, spec: {endpointSelector: {}, enableDefaultDeny: {ingress: false, egress: false}, ingress: [{fromCIDR: [${p.address}/32]}]}}\` (\`kubectl apply -f -\`).`,
    ),
    'admit-probe-address-in-listed': fix<{ address: string }>(
      (p) => `Admit ${p.address} (an ipBlock of one address) on the probed ports in one of the ingress policies listed.`,
    ),
  },
  MB0751: {
    'admit-probe-address': fix<{ rule: string; address: string }>((p) => `To be safe on any CNI, admit ${p.address}: ${p.rule}.`),
    'admit-probe-address-in-listed': fix<{ address: string }>(
      (p) =>
        `To be safe on any CNI, admit ${p.address} (an ipBlock of one address) on the probed ports in one of the ingress policies listed.`,
    ),
  },
  MB0801: {
    'use-istio-mutual': fix<PatchTls>(
      (p) => `Make the clients send Istio mTLS: ${patchTls(p, 'ISTIO_MUTUAL')}, or delete the tls block and let auto mTLS choose.`,
    ),
  },
  MB0802: {
    'use-istio-mutual': fix<PatchTls>(
      (p) => `Make the clients send Istio mTLS: ${patchTls(p, 'ISTIO_MUTUAL')}, or delete the tls block and let auto mTLS choose.`,
    ),
  },
  MB0803: {
    'add-mesh-policy': fix<{ rootNamespace: string }>(
      (p) =>
        `Add the server half mesh-wide: \`kubectl apply -f -\` with \`{apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: default, namespace: ${p.rootNamespace}}, spec: {mtls: {mode: PERMISSIVE}}}\` (STRICT once every client sends mTLS), or set meshConfig enableAutoMtls: true.`,
    ),
  },
  MB0804: {
    'add-namespace-policy': fix<{ namespace: string }>(
      (p) =>
        `Add the server half for the namespace: \`kubectl apply -f -\` with \`{apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: default, namespace: ${p.namespace}}, spec: {mtls: {mode: PERMISSIVE}}}\`, or set meshConfig enableAutoMtls: true.`,
    ),
  },
  MB0805: {
    'add-istio-mutual': fix<{ name: string; namespace: string; path: string; value: string }>(
      (p) =>
        `Keep mTLS for this host: \`kubectl patch destinationrule ${p.name} -n ${p.namespace} --type=json -p '[{"op":"add","path":"${p.path}","value":${p.value}}]'\`.`,
    ),
  },
  MB0806: {
    'add-mesh-destination-rule': fix<{ rootNamespace: string }>(
      (p) =>
        `Turn auto mTLS back on (meshConfig enableAutoMtls: true), or add the client half: \`kubectl apply -f -\` with \`{apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: default, namespace: ${p.rootNamespace}}, spec: {host: "*.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}}\`.`,
    ),
  },
  MB0807: {
    'add-namespace-destination-rule': fix<{ namespace: string }>(
      (p) =>
        `Turn auto mTLS back on (meshConfig enableAutoMtls: true), or add the client half: \`kubectl apply -f -\` with \`{apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: default, namespace: ${p.namespace}}, spec: {host: "*.${p.namespace}.svc.cluster.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}}\`.`,
    ),
  },
  MB0808: {
    'add-disable-destination-rule': fix<{ namespace: string }>(
      (p) =>
        `Tell the clients too: \`kubectl apply -f -\` with \`{apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: mtls-disabled, namespace: ${p.namespace}}, spec: {host: "*.${p.namespace}.svc.cluster.local", trafficPolicy: {tls: {mode: DISABLE}}}}\`, or make the policy PERMISSIVE.`,
    ),
  },
  MB0809: {
    'disable-mesh-destination-rule': fix<PatchTls>(
      (p) => `Make the clients agree with the servers: ${patchTls(p, 'DISABLE')}, or make the mesh policy PERMISSIVE.`,
    ),
  },
  MB0811: {
    'remove-entry': fix<{ resource: string; name: string; namespace: string; index: number; value: string }>(
      (p) =>
        `Correct ${p.value} to the namespace you meant, or drop it: \`kubectl patch ${p.resource} ${p.name} -n ${p.namespace} --type=json -p '[{"op":"remove","path":"/spec/exportTo/${p.index}"}]'\`.`,
    ),
  },
  MB0830: {
    'permissive-port': fix<{ namespace: string; selector: string; targetPort: number }>(
      (p) =>
        `Inject a sidecar into those callers (or enroll their namespace in ambient). If they must stay outside, open only this port to plaintext: \`kubectl apply -f -\` with \`{apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: plaintext-${p.targetPort}, namespace: ${p.namespace}}, spec: {selector: {matchLabels: ${p.selector}}, portLevelMtls: {"${p.targetPort}": {mode: PERMISSIVE}}}}\`.`,
    ),
  },
  MB0831: {
    'use-istio-mutual': fix<PatchTls>(
      (p) => `Make the clients send Istio mTLS: ${patchTls(p, 'ISTIO_MUTUAL')}, or delete that tls block and let auto mTLS choose.`,
    ),
  },
  MB0833: {
    'remove-tls': fix<PatchTls>(
      (p) =>
        `Let auto mTLS send plaintext to this port: \`kubectl patch destinationrule ${p.name} -n ${p.namespace} --type=json -p '[{"op":"remove","path":"${p.path.replace(/\/mode$/, '')}"}]'\`, or make the port PERMISSIVE.`,
    ),
  },
  MB0910: {
    'create-remote-secret': fix<{ primary: string; cluster: string; clusterId: string }>(
      (p) =>
        `From a kubeconfig that reaches both: \`istioctl create-remote-secret --context=${p.cluster} --name=${p.clusterId} | kubectl apply --context=${p.primary} -f -\`, then \`istioctl remote-clusters --context=${p.primary}\` should list ${p.clusterId} as synced.`,
    ),
  },
  MB0924: {
    'admit-outside': fix<{ rule: string; ports: string }>(
      (p) =>
        `Admit the other clusters on ${p.ports}: ${p.rule}. Narrow the ipBlock to the addresses the other clusters' traffic comes from (their nodes' or NAT gateways' addresses).`,
    ),
  },
  MB0925: {
    'allow-gateway-egress': fix<{ rule: string }>((p) => `Let the gateway through: ${p.rule}.`),
  },
  MB0926: {
    'admit-gateway': fix<{ rule: string }>((p) => `If callers on other networks should reach it, admit the east-west gateway: ${p.rule}.`),
  },
  MB0932: {
    'allow-istiod-address': fix<{ rule: string }>((p) => `Let the proxies reach the primary's istiod: ${p.rule}.`),
  },
} as const satisfies { [C in CodeId]?: Record<string, FixTemplate<never>> };

type Fixes = typeof FIXES;

/** The template names a code has (never for a code without templates). */
export type FixName<C extends CodeId> = C extends keyof Fixes ? keyof Fixes[C] & string : never;

/** The params of one template. */
export type FixParamsOf<C extends CodeId, F extends FixName<C>> = C extends keyof Fixes
  ? F extends keyof Fixes[C]
    ? Fixes[C][F] extends FixTemplate<infer P>
      ? P
      : never
    : never
  : never;

/** A check's choice of template: its name, and its params when it has any. */
export type FixChoice<C extends CodeId> = {
  [F in FixName<C>]: NoParams extends FixParamsOf<C, F>
    ? { fix: F; fixParams?: FixParamsOf<C, F> }
    : { fix: F; fixParams: FixParamsOf<C, F> };
}[FixName<C>];

/** Renders a template by code and name; undefined when there is no such template. */
export function renderFix(code: CodeId, name: string, params: FixParams): string | undefined {
  const templates = (FIXES as unknown as Partial<Record<CodeId, Record<string, FixTemplate>>>)[code];
  const template = templates !== undefined && Object.hasOwn(templates, name) ? templates[name] : undefined;
  return template?.(params);
}

/** Every template, as (code, name) pairs in code order. */
export function listFixes(): { code: CodeId; name: string }[] {
  return (Object.keys(FIXES) as CodeId[])
    .sort()
    .flatMap((code) => Object.keys((FIXES as Record<string, object>)[code]!).map((name) => ({ code, name })));
}
