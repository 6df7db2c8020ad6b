import { defineCheck } from '../../src/engine/check.ts';
import type { Labels, Pod } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { ServiceIndex, toFqdn } from '../../src/istio/hosts.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';

const REGION = 'topology.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const SUBZONE = 'topology.istio.io/subzone';
const HOSTNAME = 'kubernetes.io/hostname';

// Mirrors istioctl's destinationrule.SubsetSelectPodAnalyzer:
// - the DestinationRule's host must be a Service or ServiceEntry visible from its namespace
//   (looked up like a VirtualService destination, with the DestinationRule's exportTo) → IST0174;
// - each subset's labels, merged over the ServiceEntry's workloadSelector (Services have none),
//   must select at least one pod anywhere in the cluster → IST0173. Pods are matched with the
//   labels istiod adds (label.AugmentLabels): region, zone and subzone from their Node's
//   topology labels, and kubernetes.io/hostname = spec.nodeName.
// Subsets with the same name count once. Pods and Services in the namespaces istioctl never
// reads (kube-system, …) do not count.
export default defineCheck({
  id: 'destinationrule-subsets',
  title: 'DestinationRule hosts exist and subsets select pods',
  description: 'Every DestinationRule names a host the mesh knows, and each of its subsets selects at least one pod.',
  why: 'A subset that selects no pod has no endpoints: requests routed to it fail with 503 UH (no healthy upstream). A DestinationRule for an unknown host configures nothing.',
  inputs: ['networking.istio.io/v1/DestinationRule', 'networking.istio.io/v1/ServiceEntry', 'v1/Service', 'v1/Pod', 'v1/Node'],
  analyzer: 'destinationrule.SubsetSelectPodAnalyzer',
  docs: '/concepts/traffic-management/#destinationrule-subsets',
  analyze(ctx) {
    const visible = <T extends { metadata: { namespace?: string } }>(o: T): boolean => !IGNORED_NAMESPACES.has(namespaceOf(o));
    const index = new ServiceIndex(ctx.list('networking.istio.io/v1/ServiceEntry'), ctx.list('v1/Service').filter(visible));
    const nodeLabels = new Map(ctx.list('v1/Node').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const podLabels = ctx
      .list('v1/Pod')
      .filter(visible)
      .map((p) => augmentLabels(p, nodeLabels));

    for (const dr of ctx.list('networking.istio.io/v1/DestinationRule')) {
      const ns = namespaceOf(dr);
      const resource = { kind: 'DestinationRule', namespace: ns, name: dr.metadata.name };
      const host = dr.spec?.host ?? '';
      const target = index.lookup(ns, dr.spec?.exportTo, host);
      if (target === undefined) {
        ctx.report(
          'IST0174',
          resource,
          { host },
          {
            evidence: { 'spec.host': host, 'looked up as': toFqdn(ns, host), 'visible from namespace': ns },
            ...(host.includes('.')
              ? { fix: 'host-not-visible', fixParams: { host, namespace: ns } }
              : { fix: 'short-name', fixParams: { host, fqdn: toFqdn(ns, host) } }),
          },
        );
        continue;
      }
      // One selector per subset name; a later subset with the same name replaces the earlier one.
      const selectors = new Map<string, Labels>();
      for (const subset of dr.spec?.subsets ?? []) {
        selectors.set(subset.name ?? '', { ...(target.workloadSelector ?? {}), ...(subset.labels ?? {}) });
      }
      for (const [name, selector] of selectors) {
        if (podLabels.some((labels) => matchesLabels(selector, labels))) continue;
        const evidence: Record<string, string | number> = {
          'spec.host': host,
          subsetSelects: selectorString(selector) || '(every pod)',
          'pods matching': 0,
        };
        if (target.workloadSelector !== undefined) {
          evidence.serviceEntry = `${target.source.namespace}/${target.source.name}`;
          evidence['serviceEntry.spec.workloadSelector'] = selectorString(target.workloadSelector);
        }
        ctx.report(
          'IST0173',
          resource,
          { subset: name },
          {
            evidence,
            ...(selectorString(selector) === ''
              ? { fix: 'no-pods-at-all', fixParams: { subset: name } }
              : { fix: 'no-pod-has-labels', fixParams: { selector: selectorString(selector) } }),
          },
        );
      }
    }
  },
});

// A pod's labels as istiod sees them: its own, plus locality from its Node and its node name.
function augmentLabels(pod: Pod, nodeLabels: ReadonlyMap<string, Labels>): Labels {
  const out: Labels = { ...(pod.metadata.labels ?? {}) };
  const nodeName = pod.spec?.nodeName ?? '';
  const node = nodeLabels.get(nodeName);
  if (node !== undefined) {
    // Round-trips through pilot's locality string like istioctl does: "region/zone/subzone",
    // cut short when the zone (or subzone) is empty, so a subzone without a zone is dropped.
    const region = node[REGION] ?? '';
    const zone = node[ZONE] ?? '';
    const subzone = node[SUBZONE] ?? '';
    const locality = zone === '' ? region : subzone === '' ? `${region}/${zone}` : `${region}/${zone}/${subzone}`;
    const [r = '', z = '', s = ''] = locality.split('/');
    if (r !== '') out[REGION] = r;
    if (z !== '') out[ZONE] = z;
    if (s !== '') out[SUBZONE] = s;
  }
  if (nodeName !== '') out[HOSTNAME] = nodeName;
  return out;
}
