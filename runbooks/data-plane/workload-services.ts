import { defineCheck } from '../../src/engine/check.ts';
import type { Deployment, Namespace, Service } from '../../src/k8s/objects.ts';
import { matchesLabels } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, ISTIO_PROXY, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's deployment.MultiServiceAnalyzer. For each Deployment in the mesh that is not a
// waypoint, it takes the Services of the same namespace whose (non-empty) selector matches the pod
// template's labels, then:
// - IST0116 for each port number those Services expose with more than one protocol (unset = TCP);
// - IST0137 for each targetPort (unset or 0 = the port; named targetPorts compared as text) that
//   more than one port number maps to.
// "In the mesh" is util.DeploymentInMesh: a template container named istio-proxy with an image; else
// the template's sidecar.istio.io/inject label, then annotation (== "true"); else the namespace's
// istio-injection=enabled label. istio.io/rev namespaces do not count, as in istioctl. Services and
// Namespaces in the namespaces istioctl ignores (kube-system, …) are not seen; Deployments are seen in
// every namespace, but not when labelled istio.io/rev=<other> (istioctl's default --revision).
const INJECT = 'sidecar.istio.io/inject';
const WAYPOINT_LABEL = 'gateway.istio.io/managed';
const WAYPOINT_VALUE = 'istio.io-mesh-controller';

/** Whether istioctl counts the Deployment as having (or getting) a sidecar. */
function inMesh(d: Deployment, namespace: Namespace | undefined): boolean {
  const template = d.spec?.template;
  if ((template?.spec?.containers ?? []).some((c) => c.name === ISTIO_PROXY && (c.image ?? '') !== '')) return true;
  const labels = template?.metadata?.labels ?? {};
  if (Object.hasOwn(labels, INJECT)) return labels[INJECT] === 'true';
  const annotations = template?.metadata?.annotations ?? {};
  if (Object.hasOwn(annotations, INJECT)) return annotations[INJECT] === 'true';
  return namespace?.metadata.labels?.['istio-injection'] === 'enabled';
}

const full = (s: Service): string => `${namespaceOf(s)}/${s.metadata.name}`;
const sorted = <T extends string | number>(xs: T[]): T[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export default defineCheck({
  id: 'workload-services',
  title: "Services agree on a workload's ports",
  description:
    "The Services that select a meshed Deployment's pods never expose one port number with two protocols, and never map two different ports to the same targetPort.",
  why: "The sidecar builds one inbound listener per pod port: when Services disagree on a port's protocol, or reach one targetPort through different ports, istiod picks one of them and traffic through the other is handled with the wrong protocol or not routed at all.",
  inputs: ['apps/v1/Deployment', 'v1/Service', 'v1/Namespace'],
  analyzer: 'deployment.MultiServiceAnalyzer',
  docs: '/concepts/mesh/#workload-services',
  analyze(ctx) {
    const visible = <T extends { metadata: { namespace?: string } }>(o: T): boolean => !IGNORED_NAMESPACES.has(namespaceOf(o));
    for (const d of ctx.list('apps/v1/Deployment').filter(inAnalyzedRevision)) {
      const ns = namespaceOf(d);
      if (d.metadata.labels?.[WAYPOINT_LABEL] === WAYPOINT_VALUE) continue;
      if (!inMesh(d, IGNORED_NAMESPACES.has(ns) ? undefined : ctx.find('v1/Namespace', '', ns))) continue;
      const resource = { kind: 'Deployment', namespace: ns, name: d.metadata.name };
      const podLabels = d.spec?.template?.metadata?.labels ?? {};
      // Only this namespace's Services can match (scanning all of them per Deployment was O(D×S)).
      const matching = ctx
        .list('v1/Service', { namespace: ns })
        .filter(visible)
        .filter((s) => {
          const sel = s.spec?.selector ?? {};
          return Object.keys(sel).length > 0 && namespaceOf(s) === ns && matchesLabels(sel, podLabels);
        });

      // port → protocol → Services (one entry per Service port, so a Service can appear twice).
      const byPort = new Map<number, Map<string, string[]>>();
      // targetPort text → port → the last Service seen with that mapping.
      const byTarget = new Map<string, Map<number, string>>();
      for (const s of matching) {
        for (const p of s.spec?.ports ?? []) {
          const protocols = byPort.get(p.port) ?? new Map<string, string[]>();
          byPort.set(p.port, protocols);
          const protocol = p.protocol === undefined || p.protocol === '' ? 'TCP' : p.protocol;
          protocols.set(protocol, [...(protocols.get(protocol) ?? []), full(s)]);
          let target = p.targetPort === undefined ? '' : String(p.targetPort);
          if (target === '0' || target === '') target = String(p.port);
          const ports = byTarget.get(target) ?? new Map<number, string>();
          byTarget.set(target, ports);
          ports.set(p.port, full(s));
        }
      }

      for (const [port, protocols] of byPort) {
        if (protocols.size <= 1) continue;
        const names = sorted([...protocols.values()].flat());
        ctx.report(
          'IST0116',
          resource,
          { deployment: d.metadata.name, port, services: `[${names.join(' ')}]` },
          {
            evidence: { port, servicesByProtocol: [...protocols].map(([protocol, svcs]) => `${protocol}: ${svcs.join(', ')}`).join('; ') },
            fix: 'one-protocol-per-port',
            fixParams: { port, deployment: d.metadata.name },
          },
        );
      }
      for (const [target, ports] of byTarget) {
        if (ports.size <= 1) continue;
        const names = sorted([...ports.values()]);
        const numbers = sorted([...ports.keys()]);
        ctx.report(
          'IST0137',
          resource,
          {
            deployment: d.metadata.name,
            services: `[${names.join(' ')}]`,
            targetPort: JSON.stringify(target),
            ports: `[${numbers.join(' ')}]`,
          },
          {
            evidence: { targetPort: target, servicePorts: [...ports].map(([port, svc]) => `${svc} port ${port}`).join(', ') },
            fix: 'one-port-per-target',
            fixParams: { targetPort: target, deployment: d.metadata.name, example: numbers[0]! },
          },
        );
      }
    }
  },
});
