import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/k8s/objects.ts';
import { buildNetpolIndex, serviceTargets } from '../../src/reachability/netpol/index.ts';
import { namespaces, pods } from './world.ts';

function service(ref: string, spec: Service['spec']): Service {
  const [namespace, name] = ref.split('/') as [string, string];
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

describe('serviceTargets', () => {
  const index = buildNetpolIndex({ pods, namespaces, policies: [] });
  const summarize = (svc: Service) => {
    const { targets, unresolved } = serviceTargets(index, svc);
    return {
      targets: targets.map(
        (t) =>
          `${t.servicePort.port}→${t.podClass.pods.map((p) => p.metadata.name).join('+')}:${t.port.protocol}/${t.port.port}${t.port.name ? `(${t.port.name})` : ''}`,
      ),
      unresolved: unresolved.map((u) => `${u.servicePort.port}→${u.podClass.pods.map((p) => p.metadata.name).join('+')}: ${u.reason}`),
    };
  };

  it('resolves numeric, defaulted and named targetPorts per class', () => {
    const svc = service('default/redis', {
      selector: { role: 'db' },
      ports: [
        { name: 'redis', port: 6379, targetPort: 'redis' },
        { name: 'metrics', port: 9121 },
        { name: 'syslog', port: 514, protocol: 'UDP', targetPort: 514 },
      ],
    });
    expect(summarize(svc)).toEqual({
      targets: [
        '6379→db+db-2:TCP/6379(redis)',
        '6379→db-alt:TCP/7000(redis)',
        '9121→db+db-2:TCP/9121',
        '9121→db-alt:TCP/9121',
        '514→db+db-2:UDP/514',
        '514→db-alt:UDP/514',
      ],
      unresolved: [],
    });
  });

  it('reports a named targetPort a class does not declare (name and protocol must both match)', () => {
    const svc = service('default/redis', { selector: { role: 'db' }, ports: [{ port: 514, protocol: 'TCP', targetPort: 'syslog' }] });
    expect(summarize(svc).unresolved).toEqual([
      '514→db+db-2: the pods declare no TCP container port named "syslog"',
      '514→db-alt: the pods declare no TCP container port named "syslog"',
    ]);
  });

  it('selects only in the Service namespace, and nothing without a selector or for ExternalName', () => {
    expect(summarize(service('prod/clients', { selector: { role: 'client' }, ports: [{ port: 80 }] })).targets).toEqual([
      '80→client:TCP/80',
    ]);
    expect(summarize(service('default/manual', { ports: [{ port: 80 }] })).targets).toEqual([]);
    expect(summarize(service('default/empty', { selector: {}, ports: [{ port: 80 }] })).targets).toEqual([]);
    expect(
      summarize(
        service('default/ext', { type: 'ExternalName', externalName: 'example.com', selector: { role: 'db' }, ports: [{ port: 80 }] }),
      ).targets,
    ).toEqual([]);
  });
});
