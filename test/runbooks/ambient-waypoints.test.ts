// ambient-waypoints beyond its fixture cases: what each finding says and the evidence it points at.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('ambient-waypoints', () => {
  it('names the missing listener, the binding and the traffic type in istiod terms', async () => {
    const result = await runCase('ambient-waypoints/waypoints-bad.yaml');
    const by = (code: string, name: string) => result.findings.find((f) => f.code === code && f.resource.name === name);

    expect(by('MB0720', 'broken')?.message).toBe(
      'Waypoint shop/broken has no listener on port 15008 with protocol HBONE (listeners: http 80/HTTP); ztunnel reaches waypoints only through HBONE on 15008.',
    );
    expect(by('MB0720', 'broken')?.remediation).toContain('"port":15008,"protocol":"HBONE"');
    expect(by('MB0722', 'broken')?.message).toContain('no Programmed condition');
    expect(by('MB0722', 'pending')?.message).toContain('Programmed=False, reason AddressNotAssigned');
    expect(by('MB0723', 'typo')?.message).toContain('istio.io/waypoint-for=services');

    expect(by('MB0724', 'reviews')?.message).toBe(
      'Service shop/reviews asks for waypoint shop/reviews-waypoint (istio.io/use-waypoint), and no such Gateway exists.',
    );
    expect(by('MB0724', 'reviews')?.remediation).toContain('istioctl waypoint apply -n shop --name reviews-waypoint');

    const ns = by('MB0725', 'shop');
    expect(ns?.resource.kind).toBe('Namespace');
    expect(ns?.message).toBe(
      'Namespace shop binds service traffic to waypoint shop/workload-only, whose istio.io/waypoint-for=workload does not serve it.',
    );
    expect(ns?.evidence?.['Services that inherit it']).toBe('2: Service legacy, Service productpage');

    const pods = by('MB0725', 'ratings-v1');
    expect(pods?.resource.kind).toBe('Deployment');
    expect(pods?.message).toContain('binds workload traffic to waypoint shop/svc-only, whose istio.io/waypoint-for=service');

    expect(by('MB0726', 'invoices')?.message).toBe(
      'Service billing/invoices uses waypoint shop/svc-only, whose HBONE listener does not admit namespace billing (from: Same (namespace shop only)).',
    );
    expect(by('MB0726', 'invoices')?.remediation).toContain('kubernetes.io/metadata.name: billing');
    expect(by('MB0727', 'legacy')?.message).toContain('no istio.io/use-waypoint label');
    expect(result.findings[0]?.docs).toBe('/concepts/ambient/#ambient-waypoints');
  });
});
