import { defineCheck, type AccessReviewAnswer } from '../../src/engine/check.ts';
import { isControlPlane, serviceAccountOf } from '../../src/mesh/control-plane.ts';
import { discoveryPermissions, resourceText, type NeededPermission } from '../../src/mesh/istiod-permissions.ts';
import { serviceAccountIdentity } from '../../src/mesh/rbac.ts';
import { fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R2, asked live: instead of evaluating RBAC objects (istiod-api-access does that on any
// snapshot), ask the API server's authorizer itself — one SubjectAccessReview per verb for
// istiod's ServiceAccount — whether istiod may list and watch what it discovers and create
// the reviews it needs. Only a live cluster can answer; on a snapshot the check is skipped.

// Reads are asked as list + watch (what istiod's informers do); create stays create.
const verbsToAsk = (need: NeededPermission): string[] => need.verbs.filter((v) => v !== 'get');
// Reviews in flight at once: 30 small POSTs, without flooding the API server.
const CONCURRENCY = 6;

async function askAll<T>(items: readonly T[], ask: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await ask(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

export default defineCheck({
  id: 'istiod-permissions-live',
  title: 'The API server lets istiod read what it discovers (asked live)',
  description:
    "Asks the live API server, with a SubjectAccessReview per verb for istiod's ServiceAccount (from the istiod Deployment; istio-system/istiod when none is visible), whether istiod may list and watch Services, EndpointSlices, Pods, Nodes, Namespaces and Istio's networking and security kinds, and create TokenReviews and SubjectAccessReviews.",
  why: "istiod learns every service, endpoint and routing rule from the API server (R2). The authorizer's own answer covers what no snapshot can: every binding, group and authorizer as the API server applies them.",
  inputs: ['apps/v1/Deployment'],
  needs: ['probes'],
  docs: '/network-layers/r2-api-server/#istiod-permissions-live',
  async analyze(ctx) {
    const probes = ctx.probes;

    const planes = ctx.list('apps/v1/Deployment').filter(isControlPlane);
    const accounts = new Map<string, string[]>();
    for (const d of planes) {
      const key = `${namespaceOf(d)}/${serviceAccountOf(d)}`;
      accounts.set(key, [...(accounts.get(key) ?? []), `Deployment ${fullName(d)}`]);
    }
    // None visible (a run limited to another namespace, or istiod not installed yet): the chart's default.
    if (accounts.size === 0)
      accounts.set('istio-system/istiod', ["no istiod Deployment was read; the Istio chart's default ServiceAccount"]);

    const needs = discoveryPermissions('istiod');
    for (const [key, usedBy] of accounts) {
      const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      const identity = serviceAccountIdentity(ns, name);
      const answers = new Map<string, AccessReviewAnswer>();
      const questions = needs.flatMap((need) => verbsToAsk(need).map((verb) => ({ need, verb })));
      await askAll(questions, async ({ need, verb }) => {
        const answer = await probes.accessReview({
          user: identity.user,
          groups: identity.groups,
          verb,
          resource: need.resource,
          group: need.group,
        });
        answers.set(`${need.group}/${need.resource}/${verb}`, answer);
      });

      for (const need of needs) {
        const asked = verbsToAsk(need);
        const denied = asked.filter((verb) => answers.get(`${need.group}/${need.resource}/${verb}`)?.allowed !== true);
        if (denied.length === 0) continue;
        const res = resourceText(need.group, need.resource);
        const rule = { apiGroups: [need.group], resources: [need.resource], verbs: [...need.verbs] };
        const role = `istiod-clusterrole-${ns}`;
        const reasons = [
          ...new Set(denied.map((v) => answers.get(`${need.group}/${need.resource}/${v}`)?.reason ?? '').filter((r) => r !== '')),
        ];
        ctx.report(
          'MB0304',
          { kind: 'ServiceAccount', namespace: ns, name },
          { serviceAccount: key, verbs: denied.join(', '), resource: res, purpose: need.purpose },
          {
            evidence: {
              'SubjectAccessReview user': identity.user,
              'SubjectAccessReview groups': identity.groups.join(', '),
              'used by': listForEvidence(usedBy, 4),
              'denied verbs (cluster-wide)': denied.join(', '),
              'status.reason': reasons.length > 0 ? reasons.join(' | ') : '(none given)',
            },
            fix: 'grant-permission',
            fixParams: {
              serviceAccount: key,
              role,
              group: need.group,
              resources: need.resource,
              rule: JSON.stringify(rule),
              name,
              namespace: ns,
              verbs: need.verbs.join(','),
              resource: res,
            },
          },
        );
      }
    }
  },
});
