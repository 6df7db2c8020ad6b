// Which generation of Istio control plane a cluster runs, and the ports its control traffic uses.
// Istio 1.0–1.4 split the control plane into Pilot, Mixer, Citadel, Galley and the sidecar
// injector, each with its own Service and ports; from 1.5 one istiod serves xDS, certificates
// and the webhooks. A NetworkPolicy check must know which, or it checks ports nobody dials.
// Ports: ../shared/notes/istio-facts.md §5 (1.0.9 Helm charts; istio.io "Ports used by Istio").

import yaml from 'js-yaml';
import type { ConfigMap, Deployment, Service, ServicePort } from '../k8s/objects.ts';
import { matchesLabels } from '../k8s/selectors.ts';
import { imageOf, imageTag, isControlPlane, revisionOf } from './control-plane.ts';
import { fullName, namespaceOf } from '../k8s/names.ts';

export type IstioEra = 'istiod' | 'split';

/** The parts of a control plane that listen for control traffic. */
export type ComponentRole = 'istiod' | 'pilot' | 'mixer-policy' | 'mixer-telemetry' | 'citadel' | 'galley' | 'injector';

export interface ControlComponent {
  role: ComponentRole;
  deployment: Deployment;
  /** The Service in front of it, when the snapshot has one. */
  service: Service | undefined;
}

export interface IstioInstall {
  era: IstioEra;
  /** The control plane's image tag (`1.28.0`, `1.0.6`), or `unknown`. */
  version: string;
  /** Every component found, control planes (istiod or Pilot) first. */
  components: ControlComponent[];
  /** One line for evidence: what was detected and from which objects. */
  summary: string;
}

// Deployment (and Service) names of the split control plane, as the 1.0–1.4 charts create them.
const SPLIT_COMPONENTS: Record<string, ComponentRole> = {
  'istio-pilot': 'pilot',
  'istio-policy': 'mixer-policy',
  'istio-telemetry': 'mixer-telemetry',
  'istio-citadel': 'citadel',
  'istio-galley': 'galley',
  'istio-sidecar-injector': 'injector',
};

const COMPONENT_NAMES: Record<ComponentRole, string> = {
  istiod: 'istiod',
  pilot: 'Pilot',
  'mixer-policy': 'Mixer (policy)',
  'mixer-telemetry': 'Mixer (telemetry)',
  citadel: 'Citadel',
  galley: 'Galley',
  injector: 'sidecar injector',
};

/** A human name for a component ("Pilot", "Mixer (policy)", "istiod"). */
export function componentName(role: ComponentRole): string {
  return COMPONENT_NAMES[role];
}

/** The Service that fronts a Deployment: same namespace, same name first, else one whose selector matches its pod labels. */
function serviceFor(d: Deployment, services: readonly Service[]): Service | undefined {
  const ns = namespaceOf(d);
  const local = services.filter((s) => namespaceOf(s) === ns);
  const named = local.find((s) => s.metadata.name === d.metadata.name);
  if (named !== undefined) return named;
  const labels = d.spec?.template?.metadata?.labels;
  return local.find((s) => {
    const selector = s.spec?.selector;
    return selector !== undefined && Object.keys(selector).length > 0 && matchesLabels(selector, labels);
  });
}

/** Major and minor of a version tag (`1.0.6` → [1, 0]); undefined for `latest`, digests and custom tags. */
export function parseMinor(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/**
 * Detects the control plane: istiod when any istiod Deployment exists (a 1.4 → 1.5 migration
 * runs both; istiod is the one proxies move to), else the split 1.0-era components by name.
 */
export function detectIstio(deployments: readonly Deployment[], services: readonly Service[]): IstioInstall | undefined {
  const istiods = deployments.filter((d) => isControlPlane(d) && d.metadata.name !== 'istio-pilot');
  if (istiods.length > 0) {
    const components = istiods.map((d): ControlComponent => ({ role: 'istiod', deployment: d, service: serviceFor(d, services) }));
    const versions = [...new Set(istiods.map((d) => imageTag(imageOf(d))))];
    const planes = istiods.map((d) => `Deployment ${fullName(d)} (Istio ${imageTag(imageOf(d))}, revision ${revisionOf(d)})`);
    const legacy = deployments.some((d) => d.metadata.name === 'istio-pilot')
      ? '; an istio-pilot Deployment also exists (mid-migration), its ports are not checked'
      : '';
    return {
      era: 'istiod',
      version: versions.join(', '),
      components,
      summary: `istiod (Istio 1.5 and later): ${planes.join(', ')}${legacy}`,
    };
  }
  const split: ControlComponent[] = [];
  for (const d of deployments) {
    const role = SPLIT_COMPONENTS[d.metadata.name];
    if (role !== undefined) split.push({ role, deployment: d, service: serviceFor(d, services) });
  }
  const pilot = split.find((c) => c.role === 'pilot');
  if (pilot === undefined) return undefined;
  const order = Object.values(SPLIT_COMPONENTS);
  split.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  const version = imageTag(imageOf(pilot.deployment));
  const names = split.map((c) => c.deployment.metadata.name).join(', ');
  return {
    era: 'split',
    version,
    components: split,
    summary: `Istio 1.0-era split control plane (Istio ${version}): ${names} in ${namespaceOf(pilot.deployment)}`,
  };
}

/** Who opens a control connection. */
export type ControlClient = 'proxies' | 'api-server' | 'prometheus';

/** One port control traffic must reach on a component's pods. */
export interface ControlPort {
  client: ControlClient;
  component: ControlComponent;
  /** The Service port clients dial, when a Service fronts the component. */
  servicePort: ServicePort | undefined;
  /** The port on the pods (what NetworkPolicy sees): the Service's targetPort, or the default when no Service says. */
  port: number | string;
  /** What the port carries, for messages: "xDS and CA (TLS)". */
  purpose: string;
}

/** meshConfig facts that choose the control ports proxies dial. */
export interface ControlMeshFacts {
  /** defaultConfig.controlPlaneAuthPolicy MUTUAL_TLS (Istio 1.0–1.4): proxies dial Pilot on 15011 and Mixer on 15004. */
  mutualTls: boolean;
  /** The port of defaultConfig.discoveryAddress (istiod default `istiod.<ns>.svc:15012`), when it names one. */
  discoveryPort: number | undefined;
  /** Where the facts came from, for evidence. */
  source: string;
}

/** Reads defaultConfig.controlPlaneAuthPolicy and defaultConfig.discoveryAddress from the `mesh` key of the `istio` ConfigMap (defaults when absent or unreadable). */
export function controlMeshFacts(configMap: ConfigMap | undefined): ControlMeshFacts {
  const where = configMap === undefined ? 'no istio ConfigMap: meshConfig defaults' : `ConfigMap ${fullName(configMap)} key mesh`;
  const text = configMap?.data?.mesh;
  if (typeof text !== 'string') return { mutualTls: false, discoveryPort: undefined, source: where };
  let parsed: unknown;
  try {
    parsed = yaml.load(text);
  } catch {
    return { mutualTls: false, discoveryPort: undefined, source: `${where} is not valid YAML: meshConfig defaults` };
  }
  const mesh = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const defaults =
    mesh.defaultConfig !== null && typeof mesh.defaultConfig === 'object' ? (mesh.defaultConfig as Record<string, unknown>) : {};
  // A ProxyConfig field: defaultConfig.controlPlaneAuthPolicy (the top-level spelling is accepted too).
  const policy = defaults.controlPlaneAuthPolicy ?? mesh.controlPlaneAuthPolicy;
  const address = defaults.discoveryAddress;
  const port = typeof address === 'string' ? /:(\d+)$/.exec(address)?.[1] : undefined;
  const parts = [`controlPlaneAuthPolicy ${typeof policy === 'string' ? policy : 'NONE (default)'}`];
  if (typeof address === 'string') parts.push(`defaultConfig.discoveryAddress ${address}`);
  return {
    mutualTls: policy === 'MUTUAL_TLS',
    discoveryPort: port === undefined ? undefined : Number(port),
    source: `${where}: ${parts.join(', ')}`,
  };
}

/** The Service port with this number, or with this name. */
function findPort(service: Service | undefined, match: { number?: number; name?: string }): ServicePort | undefined {
  return service?.spec?.ports?.find(
    (p) => (match.number !== undefined && p.port === match.number) || (match.name !== undefined && p.name === match.name),
  );
}

/** A port entry: the Service's targetPort when the Service has the port, else the chart default on the pod. */
function entry(
  client: ControlClient,
  component: ControlComponent,
  servicePort: ServicePort | undefined,
  fallback: number,
  purpose: string,
): ControlPort {
  const target =
    servicePort === undefined
      ? fallback
      : servicePort.targetPort === undefined || servicePort.targetPort === 0
        ? servicePort.port
        : servicePort.targetPort;
  return { client, component, servicePort, port: target, purpose };
}

/**
 * The control ports of a detected install, per component and client.
 * - istiod: proxies → 15012 (xDS and CA over TLS; plus 15010 plaintext xDS when the Service
 *   exposes it and meshConfig's discoveryAddress points at it), API server → the webhook (Service 443 → 15017), Prometheus → 15014.
 * - split (1.0): proxies → Pilot 15010 (15011 with controlPlaneAuthPolicy MUTUAL_TLS) and Mixer
 *   9091 (15004 with MUTUAL_TLS), API server → Galley and the injector on 443, Prometheus →
 *   monitoring 9093 (15014 from 1.1). Citadel's 8060 is dialled only by node agents: not listed.
 */
export function controlPorts(
  install: IstioInstall,
  facts: ControlMeshFacts = { mutualTls: false, discoveryPort: undefined, source: 'defaults' },
): ControlPort[] {
  const out: ControlPort[] = [];
  if (install.era === 'istiod') {
    for (const c of install.components) {
      out.push(entry('proxies', c, findPort(c.service, { number: 15012 }), 15012, 'xDS and CA (TLS)'));
      // 15010 (plaintext xDS) is exposed by the chart's Service but only dialled when the mesh points proxies at it.
      const plaintext = findPort(c.service, { number: 15010 });
      if (plaintext !== undefined && facts.discoveryPort === 15010) out.push(entry('proxies', c, plaintext, 15010, 'xDS (plaintext)'));
      out.push(
        entry(
          'api-server',
          c,
          findPort(c.service, { name: 'https-webhook' }) ?? findPort(c.service, { number: 443 }),
          15017,
          'sidecar injection and config validation webhooks',
        ),
      );
      out.push(entry('prometheus', c, findPort(c.service, { number: 15014 }), 15014, 'control plane monitoring'));
    }
    return out;
  }
  const minor = parseMinor(install.version);
  const monitoring = minor !== undefined && (minor[0] > 1 || minor[1] >= 1) ? 15014 : 9093;
  for (const c of install.components) {
    switch (c.role) {
      case 'pilot': {
        const xds = facts.mutualTls ? 15011 : 15010;
        out.push(entry('proxies', c, findPort(c.service, { number: xds }), xds, facts.mutualTls ? 'xDS (mTLS)' : 'xDS (plaintext)'));
        break;
      }
      case 'mixer-policy':
      case 'mixer-telemetry': {
        const mixer = facts.mutualTls ? 15004 : 9091;
        out.push(
          entry(
            'proxies',
            c,
            findPort(c.service, { number: mixer }),
            mixer,
            c.role === 'mixer-policy' ? 'policy checks' : 'telemetry reports',
          ),
        );
        break;
      }
      case 'galley':
        out.push(entry('api-server', c, findPort(c.service, { number: 443 }), 443, 'config validation webhook'));
        break;
      case 'injector':
        out.push(entry('api-server', c, findPort(c.service, { number: 443 }), 443, 'sidecar injection webhook'));
        break;
      default:
        break;
    }
    if (c.role !== 'injector')
      out.push(entry('prometheus', c, findPort(c.service, { number: monitoring }), monitoring, 'control plane monitoring'));
  }
  return out;
}

/** Ports Prometheus scrapes on every sidecar and gateway: merged metrics 15020 (istiod era) and Envoy's 15090. */
export function proxyScrapePorts(install: IstioInstall): { port: number; purpose: string }[] {
  const envoy = { port: 15090, purpose: 'Envoy metrics' };
  return install.era === 'istiod' ? [{ port: 15020, purpose: 'merged Istio agent, Envoy and application metrics' }, envoy] : [envoy];
}

/** Every port of the install's set, one line for evidence ("Pilot xDS 15010, Galley webhook 443→443, …"). */
export function describePorts(ports: readonly ControlPort[], install: IstioInstall, facts?: ControlMeshFacts): string {
  const parts = ports.map((p) => {
    const via =
      p.servicePort !== undefined && String(p.servicePort.port) !== String(p.port) ? `${p.servicePort.port}→${p.port}` : String(p.port);
    return `${componentName(p.component.role)} ${p.purpose} ${via}`;
  });
  const scrape = proxyScrapePorts(install)
    .map((p) => p.port)
    .join('/');
  parts.push(`sidecars scrape ${scrape}`);
  if (install.era === 'istiod') {
    parts.push('sidecar health 15021 (kubelet)');
    const exposed = install.components.some((c) => findPort(c.service, { number: 15010 }) !== undefined);
    if (exposed && facts?.discoveryPort !== 15010)
      parts.push(`plaintext xDS 15010 not checked (exposed, but proxies dial ${facts?.discoveryPort ?? 15012})`);
  }
  return [...new Set(parts)].join(', ');
}
