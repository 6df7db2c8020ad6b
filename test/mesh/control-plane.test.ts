// Control-plane facts shared by control-plane-health, istiod-api-access and control-ports.

import { describe, expect, it } from 'vitest';
import type { Deployment, Pod } from '../../src/k8s/objects.ts';
import { isControlPlane, podsOfDeployment, revisionOf, serviceAccountOf } from '../../src/mesh/control-plane.ts';

const deployment = (name: string, selector: Record<string, string>, spec: Record<string, unknown> = {}): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'istio-system' },
  spec: { selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec } },
});
const pod = (name: string, labels: Record<string, string>, owner?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'istio-system',
    labels,
    ...(owner === undefined ? {} : { ownerReferences: [{ kind: 'ReplicaSet', name: owner, controller: true }] }),
  },
});

describe('podsOfDeployment', () => {
  // Every revision's pods carry istio=pilot, the default revision's selector.
  const stable = deployment('istiod', { istio: 'pilot' });
  const canary = deployment('istiod-canary', { app: 'istiod', 'istio.io/rev': 'canary' });
  const pods = [
    pod('istiod-7b69d4f8c9-4xq2n', { istio: 'pilot', app: 'istiod', 'pod-template-hash': '7b69d4f8c9' }, 'istiod-7b69d4f8c9'),
    pod(
      'istiod-canary-58d4c7b9f6-k7m2p',
      { istio: 'pilot', app: 'istiod', 'istio.io/rev': 'canary', 'pod-template-hash': '58d4c7b9f6' },
      'istiod-canary-58d4c7b9f6',
    ),
    pod('istiod-canary-58d4c7b9f6-x1y2z', { istio: 'pilot', app: 'istiod', 'istio.io/rev': 'canary', 'pod-template-hash': '58d4c7b9f6' }),
    pod('istiod-debug', { istio: 'pilot' }),
  ];
  it("keeps a revision's pods out of another revision whose selector matches them", () => {
    expect(podsOfDeployment(stable, pods).map((p) => p.metadata.name)).toEqual(['istiod-7b69d4f8c9-4xq2n', 'istiod-debug']);
    expect(podsOfDeployment(canary, pods).map((p) => p.metadata.name)).toEqual([
      'istiod-canary-58d4c7b9f6-k7m2p',
      'istiod-canary-58d4c7b9f6-x1y2z',
    ]);
  });
});

describe('control plane identity', () => {
  it.each<[string, Deployment, string]>([
    ['serviceAccountName', deployment('istiod', {}, { serviceAccountName: 'istiod' }), 'istiod'],
    ['the deprecated serviceAccount field', deployment('istiod', {}, { serviceAccount: 'pilot' }), 'pilot'],
    ['neither: Kubernetes uses default', deployment('istiod', {}), 'default'],
  ])('ServiceAccount from %s', (_name, d, expected) => {
    expect(serviceAccountOf(d)).toBe(expected);
  });

  it('knows istiod, its revisions and 1.0 Pilot', () => {
    expect(isControlPlane(deployment('istiod-canary', {}))).toBe(true);
    expect(isControlPlane(deployment('istio-pilot', {}))).toBe(true);
    expect(isControlPlane(deployment('istio-ingressgateway', {}))).toBe(false);
    expect(revisionOf(deployment('istiod-canary', {}))).toBe('canary');
    expect(revisionOf(deployment('istiod', {}))).toBe('default');
  });
});
