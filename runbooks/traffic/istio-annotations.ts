import { defineCheck } from '../../src/engine/check.ts';
import type { ResourceRef } from '../../src/engine/types.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { annotationValueProblem } from '../../src/istio/annotation-values.ts';
import { isIstioAnnotation, WRITTEN_BY_ISTIO } from '../../src/istio/annotation-names.ts';
import { ISTIO_ANNOTATIONS, type IstioAnnotation } from '../../src/istio/annotations.gen.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's annotations.K8sAnalyzer (pkg/config/analysis/analyzers/annotations/
// annotations.go) over Namespaces, Services, Pods and Deployments. An annotation is Istio's when
// its prefix (the part before the first '/', the whole name without one) ends in "istio.io", or it
// is kubernetes.io/ingress.class. Skipped: sidecar.istio.io/status, istio.io/rev and
// gateway.istio.io/controller-version, which Istio writes itself. For each other one, in order:
// not in istio.io/api's table → IST0108 (and nothing more); deprecated → IST0135 (not for the
// sidecar.istio.io/inject annotation when the label of that name is also set); placed on a kind its
// table entry does not list (Deployments are never listed: pod annotations belong on the pod
// template) → IST0107; a value the injector refuses → IST0125. Every finding is on the annotated
// object; several annotations give several findings. Objects istioctl does not read are skipped:
// those in kube-system and its peers, Deployments of another revision.
const SIDECAR_INJECT = 'sidecar.istio.io/inject';
const DEPRECATION_EXTRA: Readonly<Record<string, string>> = { [SIDECAR_INJECT]: ` in favor of the "${SIDECAR_INJECT}" label` };

const byName = new Map(ISTIO_ANNOTATIONS.map((a) => [a.name, a]));

function placedOn(def: IstioAnnotation): string[] {
  return def.resources.filter((r) => r !== 'Any');
}

type AnalyzedKind = 'Namespace' | 'Service' | 'Pod' | 'Deployment';

export default defineCheck({
  id: 'istio-annotations',
  title: 'Istio annotations are known, placed right and valid',
  description:
    'Every istio.io annotation on a Namespace, Service, Pod or Deployment is one Istio knows, sits on a kind it applies to, is not deprecated, and has a value the injector accepts.',
  why: 'Istio ignores an annotation it does not know or finds on the wrong kind, and the injector refuses a pod whose annotation values do not parse: the setting the author meant never applies.',
  inputs: ['v1/Namespace', 'v1/Service', 'v1/Pod', 'apps/v1/Deployment'],
  analyzer: 'annotations.K8sAnalyzer',
  docs: '/concepts/traffic-management/#istio-annotations',
  analyze(ctx) {
    const visit = (obj: KubeObject, kind: AnalyzedKind): void => {
      const resource: ResourceRef =
        kind === 'Namespace' ? { kind, name: obj.metadata.name } : { kind, namespace: namespaceOf(obj), name: obj.metadata.name };
      const annotations = obj.metadata.annotations ?? {};
      for (const name of Object.keys(annotations).sort()) {
        if (!isIstioAnnotation(name) || WRITTEN_BY_ISTIO.has(name)) continue;
        const value = annotations[name] ?? '';
        const evidence = { [`metadata.annotations.${name}`]: value };
        const def = byName.get(name);
        if (def === undefined) {
          ctx.report('IST0108', resource, { annotation: name }, { evidence });
          continue;
        }
        const replacedByLabel = name === SIDECAR_INJECT && obj.metadata.labels?.[SIDECAR_INJECT] !== undefined;
        if (def.deprecated && !replacedByLabel) {
          ctx.report('IST0135', resource, { annotation: name, extra: DEPRECATION_EXTRA[name] ?? '' }, { evidence });
        }
        if (def.resources.includes('Any')) continue;
        const kinds = placedOn(def);
        if (!kinds.includes(kind)) {
          ctx.report('IST0107', resource, { annotation: name, kind: kinds.join(', ') }, { evidence });
          continue;
        }
        const problem = annotationValueProblem(name, value);
        if (problem !== undefined) ctx.report('IST0125', resource, { annotation: name, problem }, { evidence });
      }
    };
    const seen = (o: KubeObject): boolean => !IGNORED_NAMESPACES.has(namespaceOf(o));
    for (const ns of ctx.list('v1/Namespace')) if (!IGNORED_NAMESPACES.has(ns.metadata.name)) visit(ns, 'Namespace');
    for (const svc of ctx.list('v1/Service').filter(seen)) visit(svc, 'Service');
    for (const pod of ctx.list('v1/Pod').filter(seen)) visit(pod, 'Pod');
    for (const d of ctx.list('apps/v1/Deployment').filter(inAnalyzedRevision)) visit(d, 'Deployment');
  },
});
