// service-endpoints beyond its fixture cases: messages name the values that prove a stale EndpointSlice.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('service-endpoints', () => {
  // Messages are what operators read first: pin a few exactly, so a wording change is deliberate.
  it('says what is wrong, with the values that prove it', async () => {
    const endpoints = await runCase('service-endpoints/service-endpoints-bad.yaml');
    const byResource = (name: string): string[] => endpoints.findings.filter((f) => f.resource.name === name).map((f) => f.message);
    expect(byResource('reviews-8xk2p')).toEqual([
      'EndpointSlice bookinfo/reviews-8xk2p lists 10.244.2.40 as a ready endpoint of Service bookinfo/reviews, but the pod it names (reviews-v3-5b9c8d7e6-zzzzz) no longer exists and no pod has this IP: stale EndpointSlice, proxies will send requests to it.',
    ]);
    expect(byResource('reviews')).toEqual([
      'Pod reviews-v3-5b9c8d7e6-lllll (10.244.2.45) is Running and Ready and matches Service bookinfo/reviews, but no EndpointSlice lists it as a ready endpoint: stale EndpointSlice, istiod will not route to it.',
    ]);
    expect(byResource('ratings-m2n3b')[0]).toContain('pod ratings-debug has this IP and no longer matches the selector');
    expect(byResource('mongodb-z9x8c')[0]).toContain('the pod it names (mongodb-0) now has IP 10.244.2.70');
  });
});
