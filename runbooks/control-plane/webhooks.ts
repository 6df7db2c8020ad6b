import { defineCheck } from '../../src/engine/check.ts';
import type { EndpointSlice, LabelSelector, Labels, WebhookConfiguration } from '../../src/k8s/objects.ts';
import { IGNORED_NAMESPACES, listForEvidence } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's webhook.Analyzer (IST0139), then adds one fact istioctl does not check (MB0105).
// - Istio's MutatingWebhookConfigurations are those with a revision (an istio.io/rev label on the
//   configuration, or istio.io/rev in a webhook's namespace or object selector) or with a webhook
//   whose name ends in "istio.io". As istioctl analyzes the default revision, a configuration labelled
//   istio.io/rev=<other> is not seen at all for IST0139 (its revision still feeds MB0105 below).
// - Namespace labels {}, istio-injection=enabled|disabled and object labels {},
//   sidecar.istio.io/inject=true|false, each also combined with istio.io/rev=<each revision found>,
//   are tried in every pairing; when more than one webhook matches a pairing, each of them gets
//   IST0139 naming the others. A nil selector matches everything; an invalid one matches nothing.
// - A webhook whose clientConfig.service names a Service that does not exist gets IST0139. As in
//   istioctl, Services in the namespaces it ignores (kube-system, …) count as missing.
// - MB0105: an injector or validator Service (of Istio's mutating or validating webhooks) that
//   exists but has no ready endpoint in its EndpointSlices: the API server cannot call the webhook.
const REV = 'istio.io/rev';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Every revision a configuration mentions (extractRevisions). */
function revisionsOf(cfg: WebhookConfiguration): string[] {
  const revs = new Set<string>();
  const own = cfg.metadata.labels?.[REV];
  if (own !== undefined) revs.add(own);
  for (const wh of cfg.webhooks ?? []) {
    for (const sel of [wh.namespaceSelector, wh.objectSelector]) {
      if (sel === undefined || sel === null) continue;
      const v = sel.matchLabels?.[REV];
      if (v !== undefined) revs.add(v);
      for (const e of sel.matchExpressions ?? []) if (e.key === REV) for (const x of e.values ?? []) revs.add(x);
    }
  }
  return [...revs];
}

/** Whether istioctl treats the configuration as Istio's. */
function isIstio(cfg: WebhookConfiguration): boolean {
  return revisionsOf(cfg).length > 0 || (cfg.webhooks ?? []).some((w) => (w.name ?? '').endsWith('istio.io'));
}

/**
 * Webhook selector semantics (metav1.LabelSelectorAsSelector, then Matches): nil or empty matches
 * everything; a selector that does not convert (In/NotIn without values, Exists/DoesNotExist with
 * values, an unknown operator) matches nothing.
 */
function selectorMatches(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (selector === undefined || selector === null) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (values.length === 0 || !has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (values.length === 0 || (has && values.includes(labels[e.key]!))) return false;
        break;
      case 'Exists':
        if (values.length > 0 || !has) return false;
        break;
      case 'DoesNotExist':
        if (values.length > 0 || has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The label combinations istioctl tries, base ones first, then each with every revision. */
function combinations(base: Labels[], revisions: readonly string[]): Labels[] {
  return [...base, ...revisions.flatMap((rev) => base.map((b) => ({ ...b, [REV]: rev })))];
}

const labelsText = (l: Labels): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '(none)';

function readyAddresses(slices: readonly EndpointSlice[]): number {
  let n = 0;
  for (const s of slices) for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) n += (e.addresses ?? []).length;
  return n;
}

export default defineCheck({
  id: 'webhooks',
  title: 'Istio webhooks are unambiguous and reachable',
  description:
    'No two Istio injection webhooks match the same pod, every Istio webhook points at a Service that exists, and the injector and validator Services have ready endpoints.',
  why: 'Two matching injection webhooks inject the sidecar twice or fight over the pod spec; a webhook whose Service is missing or has no ready endpoint fails every call: pods are created without a sidecar (failurePolicy Ignore) or not at all (Fail), and Istio config is not validated.',
  inputs: [
    'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
    'v1/Service',
    'discovery.k8s.io/v1/EndpointSlice',
  ],
  analyzer: 'webhook.Analyzer',
  docs: '/concepts/mesh/#webhooks',
  analyze(ctx) {
    const allMutating = ctx.list('admissionregistration.k8s.io/v1/MutatingWebhookConfiguration').filter(isIstio);
    const mutating = allMutating.filter(inAnalyzedRevision);
    const revisions = [...new Set(mutating.flatMap(revisionsOf))];
    const nsCombos = combinations([{}, { 'istio-injection': 'enabled' }, { 'istio-injection': 'disabled' }], revisions);
    const objCombos = combinations([{}, { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'false' }], revisions);
    const owner = new Map<string, WebhookConfiguration>();
    for (const cfg of mutating) for (const wh of cfg.webhooks ?? []) owner.set(`${cfg.metadata.name}/${wh.name ?? ''}`, cfg);
    const ref = (cfg: WebhookConfiguration) => ({ kind: 'MutatingWebhookConfiguration', name: cfg.metadata.name });

    for (const nl of nsCombos) {
      for (const ol of objCombos) {
        const matches = new Set<string>();
        for (const cfg of mutating) {
          for (const wh of cfg.webhooks ?? []) {
            if (selectorMatches(wh.namespaceSelector, nl) && selectorMatches(wh.objectSelector, ol))
              matches.add(`${cfg.metadata.name}/${wh.name ?? ''}`);
          }
        }
        if (matches.size <= 1) continue;
        for (const match of matches) {
          const others = [...matches].filter((m) => m !== match).sort();
          ctx.report(
            'IST0139',
            ref(owner.get(match)!),
            { error: `Webhook overlaps with others: [${others.join(' ')}]. This may cause injection to occur twice.` },
            {
              evidence: {
                webhook: match,
                'namespace labels': labelsText(nl),
                'pod labels': labelsText(ol),
                'also matched by': others.join(', '),
              },
              fix: 'overlapping-webhooks',
            },
          );
        }
      }
    }

    // Services the injector and validator webhooks call, with the configurations that use them.
    const callers = new Map<string, string[]>();
    const validating = ctx.list('admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration').filter(isIstio);
    const walk = (cfg: WebhookConfiguration, kind: string, reportMissing: boolean): void => {
      for (const wh of cfg.webhooks ?? []) {
        const svc = wh.clientConfig?.service;
        if (svc === undefined || svc === null) continue;
        const ns = svc.namespace ?? '';
        const name = svc.name ?? '';
        const full = ns === '' ? name : `${ns}/${name}`;
        const found = IGNORED_NAMESPACES.has(ns) ? undefined : ctx.find('v1/Service', ns, name);
        if (found === undefined) {
          if (reportMissing) {
            ctx.report(
              'IST0139',
              ref(cfg),
              { error: `Injector refers to a control plane service that does not exist: ${full}.` },
              {
                evidence: { webhook: wh.name ?? '', 'clientConfig.service': full },
                fix: 'missing-injector-service',
                fixParams: { service: full },
              },
            );
          }
          continue;
        }
        callers.set(`${ns}/${name}`, [...(callers.get(`${ns}/${name}`) ?? []), `${kind} ${cfg.metadata.name}`]);
      }
    };
    for (const cfg of allMutating) walk(cfg, 'MutatingWebhookConfiguration', inAnalyzedRevision(cfg));
    // istioctl does not look at validating webhooks; they only feed MB0105 here.
    for (const cfg of validating) walk(cfg, 'ValidatingWebhookConfiguration', false);

    for (const [full, users] of callers) {
      const slash = full.indexOf('/');
      const ns = full.slice(0, slash);
      const name = full.slice(slash + 1);
      const svc = ctx.find('v1/Service', ns, name);
      if (svc === undefined || svc.spec?.type === 'ExternalName') continue;
      const slices = ctx
        .list('discovery.k8s.io/v1/EndpointSlice', { namespace: ns })
        .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name);
      if (readyAddresses(slices) > 0) continue;
      const unique = [...new Set(users)];
      ctx.report(
        'MB0105',
        { kind: 'Service', namespace: ns, name },
        { service: full, webhooks: unique.join(', ') },
        {
          evidence: {
            'called by': listForEvidence(unique),
            'spec.selector':
              Object.entries(svc.spec?.selector ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(',') || '(none)',
            EndpointSlices: slices.length === 0 ? '(none)' : slices.map((s) => s.metadata.name).join(', '),
            'ready addresses': 0,
          },
          fix: 'no-ready-istiod',
          fixParams: {
            service: full,
            namespace: ns,
            podSelector: Object.entries(svc.spec?.selector ?? { app: 'istiod' })
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
          },
        },
      );
    }
  },
});
