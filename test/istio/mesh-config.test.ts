import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../src/k8s/objects.ts';
import { addressesAutoAllocated, meshFacts } from '../../src/istio/mesh-config.ts';

function cm(mesh: string | undefined): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system' },
    data: mesh === undefined ? {} : { mesh },
  };
}

describe('meshFacts / addressesAutoAllocated', () => {
  it('uses the defaults without a ConfigMap or mesh key', () => {
    expect(addressesAutoAllocated(meshFacts(undefined))).toBe(false);
    expect(meshFacts(cm(undefined)).source).toBe('Istio defaults');
  });

  it('needs DNS capture and one of the auto-allocation switches', () => {
    const md = (entries: string) => cm(`defaultConfig:\n  proxyMetadata:\n${entries}`);
    expect(addressesAutoAllocated(meshFacts(md('    ISTIO_META_DNS_CAPTURE: "true"\n    ISTIO_META_DNS_AUTO_ALLOCATE: "true"\n')))).toBe(
      true,
    );
    expect(addressesAutoAllocated(meshFacts(md('    ISTIO_META_DNS_CAPTURE: "true"\n    PILOT_ENABLE_IP_AUTOALLOCATE: "true"\n')))).toBe(
      true,
    );
    expect(addressesAutoAllocated(meshFacts(md('    ISTIO_META_DNS_AUTO_ALLOCATE: "true"\n')))).toBe(false);
    expect(addressesAutoAllocated(meshFacts(md('    ISTIO_META_DNS_CAPTURE: "true"\n')))).toBe(false);
    expect(addressesAutoAllocated(meshFacts(md('    ISTIO_META_DNS_CAPTURE: "True"\n    ISTIO_META_DNS_AUTO_ALLOCATE: "true"\n')))).toBe(
      false,
    );
  });

  it('falls back to the defaults when the mesh config would not load', () => {
    const facts = meshFacts(
      cm('defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: true\n    ISTIO_META_DNS_AUTO_ALLOCATE: "true"\n'),
    );
    expect(addressesAutoAllocated(facts)).toBe(false);
    expect(facts.source).toContain('not a string');
    expect(meshFacts(cm('defaultConfig: [')).source).toContain('not valid YAML');
  });
});
