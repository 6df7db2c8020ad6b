// status-conditions beyond its fixture cases: the message carries the condition as istioctl prints
// it, and the evidence names the very condition (for a route, which parent it came from).

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('status-conditions', () => {
  it('reports a WorkloadEntry and the refusing parent of a GRPCRoute, with the condition they carry', async () => {
    const run = await runCase('status-conditions/vm-and-grpc.yaml');
    const byName = new Map(run.findings.map((f) => [f.resource.name, f]));
    expect([...byName.keys()].sort()).toEqual(['billing-vm', 'checkout-grpc']);

    const vm = byName.get('billing-vm');
    expect(vm?.resource.kind).toBe('WorkloadEntry');
    expect(vm?.message).toBe(
      'A condition with a negative status is present: type=istio.io/WaypointBound, reason=WaypointIsNotReady, message=waypoint shop/waypoint has no address.',
    );
    expect(vm?.evidence).toEqual({ 'status.conditions[0]': 'istio.io/WaypointBound=False (WaypointIsNotReady)' });

    const route = byName.get('checkout-grpc');
    expect(route?.resource.kind).toBe('GRPCRoute');
    expect(route?.message).toBe(
      'A condition with a negative status is present: type=ResolvedRefs, reason=BackendNotFound, message=backend(checkout-v2.shop.svc.cluster.local) not found.',
    );
    expect(route?.evidence).toEqual({ 'status.parents[1].conditions[1]': 'ResolvedRefs=False (BackendNotFound)' });
  });
});
