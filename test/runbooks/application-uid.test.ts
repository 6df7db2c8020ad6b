// application-uid beyond its fixture cases: the message, and evidence naming every place.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('application-uid', () => {
  it("prints istioctl's message and names each runAsUser: 1337", async () => {
    const result = await runCase('application-uid/uid-bad.yaml');
    expect(new Set(result.findings.map((f) => f.message))).toEqual(new Set(['User ID (UID) 1337 is reserved for the sidecar proxy.']));
    const pod = result.findings.find((f) => f.resource.kind === 'Pod');
    expect(pod?.evidence).toEqual({ 'spec.securityContext.runAsUser': '1337', 'spec.containers[0].securityContext.runAsUser': '1337' });
    const search = result.findings.find((f) => f.resource.name === 'search');
    expect(search?.evidence).toEqual({ 'spec.template.spec.containers[1].securityContext.runAsUser': '1337' });
  });
});
