// How the telemetry providers are read from the mesh ConfigMap: merged over Istio's built-in
// providers by name, and the defaults whenever istiod would reject the mesh config.

import { describe, expect, it } from 'vitest';
import { meshProviders, providersOfKind } from '../../src/istio/mesh-providers.ts';
import type { ConfigMap } from '../../src/k8s/objects.ts';

const meshMap = (mesh: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh },
});

const lightstep = 'lightstep: { service: ls.tracing.svc.cluster.local, port: 8184, accessToken: t }';

describe('meshProviders', () => {
  it('has the three built-in providers and no default access logging without a ConfigMap', () => {
    const read = meshProviders(undefined);
    expect([...read.extensionProviders.keys()]).toEqual(['prometheus', 'stackdriver', 'envoy']);
    expect(read.defaultAccessLogging).toEqual([]);
    expect(read.source).toBe('Istio defaults');
  });

  it('takes extension providers under either spelling, a later one replacing an earlier name', () => {
    const read = meshProviders(meshMap(`extension_providers:\n  - { name: envoy, ${lightstep} }\n  - { name: ls, ${lightstep} }`));
    expect(providersOfKind(read, 'lightstep')).toEqual(['envoy', 'ls']);
    expect(read.source).toBe('ConfigMap istio-system/istio key mesh');
  });

  it('prefers the JSON spelling when both are given, and keeps providers istiod only warns about', () => {
    const read = meshProviders(
      meshMap(
        `extension_providers: [{ name: ls, ${lightstep} }]\nextensionProviders: [{ lightstep: { port: 0 } }, { name: zk, zipkin: {} }]`,
      ),
    );
    expect(providersOfKind(read, 'lightstep')).toEqual(['']);
    expect(read.extensionProviders.get('zk')).toBe('zipkin');
  });

  it.each([
    ['extensionProviders that is not a list', 'extensionProviders: { name: ls }', 'extensionProviders is not a list'],
    ['a provider name that is not a string', `extensionProviders: [{ name: 7, ${lightstep} }]`, 'name is not a string'],
    ['default providers that are not names', 'defaultProviders: { accessLogging: envoy }', 'not a list of names'],
    ['a mesh config that is not YAML', 'extensionProviders:\n\t- name: ls', 'not valid YAML'],
  ])('falls back to the defaults on %s', (_case, mesh, why) => {
    const read = meshProviders(meshMap(mesh));
    expect(read.source).toContain(why);
    expect(providersOfKind(read, 'lightstep')).toEqual([]);
  });

  it('reads defaultProviders only under its JSON name, and the list inside under either', () => {
    expect(meshProviders(meshMap('defaultProviders: { access_logging: [envoy] }')).defaultAccessLogging).toEqual(['envoy']);
    expect(meshProviders(meshMap('default_providers: { accessLogging: [envoy] }')).defaultAccessLogging).toEqual([]);
    expect(meshProviders(meshMap('defaultProviders: { accessLogging: [] }')).defaultAccessLogging).toEqual([]);
  });
});
