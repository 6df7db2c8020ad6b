import { defineCheck } from '../../src/engine/check.ts';
import { imageOf, imageTag, isControlPlane, podsOfDeployment, revisionOf } from '../../src/mesh/control-plane.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// A container that restarted this often is crash-looping or being OOM-killed, not unlucky.
const RESTART_WARNING = 3;

export default defineCheck({
  id: 'control-plane-health',
  title: 'The Istio control plane is running',
  description:
    'An istiod Deployment (or Istio 1.0\'s istio-pilot) exists, all its replicas are ready and available, and its containers are not restarting over and over. Reports the version and revision of each control plane found.',
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
      const limited =
        ctx.namespace !== undefined &&
        [...deployments, ...ctx.list('v1/Pod')].every((o) => namespaceOf(o) === ctx.namespace);
      ctx.report(
        'MB0101',
        { kind: 'Namespace', name: limited ? ctx.namespace! : 'istio-system' },
        { scope: limited ? `in namespace ${ctx.namespace}, the only one this run reads` : 'anywhere in the cluster' },
        {
          evidence: {
            'Deployments read': deployments.length,
            'Deployments named istiod, istiod-<rev>, istio-pilot or labelled app=istiod': 0,
            ...(limited ? { 'run limited to namespace': ctx.namespace! } : {}),
          },
          remediation: limited
            ? `This run only read namespace ${ctx.namespace}. Run again without a namespace limit, or limited to the namespace istiod runs in (usually istio-system).`
            : 'Install Istio (`istioctl install`, or the istio-base and istiod Helm charts), or point Meshbook at the cluster that runs it. If this cluster uses an external control plane, this check does not apply.',
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
        ctx.report('MB0102', resource, { deployment: fullName(d), ready, available, desired }, {
          evidence: {
            'spec.replicas': desired,
            'status.readyReplicas': ready,
            'status.availableReplicas': available,
            ...(condition === undefined ? {} : { 'status.conditions[Available]': `${condition.status}${condition.reason ? ` (${condition.reason})` : ''}` }),
            ...identity,
          },
          remediation:
            desired === 0
              ? `Scale it back up: \`kubectl -n ${ns} scale deploy/${d.metadata.name} --replicas=1\` (or what the install asks for); no pod of revision ${revision} can be injected or configured until then.`
              : `Run \`kubectl -n ${ns} describe deploy/${d.metadata.name}\` and \`kubectl -n ${ns} logs deploy/${d.metadata.name} -c discovery\`: look for image pull errors, unschedulable pods, or "Failed waiting for cache sync" (istiod cannot list or watch the API server, see R2).`,
        });
      } else {
        ctx.report('MB0104', resource, { deployment: fullName(d), version, revision }, {
          evidence: {
            ...identity,
            replicas: hasStatus ? `${ready}/${desired} ready` : 'unknown (no status in the snapshot)',
          },
          remediation: 'Nothing to fix. Compare this version with the proxies\' (`istioctl proxy-status`) when planning an upgrade.',
        });
      }

      // A Deployment's own pods: its selector, and its ReplicaSet — revisions of istiod share labels
      // (istio=pilot), so the selector alone would charge one revision's restarts to another.
      for (const pod of podsOfDeployment(d, ctx.list('v1/Pod', { namespace: ns }))) {
        for (const status of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
          const restarts = status.restartCount ?? 0;
          if (restarts < RESTART_WARNING) continue;
          const last = status.lastState?.terminated;
          ctx.report('MB0103', { kind: 'Pod', namespace: ns, name: pod.metadata.name }, { pod: fullName(pod), container: status.name, restarts }, {
            evidence: {
              [`status.containerStatuses[${status.name}].restartCount`]: restarts,
              ...(last?.reason === undefined ? {} : { [`status.containerStatuses[${status.name}].lastState.terminated.reason`]: last.reason }),
              ...(last?.exitCode === undefined ? {} : { [`status.containerStatuses[${status.name}].lastState.terminated.exitCode`]: last.exitCode }),
              ...(last?.finishedAt === undefined ? {} : { [`status.containerStatuses[${status.name}].lastState.terminated.finishedAt`]: last.finishedAt }),
              deployment: fullName(d),
              ...identity,
            },
            remediation:
              last?.reason === 'OOMKilled'
                ? `The container was killed for running out of memory: raise its memory limit (Helm value pilot.resources.limits.memory) and check what grew (number of services, endpoints and proxies).`
                : `Read the log of the previous run: \`kubectl -n ${ns} logs ${pod.metadata.name} -c ${status.name} --previous\`, and fix what it reports before the crash.`,
          });
        }
      }
    }
  },
});
