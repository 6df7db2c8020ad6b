// The one registry of finding codes. Kept in code order; a retired code is commented
// out, never reused. IST codes mean exactly what `istioctl analyze` means by them
// (same level, same message shape), so users can look them up on istio.io too; MB codes
// are Meshbook's own, grouped in ranges:
//   MB00xx engine           MB01xx control plane      MB02xx R1 service discovery
//   MB03xx R2 API server    MB04xx R3 L3 reachability MB05xx R4 firewall vs L3-7 rules
//   MB06xx R5 control ports
// Checks report through `ctx.report(code, …)`, whose params are typed from this table,
// so a code that does not exist, or a missing param, fails to compile.

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
  /** How to fix it, generally; a check may give a more specific remediation. */
  fix: string;
  /** A short YAML example that triggers the code (reference page). */
  example?: string;
}

// Declares a code with the type of its params; the identity function keeps inference.
function code<P extends Params>(def: CodeDef<P>): CodeDef<P> {
  return def;
}

export const CODES = {
  MB0001: code<{ error: string }>({
    level: 'error',
    title: 'Check failed to run',
    message: (p) => `The check itself failed: ${p.error}`,
    meaning: 'The check threw an error instead of returning findings. Nothing is known about what it verifies.',
    why: 'A check that cannot run can hide a real problem; the rest of the run is unaffected.',
    fix: 'Look at the error text. A malformed object in a snapshot is the usual cause; otherwise report a bug with the snapshot attached.',
  }),
  MB0101: code<{ namespace: string }>({
    level: 'error',
    title: 'No Istio control plane found',
    message: (p) => `No istiod (or Istio 1.0 istio-pilot) Deployment was found in namespace ${p.namespace} or anywhere else in the cluster.`,
    meaning: 'No Deployment that runs Istio\'s control plane exists: neither `istiod[-<revision>]` nor the 1.0-era `istio-pilot`.',
    why: 'Without a control plane, sidecars receive no configuration: no routing, no mTLS certificates, no service discovery.',
    fix: 'Install Istio (for example `istioctl install`), or point Meshbook at the cluster that runs it.',
  }),
  MB0102: code<{ ready: number; desired: number }>({
    level: 'error',
    title: 'Control plane not available',
    message: (p) => `The control plane Deployment has ${p.ready} of ${p.desired} replicas ready.`,
    meaning: 'The istiod Deployment exists but has fewer ready replicas than it asks for, or none.',
    why: 'istiod becomes ready only after it has listed and watched the API server; a not-ready istiod pushes no new configuration and signs no certificates.',
    fix: 'Run `kubectl -n istio-system describe deploy istiod` and `kubectl -n istio-system logs deploy/istiod`; look for image pull errors, failed scheduling, or "Failed waiting for cache sync" (API server access, see R2).',
  }),
  MB0103: code<{ pod: string; container: string; restarts: number }>({
    level: 'warning',
    title: 'Control plane pod restarting',
    message: (p) => `istiod pod ${p.pod} container ${p.container} has restarted ${p.restarts} times.`,
    meaning: 'An istiod container restarts repeatedly.',
    why: 'Each restart drops every proxy\'s xDS stream; proxies keep their last configuration but see no updates until they reconnect.',
    fix: 'Read the previous container\'s log (`kubectl logs --previous`) for out-of-memory kills or crashes, and raise its memory limit if it is OOM-killed.',
  }),
  IST0101: code<{ kind: string; ref: string }>({
    level: 'error',
    title: 'Referenced resource not found',
    message: (p) => `Referenced ${p.kind} not found: "${p.ref}"`,
    meaning: 'A resource refers to another resource (a host, a subset, a gateway, a selector, a Secret) that does not exist.',
    why: 'Istio silently ignores or rejects configuration that points at nothing: requests fail with 503s or routes never apply.',
    fix: 'Create the missing resource, or correct the reference (name, namespace, labels).',
  }),
  IST0102: code<{ namespace: string }>({
    level: 'info',
    title: 'Namespace not enabled for injection',
    message: (p) => `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${p.namespace} istio-injection=enabled' to enable it, or 'kubectl label namespace ${p.namespace} istio-injection=disabled' to explicitly mark it as not needing injection.`,
    meaning: 'The namespace has neither an `istio-injection` nor an `istio.io/rev` label, so new pods in it get no sidecar.',
    why: 'Workloads without a sidecar are outside the mesh: no mTLS, no routing rules, no telemetry.',
    fix: 'Label the namespace `istio-injection=enabled` (or `istio.io/rev=<revision>`), or `istio-injection=disabled` to say it is deliberately outside the mesh.',
  }),
  IST0103: code<{ pod: string }>({
    level: 'warning',
    title: 'Pod missing the Istio proxy',
    message: (p) => `The pod ${p.pod} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`,
    meaning: 'The pod runs in a namespace with injection enabled but has no `istio-proxy` container.',
    why: 'The pod was created before injection was enabled, or the injection webhook did not run; it is outside the mesh while its neighbours are inside.',
    fix: 'Restart the workload (`kubectl rollout restart deploy/<name>`) so the webhook injects the sidecar; if it still has none, check the webhook (IST0139).',
  }),
  IST0162: code<{ port: number; selector: string }>({
    level: 'warning',
    title: 'Gateway port not defined on its Service',
    message: (p) => `The gateway is listening on a target port (port ${p.port}) that is not defined in the Service associated with its workload instances (Pod selector ${p.selector}). If you need to access the gateway port through the gateway Service, it will not be available.`,
    meaning: 'A Gateway server listens on a port that no TCP port (or targetPort) of the Service in front of the gateway pods exposes.',
    why: 'Traffic can only reach the gateway through ports its Service exposes; the server is configured in Envoy but unreachable from outside.',
    fix: 'Add the port to the gateway\'s Service (port or targetPort), or change the Gateway server to a port the Service exposes.',
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
