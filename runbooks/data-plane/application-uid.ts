import { defineCheck } from '../../src/engine/check.ts';
import type { KubeObject, Pod } from '../../src/k8s/objects.ts';
import { IGNORED_NAMESPACES, ISTIO_PROXY, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's deployment.ApplicationUIDAnalyzer (Metadata name applicationUID.Analyzer,
// pkg/config/analysis/analyzers/deployment/pod.go). IST0144 on a Pod or Deployment whose pod
// securityContext.runAsUser is 1337, and once more for each container (not init containers; not
// istio-proxy or istio-operator) whose own securityContext.runAsUser is 1337. istioctl prints those
// identical findings once (its output is de-duplicated), so here one finding names every place. Objects labelled `istio` (any value) or release=istio are
// the control plane and skipped; for a Deployment those are its own labels, not its template's.
// Objects istioctl does not read are skipped (kube-system and its peers; another revision's Deployments).
const SIDECAR_UID = 1337;
const EXEMPT_CONTAINERS: ReadonlySet<string> = new Set([ISTIO_PROXY, 'istio-operator']);

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function runAsUser(holder: unknown): unknown {
  return record(record(holder)?.securityContext)?.runAsUser;
}

/** The places in a pod spec that run an application as the proxy's UID, as evidence paths. */
function offendingFields(spec: Pod['spec'], prefix: string): string[] {
  const found: string[] = [];
  if (runAsUser(spec) === SIDECAR_UID) found.push(`${prefix}.securityContext.runAsUser`);
  (spec?.containers ?? []).forEach((c, i) => {
    if (!EXEMPT_CONTAINERS.has(c.name) && runAsUser(c) === SIDECAR_UID) found.push(`${prefix}.containers[${i}].securityContext.runAsUser`);
  });
  return found;
}

function evidenceOf(fields: readonly string[]): Record<string, number> {
  return Object.fromEntries(fields.map((f) => [f, SIDECAR_UID]));
}

function isControlPlane(obj: KubeObject): boolean {
  const labels = obj.metadata.labels ?? {};
  return Object.hasOwn(labels, 'istio') || labels.release === 'istio';
}

export default defineCheck({
  id: 'application-uid',
  title: 'No application runs as the proxy user (UID 1337)',
  description: 'No Pod or Deployment runs the pod or an application container as user ID 1337, which Istio reserves for its sidecar.',
  why: "The sidecar's traffic rules let everything sent by UID 1337 bypass the proxy, so an application running as that user leaves the mesh: no mTLS, no policy, no telemetry.",
  inputs: ['v1/Pod', 'apps/v1/Deployment'],
  analyzer: 'applicationUID.Analyzer',
  docs: '/concepts/mesh/#application-uid',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod').filter((p) => !IGNORED_NAMESPACES.has(namespaceOf(p)) && !isControlPlane(p));
    for (const pod of pods) {
      const fields = offendingFields(pod.spec, 'spec');
      if (fields.length === 0) continue;
      ctx.report('IST0144', { kind: 'Pod', namespace: namespaceOf(pod), name: pod.metadata.name }, {}, { evidence: evidenceOf(fields) });
    }
    const deployments = ctx.list('apps/v1/Deployment').filter((d) => inAnalyzedRevision(d) && !isControlPlane(d));
    for (const d of deployments) {
      const fields = offendingFields(d.spec?.template?.spec, 'spec.template.spec');
      if (fields.length === 0) continue;
      ctx.report('IST0144', { kind: 'Deployment', namespace: namespaceOf(d), name: d.metadata.name }, {}, { evidence: evidenceOf(fields) });
    }
  },
});
