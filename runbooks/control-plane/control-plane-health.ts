import { defineCheck } from '../../src/engine/check.ts';
import { imageOf, imageTag, isControlPlane, podsOfDeployment, revisionOf } from '../../src/mesh/control-plane.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// A container that restarted this often is crash-looping or being OOM-killed, not unlucky.
const RESTART_WARNING = 3;

export default defineCheck({
  id: 'control-plane-health',
  title: 'The Istio control plane is running',
  description:
    "An istiod Deployment (or Istio 1.0's istio-pilot) exists, all its replicas are ready and available, and its containers are not restarting over and over. Reports the version and revision of each control plane found.",
  why: 'Every sidecar and gateway gets its routes, endpoints and certificates from istiod. When it is missing or not ready, the mesh freezes in its last state: new pods are not injected, new endpoints are not pushed and certificates are not renewed.',
  inputs: ['apps/v1/Deployment', 'v1/Pod'],
  docs: '/concepts/mesh/#control-plane-health',
  analyze(ctx) {
    const planes = ctx.list('apps/v1/Deployment').filter(isControlPlane);

    if (planes.length === 0) {
      // The finding needs a resource an operator recognizes and can open. istio-system is where
      // istiod lives in nearly every install (and where `istioctl install` puts it), so the
      // Namespace stands for "the control plane's home"; a synthetic "Cluster" kind would name
      // nothing. A run limited with -n may have read only that namespace (the live source lists
      // just it; the snapshot source reads everything and the runner filters findings), so the
      // data decides: when nothing outside that namespace was seen, say only what was seen.
      const deployments = ctx.list('apps/v1/Deployment');
      const limited = ctx.namespace !== undefined && [...deployments, ...ctx.list('v1/Pod')].every((o) => namespaceOf(o) === ctx.namespace);
      ctx.report(
        'MB0101',
        { kind: 'Namespace', name: limited ? ctx.namespace! : ISTIO_NAMESPACE },
        { scope: limited ? `in namespace ${ctx.namespace}, the only one this run reads` : 'anywhere in the cluster' },
        {
          evidence: {
            'Deployments read': deployments.length,
            'Deployments named istiod, istiod-<rev>, istio-pilot or labelled app=istiod': 0,
            ...(limited ? { 'run limited to namespace': ctx.namespace! } : {}),
          },
          ...(limited ? { fix: 'run-limited-to-namespace', fixParams: { namespace: ctx.namespace! } } : { fix: 'install-istio' }),
        },
      );
      return;
    }

    for (const d of planes) {
      const ns = namespaceOf(d);
      const resource = { kind: 'Deployment', namespace: ns, name: d.metadata.name };
      const image = imageOf(d);
      const version = imageTag(image);
      const revision = revisionOf(d);
      const identity = { image: image ?? '(none)', version, 'istio.io/rev': revision };

      // Kubernetes defaults spec.replicas to 1. A Deployment with no status at all comes from a
      // manifest rather than from a cluster, so its readiness is unknown, not zero.
      const desired = d.spec?.replicas ?? 1;
      const ready = d.status?.readyReplicas ?? 0;
      const available = d.status?.availableReplicas ?? 0;
      const hasStatus = d.status !== undefined;
      if (hasStatus && (desired === 0 || Math.min(ready, available) < desired)) {
        const condition = d.status?.conditions?.find((c) => c.type === 'Available');
        ctx.report(
          'MB0102',
          resource,
          { deployment: fullName(d), ready, available, desired },
          {
            evidence: {
              'spec.replicas': desired,
              'status.readyReplicas': ready,
              'status.availableReplicas': available,
              ...(condition === undefined
                ? {}
                : { 'status.conditions[Available]': `${condition.status}${condition.reason ? ` (${condition.reason})` : ''}` }),
              ...identity,
            },
            ...(desired === 0
              ? { fix: 'scaled-to-zero', fixParams: { namespace: ns, name: d.metadata.name, revision } }
              : { fix: 'not-ready', fixParams: { namespace: ns, name: d.metadata.name } }),
          },
        );
      } else {
        ctx.report(
          'MB0104',
          resource,
          { deployment: fullName(d), version, revision },
          {
            evidence: {
              ...identity,
              replicas: hasStatus ? `${ready}/${desired} ready` : 'unknown (no status in the snapshot)',
            },
            fix: 'nothing-to-fix',
          },
        );
      }

      // A Deployment's own pods: its selector, and its ReplicaSet — revisions of istiod share labels
      // (istio=pilot), so the selector alone would charge one revision's restarts to another.
      for (const pod of podsOfDeployment(d, ctx.list('v1/Pod', { namespace: ns }))) {
        for (const status of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
          const restarts = status.restartCount ?? 0;
          if (restarts < RESTART_WARNING) continue;
          const last = status.lastState?.terminated;
          ctx.report(
            'MB0103',
            { kind: 'Pod', namespace: ns, name: pod.metadata.name },
            { pod: fullName(pod), container: status.name, restarts },
            {
              evidence: {
                [`status.containerStatuses[${status.name}].restartCount`]: restarts,
                ...(last?.reason === undefined
                  ? {}
                  : { [`status.containerStatuses[${status.name}].lastState.terminated.reason`]: last.reason }),
                ...(last?.exitCode === undefined
                  ? {}
                  : { [`status.containerStatuses[${status.name}].lastState.terminated.exitCode`]: last.exitCode }),
                ...(typeof last?.finishedAt === 'string'
                  ? { [`status.containerStatuses[${status.name}].lastState.terminated.finishedAt`]: last.finishedAt }
                  : {}),
                deployment: fullName(d),
                ...identity,
              },
              ...(last?.reason === 'OOMKilled'
                ? { fix: 'oom-killed' }
                : { fix: 'read-previous-log', fixParams: { namespace: ns, pod: pod.metadata.name, container: status.name } }),
            },
          );
        }
      }
    }
  },
});
