import { defineCheck } from '../../src/engine/check.ts';
import type { Labels, LabelSelector, Pod } from '../../src/k8s/objects.ts';
import { matchesSelector } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, ISTIO_PROXY, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's injection.ImageAutoAnalyzer (pkg/config/analysis/analyzers/injection/
// image-auto.go). A container named istio-proxy with `image: auto` is a placeholder the injector
// fills in:
// - on a Pod it means injection already did not happen: IST0147, whatever the webhooks say;
// - on a Deployment, IST0146 unless some webhook of a MutatingWebhookConfiguration whose name ends
//   in "istio.io" selects its pods: its namespaceSelector matches the namespace's labels (none when
//   the Namespace is not there) and its objectSelector the pod template's labels (absent selector:
//   everything).
// Only `containers` are looked at, not init containers. Objects istioctl does not read are skipped
// (Pods in kube-system and its peers; Deployments and webhook configurations of another revision).
const AUTO_IMAGE = 'auto';

function hasAutoImage(spec: Pod['spec']): boolean {
  return (spec?.containers ?? []).some((c) => c.name === ISTIO_PROXY && c.image === AUTO_IMAGE);
}

interface IstioWebhook {
  name: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

export default defineCheck({
  id: 'image-auto',
  title: '`image: auto` proxies are injected',
  description:
    'Every Deployment with an `istio-proxy` container of `image: auto` is selected by an Istio injection webhook, and no Pod still runs with that placeholder.',
  why: 'Only the injector replaces `auto` with the real proxy image; a pod that was not injected tries to pull an image called `auto` and its gateway never starts.',
  inputs: ['v1/Namespace', 'v1/Pod', 'apps/v1/Deployment', 'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration'],
  analyzer: 'injection.ImageAutoAnalyzer',
  docs: '/concepts/mesh/#image-auto',
  analyze(ctx) {
    const webhooks: IstioWebhook[] = ctx
      .list('admissionregistration.k8s.io/v1/MutatingWebhookConfiguration')
      .filter(inAnalyzedRevision)
      .flatMap((mwc) => (mwc.webhooks ?? []).map((w) => ({ ...w, name: w.name ?? '' })))
      .filter((w) => w.name.endsWith('istio.io'));
    for (const pod of ctx.list('v1/Pod')) {
      const ns = namespaceOf(pod);
      if (IGNORED_NAMESPACES.has(ns) || !hasAutoImage(pod.spec)) continue;
      ctx.report(
        'IST0147',
        { kind: 'Pod', namespace: ns, name: pod.metadata.name },
        { resourceType: 'Pod', resourceName: pod.metadata.name },
        { evidence: { [`container ${ISTIO_PROXY} image`]: AUTO_IMAGE } },
      );
    }
    for (const d of ctx.list('apps/v1/Deployment').filter(inAnalyzedRevision)) {
      if (!hasAutoImage(d.spec?.template?.spec)) continue;
      const ns = namespaceOf(d);
      const namespace = IGNORED_NAMESPACES.has(ns) ? undefined : ctx.find('v1/Namespace', '', ns);
      const nsLabels: Labels | undefined = namespace?.metadata.labels;
      const podLabels = d.spec?.template?.metadata?.labels;
      if (webhooks.some((w) => matchesSelector(w.namespaceSelector, nsLabels) && matchesSelector(w.objectSelector, podLabels))) continue;
      ctx.report(
        'IST0146',
        { kind: 'Deployment', namespace: ns, name: d.metadata.name },
        { resourceType: 'Deployment', resourceName: d.metadata.name },
        {
          evidence: {
            [`container ${ISTIO_PROXY} image`]: AUTO_IMAGE,
            'Istio injection webhooks': webhooks.length === 0 ? '(none)' : webhooks.map((w) => w.name).join(', '),
            'namespace labels':
              Object.entries(nsLabels ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(', ') || '(none)',
          },
        },
      );
    }
  },
});
