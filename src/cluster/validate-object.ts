// The types of the fields checks read, checked where objects enter (a snapshot file or a live
// server), so a wrong-typed field is the input's problem, said once with its path, instead of a
// check crashing on `.find is not a function` or silently reading nothing. Only the fields
// checks read are described: anything else passes untouched, as the API server would keep it.
// Values inside strings (meshConfig text in a ConfigMap) are left to their own readers.

import type { KindId } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/objects.ts';

/**
 * The type a field must have. `null` only where a shape says so: where the API server writes it
 * (`endpoints: null` in an empty EndpointSlice) or the readers treat it as absent.
 */
export type Shape =
  | { readonly t: 'string' | 'boolean' | 'integer' | 'any' }
  | { readonly t: 'port'; readonly min: number; readonly orName?: true }
  | { readonly t: 'list'; readonly of: Shape }
  | { readonly t: 'map'; readonly of: Shape }
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly t: 'nullable'; readonly of: Shape }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'required'; readonly of: Shape };

const str: Shape = { t: 'string' };
const bool: Shape = { t: 'boolean' };
const int: Shape = { t: 'integer' };
// A TCP/UDP port number: an integer in 1–65535 (0 where Kubernetes allows it, e.g. an unset nodePort).
const port: Shape = { t: 'port', min: 1 };
const port0: Shape = { t: 'port', min: 0 };
// A port number or a named container port (Service targetPort).
const portOrName: Shape = { t: 'port', min: 1, orName: true };
const list = (of: Shape): Shape => ({ t: 'list', of });
const map = (of: Shape): Shape => ({ t: 'map', of });
const obj = (fields: Record<string, Shape>): Shape => ({ t: 'object', fields });
const nullable = (of: Shape): Shape => ({ t: 'nullable', of });
const oneOf = (...values: string[]): Shape => ({ t: 'enum', values });
const required = (of: Shape): Shape => ({ t: 'required', of });

const labels = map(str);
const strings = list(str);
const labelSelector = obj({
  matchLabels: labels,
  // Selector matching throws on an operator it does not know, as the API server refuses one.
  matchExpressions: list(obj({ key: required(str), operator: required(oneOf('In', 'NotIn', 'Exists', 'DoesNotExist')), values: strings })),
});
const containerPort = obj({ name: str, containerPort: port, protocol: str });
const container = obj({ name: str, image: str, ports: list(containerPort), restartPolicy: str, env: list(obj({ name: str, value: str })) });
// Times are `null` where the API server marshals a zero time (metav1.Time is never omitted).
const time = nullable(str);
const terminated = obj({ reason: str, exitCode: int, finishedAt: time });
const containerStatus = obj({
  name: str,
  ready: bool,
  restartCount: int,
  image: str,
  started: bool,
  state: obj({ running: obj({ startedAt: time }), waiting: obj({ reason: str, message: str }), terminated }),
  lastState: obj({ terminated }),
});
const condition = obj({ type: str, status: str, reason: str, message: str, lastTransitionTime: time });
const podSpec = obj({
  nodeName: str,
  serviceAccountName: str,
  containers: list(container),
  initContainers: list(container),
  hostNetwork: bool,
});
const destination = obj({ host: str, subset: str, port: obj({ number: port }) });
const routeDestination = list(obj({ destination, weight: int }));
const workloadSelector = obj({ labels });
const policyFields = {
  selector: nullable(obj({ matchLabels: labels })),
  targetRef: nullable(map({ t: 'any' })),
  targetRefs: nullable(list(map({ t: 'any' }))),
};
const policySpec = obj(policyFields);
const telemetryProviders = nullable(list(obj({ name: str })));
// The CRD's enums: the API server refuses any other value (istioctl reading a file accepts the numbers too).
const envoyApplyTo = oneOf(
  'INVALID',
  'LISTENER',
  'FILTER_CHAIN',
  'NETWORK_FILTER',
  'HTTP_FILTER',
  'ROUTE_CONFIGURATION',
  'VIRTUAL_HOST',
  'HTTP_ROUTE',
  'CLUSTER',
  'EXTENSION_CONFIG',
  'BOOTSTRAP',
  'LISTENER_FILTER',
);
const envoyOperation = oneOf(
  'INVALID',
  'MERGE',
  'ADD',
  'REMOVE',
  'INSERT_BEFORE',
  'INSERT_AFTER',
  'INSERT_FIRST',
  'REPLACE',
  'MERGE_AND_REPLACE_LIST',
);
// `rules: null` is how the API server writes an aggregated ClusterRole before it is filled in.
const rules = nullable(
  list(obj({ apiGroups: strings, resources: strings, resourceNames: strings, verbs: strings, nonResourceURLs: strings })),
);
const roleBinding = {
  roleRef: obj({ apiGroup: str, kind: str, name: str }),
  subjects: list(obj({ kind: str, name: str, namespace: str, apiGroup: str })),
};
const webhooks = {
  webhooks: list(
    obj({
      name: str,
      clientConfig: obj({ service: obj({ name: str, namespace: str, port, path: str }), url: nullable(str) }),
      namespaceSelector: labelSelector,
      objectSelector: labelSelector,
      rules: list(obj({ apiGroups: strings, apiVersions: strings, operations: strings, resources: strings })),
    }),
  ),
};

// Every kind's metadata. `labels: null` is as absent (the snapshot reader has always allowed it).
const metadata = obj({
  name: str,
  namespace: str,
  generateName: str,
  labels: nullable(labels),
  annotations: nullable(map(str)),
  ownerReferences: list(obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool })),
});

// NetworkPolicy: compile-policy reads every field defensively (null as absent) and reports a
// policy it cannot use; other readers (api-server stand-ins) iterate the lists, so only their
// types are held here.
const netpolPeer = nullable(
  obj({
    podSelector: nullable(labelSelector),
    namespaceSelector: nullable(labelSelector),
    ipBlock: nullable(obj({ cidr: str, except: nullable(strings) })),
  }),
);
const netpolPorts = nullable(list(nullable(obj({ protocol: nullable(str), port: nullable(portOrName), endPort: nullable(port) }))));

/** Per kind: the top-level fields (besides apiVersion, kind and metadata) checks read. */
const SHAPES: Readonly<Record<KindId, Readonly<Record<string, Shape>>>> = {
  'v1/Namespace': {},
  'v1/Node': {},
  'v1/Pod': {
    spec: podSpec,
    status: obj({
      phase: str,
      podIP: str,
      podIPs: list(obj({ ip: str })),
      hostIP: str,
      conditions: list(condition),
      containerStatuses: list(containerStatus),
      initContainerStatuses: list(containerStatus),
    }),
  },
  'v1/Service': {
    spec: obj({
      type: str,
      selector: labels,
      clusterIP: str,
      clusterIPs: strings,
      ports: list(obj({ name: str, port, targetPort: portOrName, protocol: str, appProtocol: str, nodePort: port0 })),
      externalName: str,
      publishNotReadyAddresses: bool,
      ipFamilies: strings,
    }),
  },
  'v1/ConfigMap': { data: map(str) },
  // Metadata only: a payload is checked by the Secret reader when one is read at all.
  'v1/Secret': { type: str },
  'v1/ServiceAccount': {},
  // `annotations:` with only comments under it is null in YAML; the API server reads it as absent.
  'apps/v1/Deployment': {
    spec: obj({
      replicas: int,
      selector: labelSelector,
      template: obj({ metadata: obj({ labels, annotations: nullable(map(str)) }), spec: podSpec }),
    }),
    status: obj({ replicas: int, readyReplicas: int, availableReplicas: int, updatedReplicas: int, conditions: list(condition) }),
  },
  'apps/v1/DaemonSet': {
    spec: obj({
      selector: labelSelector,
      template: obj({ metadata: obj({ labels, annotations: nullable(map(str)) }), spec: podSpec }),
    }),
    status: obj({
      desiredNumberScheduled: int,
      currentNumberScheduled: int,
      numberReady: int,
      numberAvailable: int,
      updatedNumberScheduled: int,
      numberMisscheduled: int,
    }),
  },
  'discovery.k8s.io/v1/EndpointSlice': {
    addressType: str,
    // Not omitempty in the API: an EndpointSlice without endpoints or ports has them as null.
    endpoints: nullable(
      list(
        obj({
          addresses: strings,
          conditions: obj({ ready: bool, serving: bool, terminating: bool }),
          targetRef: obj({ kind: str, name: str, namespace: str }),
          nodeName: str,
        }),
      ),
    ),
    ports: nullable(list(obj({ name: str, port: port0, protocol: str, appProtocol: str }))),
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    spec: obj({
      podSelector: nullable(labelSelector),
      policyTypes: nullable(list(str)),
      ingress: nullable(list(nullable(obj({ from: nullable(list(netpolPeer)), ports: netpolPorts })))),
      egress: nullable(list(nullable(obj({ to: nullable(list(netpolPeer)), ports: netpolPorts })))),
    }),
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    rules,
    aggregationRule: nullable(obj({ clusterRoleSelectors: nullable(list(labelSelector)) })),
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': roleBinding,
  'rbac.authorization.k8s.io/v1/Role': { rules },
  'rbac.authorization.k8s.io/v1/RoleBinding': roleBinding,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': webhooks,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {},
  'networking.istio.io/v1/Gateway': {
    spec: obj({
      selector: labels,
      servers: list(
        obj({
          port: obj({ number: port, name: str, protocol: str, targetPort: port }),
          hosts: strings,
          tls: obj({ mode: str, credentialName: str, serverCertificate: str, privateKey: str, caCertificates: str }),
          name: str,
        }),
      ),
    }),
  },
  'networking.istio.io/v1/VirtualService': {
    spec: obj({
      hosts: strings,
      gateways: strings,
      exportTo: strings,
      http: list(obj({ name: str, route: routeDestination, mirror: destination, mirrors: list(obj({ destination })) })),
      tcp: list(obj({ route: routeDestination })),
      tls: list(obj({ route: routeDestination })),
    }),
  },
  'networking.istio.io/v1/DestinationRule': {
    spec: obj({
      host: str,
      exportTo: strings,
      subsets: list(obj({ name: str, labels })),
      trafficPolicy: nullable(
        obj({
          tls: nullable(map({ t: 'any' })),
          portLevelSettings: nullable(list(nullable(obj({ port: nullable(map({ t: 'any' })), tls: nullable(map({ t: 'any' })) })))),
        }),
      ),
    }),
  },
  'networking.istio.io/v1/ServiceEntry': {
    spec: obj({
      hosts: strings,
      addresses: strings,
      ports: list(obj({ number: port, protocol: str, name: str, targetPort: port })),
      location: str,
      resolution: str,
      exportTo: strings,
      workloadSelector,
    }),
  },
  'networking.istio.io/v1/WorkloadEntry': {},
  'networking.istio.io/v1/Sidecar': { spec: obj({ workloadSelector }) },
  'networking.istio.io/v1alpha3/EnvoyFilter': {
    spec: obj({
      priority: nullable(int),
      configPatches: nullable(
        list(
          nullable(
            obj({
              applyTo: envoyApplyTo,
              match: nullable(
                obj({
                  proxy: nullable(obj({ proxyVersion: str })),
                  listener: nullable(obj({ filterChain: nullable(obj({ filter: nullable(obj({ name: str })) })) })),
                }),
              ),
              patch: nullable(obj({ operation: envoyOperation, value: nullable(map({ t: 'any' })) })),
            }),
          ),
        ),
      ),
    }),
  },
  'security.istio.io/v1/AuthorizationPolicy': { spec: policySpec },
  'security.istio.io/v1/PeerAuthentication': {},
  'security.istio.io/v1/RequestAuthentication': { spec: policySpec },
  'telemetry.istio.io/v1/Telemetry': {
    spec: obj({
      ...policyFields,
      accessLogging: nullable(list(nullable(obj({ providers: telemetryProviders, disabled: nullable(bool) })))),
      tracing: nullable(list(nullable(obj({ providers: telemetryProviders })))),
    }),
  },
  'extensions.istio.io/v1alpha1/WasmPlugin': { spec: policySpec },
  'networking.istio.io/v1beta1/ProxyConfig': {
    spec: obj({ selector: nullable(obj({ matchLabels: labels })), image: nullable(obj({ imageType: str })) }),
  },
  'gateway.networking.k8s.io/v1/Gateway': {},
  'gateway.networking.k8s.io/v1/HTTPRoute': {},
  'gateway.networking.k8s.io/v1/GRPCRoute': {},
};

const SEEN_LIMIT = 10;

/**
 * The wrong-typed fields of `obj` among those checks read, as `spec.ports must be a list, found "80"`
 * (at most a few per object). Empty when the object is fine. Pure: the same for a file or a server.
 */
export function validateObject(kind: KindId, obj: KubeObject): string[] {
  const problems: string[] = [];
  const shape = SHAPES[kind];
  const rec = obj as Record<string, unknown>;
  check(rec.metadata, metadata, 'metadata', problems);
  for (const field in shape) {
    const value = rec[field];
    if (value !== undefined) check(value, shape[field]!, field, problems);
    if (problems.length >= SEEN_LIMIT) break;
  }
  return problems;
}

function check(value: unknown, shape: Shape, path: string, problems: string[]): void {
  if (problems.length >= SEEN_LIMIT) return;
  switch (shape.t) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') problems.push(`${path} must be a string, found ${describeValue(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path} must be true or false, found ${describeValue(value)}`);
      return;
    case 'integer':
      if (!Number.isSafeInteger(value)) problems.push(`${path} must be an integer, found ${describeValue(value)}`);
      return;
    case 'port':
      if (shape.orName === true && typeof value === 'string') return;
      if (!Number.isInteger(value) || (value as number) < shape.min || (value as number) > 65535) {
        problems.push(
          `${path} must be a port number (${shape.min}–65535)${shape.orName === true ? ' or a port name' : ''}, found ${describeValue(value)}`,
        );
      }
      return;
    case 'list':
      if (!Array.isArray(value)) {
        problems.push(`${path} must be a list, found ${describeValue(value)}`);
        return;
      }
      for (let i = 0; i < value.length && problems.length < SEEN_LIMIT; i++) check(value[i], shape.of, `${path}[${i}]`, problems);
      return;
    case 'map':
      if (!isMapping(value)) {
        problems.push(`${path} must be a mapping, found ${describeValue(value)}`);
        return;
      }
      for (const key in value) {
        if (problems.length >= SEEN_LIMIT) return;
        if (Object.hasOwn(value, key)) check(value[key], shape.of, `${path}.${key}`, problems);
      }
      return;
    case 'nullable':
      if (value !== null) check(value, shape.of, path, problems);
      return;
    case 'required':
      check(value, shape.of, path, problems);
      return;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value))
        problems.push(`${path} must be one of ${shape.values.join(', ')}, found ${describeValue(value)}`);
      return;
    case 'object':
      if (!isMapping(value)) {
        problems.push(`${path} must be a mapping, found ${describeValue(value)}`);
        return;
      }
      for (const key in shape.fields) {
        const v = Object.hasOwn(value, key) ? value[key] : undefined;
        const field = shape.fields[key]!;
        if (v !== undefined) check(v, field, `${path}.${key}`, problems);
        else if (field.t === 'required') problems.push(`${path}.${key} is required`);
      }
      return;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value received, short enough for one line (and never a walk of a large or shared value). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty mapping';
    const shown = keys
      .slice(0, 3)
      .map((k) => clip(k, 20))
      .join(', ');
    return `a mapping (${shown}${keys.length > 3 ? ', …' : ''})`;
  }
  if (typeof value === 'string') return JSON.stringify(clip(value, 40));
  return String(value);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
