import { defineCheck } from '../../src/engine/check.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';
import { credentialProblem } from '../lib/gateway-credential.ts';

// Mirrors istioctl's gateway.SecretAnalyzer as far as Secret metadata allows:
// - the Secret is looked up in the namespace of the *first* pod matching the Gateway's selector
//   (getGatewayNamespace), not in the Gateway's namespace; an empty selector matches every pod;
// - a credentialName written `ns/name` names a Secret in that namespace (resource.NewShortOrFullName);
// - pods in the namespaces istioctl ignores (kube-system, …) are invisible; Secrets are read in every
//   namespace, except Helm release and service-account-token Secrets (istioctl's field selector);
// - with no matching pod at all it reports IST0101 (selector) and looks at no credential;
// - Gateways labelled istio.io/rev=<other> are not seen (istioctl's default --revision).
// - IST0161 (the credential is invalid: keys missing or empty, certificate unparsable, expired or
//   not yet valid) needs the Secret's contents, read only with `meshbook check --read-secrets`
//   (the sources then always give a Secret `data`, so its absence means "not read": no IST0161).
//   Like istioctl it is reported on the Gateway, naming the gateway pods' namespace.
// When several namespaces hold matching pods, istioctl's choice depends on iteration order; we
// take the first pod in snapshot order.
const UNREAD_SECRET_TYPES: ReadonlySet<string> = new Set(['helm.sh/release.v1', 'kubernetes.io/service-account-token']);

export default defineCheck({
  id: 'gateway-secrets',
  title: 'Gateway TLS Secrets exist where the gateway pods run',
  description:
    "Every TLS server's credentialName names a Secret in the namespace of the gateway pods the Gateway selects. With --read-secrets, the certificate itself is validated too (istioctl's IST0161); by default Meshbook reads Secrets as metadata only.",
  why: 'The gateway proxy loads its certificate from a Secret in its own namespace; when that Secret is missing, the TLS server has no certificate and handshakes fail for its hosts.',
  inputs: ['networking.istio.io/v1/Gateway', 'v1/Pod', 'v1/Secret'],
  analyzer: 'gateway.SecretAnalyzer',
  docs: '/concepts/gateways/#gateway-secrets',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod').filter((p) => !IGNORED_NAMESPACES.has(namespaceOf(p)));
    // Thousands of Gateways share a few selectors: the first matching pod of each is found once.
    const firstPod = new Map<string, (typeof pods)[number] | undefined>();
    for (const gw of ctx.list('networking.istio.io/v1/Gateway').filter(inAnalyzedRevision)) {
      const resource = { kind: 'Gateway', namespace: namespaceOf(gw), name: gw.metadata.name };
      const selector = gw.spec?.selector ?? {};
      const sel = selectorString(selector);
      const selectorKey = JSON.stringify(Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      if (!firstPod.has(selectorKey))
        firstPod.set(
          selectorKey,
          pods.find((p) => matchesLabels(selector, p.metadata.labels)),
        );
      const pod = firstPod.get(selectorKey);
      if (pod === undefined) {
        ctx.report(
          'IST0101',
          resource,
          { kind: 'selector', ref: sel },
          {
            evidence: { 'spec.selector': sel || '(empty)', 'matching pods': 0 },
            fix: 'tls-gateway-selector-matches-nothing',
          },
        );
        continue;
      }
      const podNs = namespaceOf(pod);
      (gw.spec?.servers ?? []).forEach((server, i) => {
        const cn = server.tls?.credentialName ?? '';
        if (cn === '') return;
        const slash = cn.indexOf('/');
        const secretNs = slash >= 0 ? cn.slice(0, slash) : podNs;
        const secretName = slash >= 0 ? cn.slice(slash + 1) : cn;
        const secret = ctx.find('v1/Secret', secretNs, secretName);
        if (secret !== undefined && !UNREAD_SECRET_TYPES.has(secret.type ?? '')) {
          // Without --read-secrets there is no `data` and nothing more to validate.
          const invalid = secret.data === undefined ? undefined : credentialProblem(secret.data);
          if (invalid === undefined) return;
          ctx.report(
            'IST0161',
            resource,
            { gatewayName: gw.metadata.name, gatewayNamespace: podNs },
            {
              evidence: {
                [`spec.servers[${i}].tls.credentialName`]: cn,
                'gateway pod': `${podNs}/${pod.metadata.name}`,
                'looked up as': `Secret ${secretNs}/${secretName}`,
                ...invalid.evidence,
              },
              fix: 'replace-certificate',
              fixParams: { namespace: secretNs, secret: secretName, problem: invalid.problem },
            },
          );
          return;
        }
        const nearby = ctx
          .list('v1/Secret', { namespace: secretNs })
          .filter((s) => s.type === 'kubernetes.io/tls')
          .map((s) => s.metadata.name);
        const elsewhere = ctx
          .list('v1/Secret')
          .filter((s) => s.metadata.name === secretName)
          .map((s) => namespaceOf(s));
        ctx.report(
          'IST0101',
          resource,
          { kind: 'credentialName', ref: cn },
          {
            evidence: {
              [`spec.servers[${i}].tls.credentialName`]: cn,
              'gateway pod': `${podNs}/${pod.metadata.name}`,
              'looked up as': `Secret ${secretNs}/${secretName}`,
              tlsSecretsInThatNamespace: listForEvidence(nearby),
            },
            ...(elsewhere.length > 0
              ? {
                  fix: 'secret-in-other-namespace',
                  fixParams: { secret: secretName, foundIn: elsewhere.join(', '), podNamespace: podNs, namespace: secretNs },
                }
              : { fix: 'create-secret', fixParams: { namespace: secretNs, secret: secretName } }),
          },
        );
      });
    }
  },
});
