// istiod-api-access beyond its fixture cases: each missing permission, its verbs, and the rule to add.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('istiod-api-access', () => {
  it('names each missing permission, the verbs, and the rule to add to the bound ClusterRole', async () => {
    const result = await runCase('istiod-api-access/istiod-api-access-bad.yaml');
    const missing = result.findings.filter((f) => f.code === 'MB0302').map((f) => `${f.params.verbs} ${f.params.resource}`);
    expect(missing.sort()).toEqual([
      'create subjectaccessreviews.authorization.k8s.io',
      'create tokenreviews.authentication.k8s.io',
      'get, list, watch endpointslices.discovery.k8s.io',
      'get, list, watch peerauthentications.security.istio.io',
      'get, list, watch requestauthentications.security.istio.io',
      'watch services',
    ]);
    const slices = result.findings.find((f) => f.params.resource === 'endpointslices.discovery.k8s.io')!;
    expect(slices.message).toBe(
      'ServiceAccount istio-system/istiod may not get, list, watch endpointslices.discovery.k8s.io across the cluster, which istiod needs to map each Service to its workload IPs (R1).',
    );
    expect(slices.evidence?.['granted only in namespaces (RoleBinding; istiod watches all namespaces)']).toBe('shop');
    expect(slices.evidence?.['roles bound to it']).toContain('ClusterRole istiod-extras (not found)');
    expect(slices.remediation).toContain('kubectl patch clusterrole istiod-trimmed --type=json');
    expect(slices.remediation).toContain(
      '{"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":["get","list","watch"]}',
    );
    const services = result.findings.find((f) => f.params.resource === 'services')!;
    expect(services.evidence?.['granted verbs']).toBe(
      'get (ClusterRole istiod-trimmed rules[1]), list (ClusterRole istiod-trimmed rules[1])',
    );
  });
});
