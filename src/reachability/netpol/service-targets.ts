// Service port → (pod class, target port): the destinations of a reachability sweep. Policies
// never see Service IPs or Service ports (kube-proxy or the CNI translates to a pod IP and
// targetPort first), so every Service port is evaluated as the pods it selects on targetPort.

import type { Service, ServicePort } from '../../k8s/objects.ts';
import { matchesLabels } from '../../k8s/selectors.ts';
import type { NetpolIndex } from './netpol-index.ts';
import type { PodClass, PortQuery, Protocol } from './types.ts';
import { PROTOCOLS } from './compile-policy.ts';

export interface ServiceTarget {
  servicePort: ServicePort;
  podClass: PodClass;
  /** The port on the pods: the targetPort, resolved per class when it is a name. */
  port: PortQuery;
}

export interface UnresolvedTarget {
  servicePort: ServicePort;
  podClass: PodClass;
  /** Why the class serves no port for this Service port (a named targetPort the pods do not declare). */
  reason: string;
}

export interface ServiceTargets {
  readonly targets: readonly ServiceTarget[];
  readonly unresolved: readonly UnresolvedTarget[];
}

/** The (class, port) pairs behind a Service's ports; selector-less and ExternalName Services have none. */
export function serviceTargets(index: NetpolIndex, service: Service): ServiceTargets {
  const targets: ServiceTarget[] = [];
  const unresolved: UnresolvedTarget[] = [];
  const selector = service.spec?.selector;
  // An absent or empty selector means endpoints are managed elsewhere: no pods are selected.
  if (service.spec?.type === 'ExternalName' || selector === undefined || Object.keys(selector).length === 0) return { targets, unresolved };
  const namespace = service.metadata.namespace ?? 'default';
  const classes = index.classesIn(namespace).filter((c) => matchesLabels(selector, c.labels));
  for (const servicePort of service.spec?.ports ?? []) {
    const protocol = (servicePort.protocol ?? 'TCP') as Protocol;
    if (!PROTOCOLS.includes(protocol)) continue;
    const target = servicePort.targetPort ?? servicePort.port;
    for (const podClass of classes) {
      if (typeof target === 'number') {
        targets.push({ servicePort, podClass, port: { protocol, port: target === 0 ? servicePort.port : target } });
        continue;
      }
      // A named targetPort resolves per pod, by name and protocol (as the EndpointSlice controller does).
      const numbers = podClass.namedPorts.get(`${target}/${protocol}`);
      const port = numbers?.[0];
      if (port === undefined) {
        unresolved.push({
          servicePort,
          podClass,
          reason: `the pods declare no ${protocol} container port named ${JSON.stringify(target)}`,
        });
      } else {
        targets.push({ servicePort, podClass, port: { protocol, port, name: target } });
      }
    }
  }
  return { targets, unresolved };
}
