import { defineCheck } from '../../src/engine/check.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

/** The istiod setting (pilot/pkg/features) listing the CIDRs it refuses to fetch JWKS from. */
const BLOCKED_CIDRS_ENV = 'BLOCKED_CIDRS_IN_JWKS_URIS';
/** How many RequestAuthentication names the message spells out before "and N more". */
const NAMES_SHOWN = 5;

// Mirrors istioctl's authn.BlockedCIDRsAnalyzer: when at least one RequestAuthentication exists,
// every Deployment labelled app=istiod (any namespace) whose pod template's containers (not
// initContainers) set no BLOCKED_CIDRS_IN_JWKS_URIS with a non-empty literal value gets IST0175.
// A value from a ConfigMap or Secret (valueFrom) counts as unset, as in istioctl. The message
// names the first five RequestAuthentications as namespace/name, then ", and N more"; we list
// them sorted, so the message is stable. Both kinds are read through istioctl's revision-filtered
// client, in every namespace.
export default defineCheck({
  id: 'jwks-fetch-restrictions',
  title: 'istiod restricts where it fetches JWKS from',
  description:
    'When RequestAuthentications exist, every istiod Deployment sets BLOCKED_CIDRS_IN_JWKS_URIS, so a jwksUri cannot make istiod request internal addresses.',
  why: "istiod itself downloads the keys of every jwtRule's jwksUri; anyone allowed to write a RequestAuthentication can otherwise aim those requests at internal services or the cloud metadata endpoint.",
  inputs: ['security.istio.io/v1/RequestAuthentication', 'apps/v1/Deployment'],
  analyzer: 'authn.BlockedCIDRsAnalyzer',
  docs: '/concepts/security-policies/#jwks-fetch-restrictions',
  analyze(ctx) {
    const names = ctx
      .list('security.istio.io/v1/RequestAuthentication')
      .filter(inAnalyzedRevision)
      .map((ra) => fullName(ra))
      .sort();
    if (names.length === 0) return;
    const shown =
      names.length <= NAMES_SHOWN ? names.join(', ') : `${names.slice(0, NAMES_SHOWN).join(', ')}, and ${names.length - NAMES_SHOWN} more`;

    for (const d of ctx.list('apps/v1/Deployment')) {
      if (!inAnalyzedRevision(d)) continue;
      if (d.metadata.labels?.app !== 'istiod') continue;
      const containers = d.spec?.template?.spec?.containers ?? [];
      const configured = containers.some((c) => (c.env ?? []).some((e) => e.name === BLOCKED_CIDRS_ENV && (e.value ?? '') !== ''));
      if (configured) continue;
      ctx.report(
        'IST0175',
        { kind: 'Deployment', namespace: namespaceOf(d), name: d.metadata.name },
        { count: names.length, names: shown },
        {
          evidence: {
            [`spec.template.spec.containers[*].env[${BLOCKED_CIDRS_ENV}]`]: '(unset or empty)',
            requestAuthentications: names.length,
          },
        },
      );
    }
  },
});
