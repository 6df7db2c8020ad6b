import { defineCheck } from '../../src/engine/check.ts';
import type { WebhookConfiguration } from '../../src/k8s/objects.ts';
import { goUrlHostname, isGoIp } from '../lib/go-url.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's externalcontrolplane.ExternalControlPlaneAnalyzer. It looks at the webhooks
// of Istio's own configurations, picked by name: ValidatingWebhookConfigurations named
// `istiod-default-validator` or starting with `istio-validator`, MutatingWebhookConfigurations
// starting with `istio-sidecar-injector`. For each webhook:
// - a `clientConfig.url` (set, even to "") is parsed as Go's net/url does: a URL that does not
//   parse gets IST0163 ("was provided in an invalid format"); one whose host is an IP address gets
//   IST0164 (the message carries the whole URL); a DNS name, or no host at all, is fine;
// - no URL and no `service`: IST0163 with an empty hostname ("is blank").
// The analyzer resolves nothing: a name that does not resolve, or a service that does not exist,
// is the webhooks check's business. As istioctl (default --revision) reads webhook configurations
// through its revision-filtered client, one labelled istio.io/rev=<other> is not seen.
const DEFAULT_VALIDATOR = 'istiod-default-validator';
const VALIDATOR_PREFIX = 'istio-validator';
const INJECTOR_PREFIX = 'istio-sidecar-injector';

type Kind = 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';

export default defineCheck({
  id: 'external-control-plane',
  title: "Istio's webhooks have a usable address",
  description:
    "Every webhook of Istio's injector and validator configurations names a Service or a URL that parses, and a URL names its external control plane by DNS name rather than IP address.",
  why: 'On a cluster whose istiod runs elsewhere, the webhook URL is the only way the API server reaches it: without a usable one, pod creation in injected namespaces fails or pods start without sidecars.',
  inputs: [
    'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
  ],
  analyzer: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
  docs: '/concepts/mesh/#external-control-plane',
  analyze(ctx) {
    const inspect = (cfg: WebhookConfiguration, kind: Kind): void => {
      const resource = { kind, name: cfg.metadata.name };
      (cfg.webhooks ?? []).forEach((hook, i) => {
        const webhook = hook.name ?? '';
        const url: unknown = hook.clientConfig?.url;
        const path = `webhooks[${i}].clientConfig`;
        if (typeof url === 'string') {
          const hostname = goUrlHostname(url);
          if (hostname === undefined) {
            ctx.report(
              'IST0163',
              resource,
              { hostname: url, webhook, msg: 'was provided in an invalid format' },
              { evidence: { [`${path}.url`]: url } },
            );
          } else if (isGoIp(hostname)) {
            ctx.report('IST0164', resource, { hostname: url, webhook }, { evidence: { [`${path}.url`]: url, host: hostname } });
          }
          return;
        }
        const service: unknown = hook.clientConfig?.service;
        if (service === undefined || service === null) {
          ctx.report('IST0163', resource, { hostname: '', webhook, msg: 'is blank' }, { evidence: { [path]: 'neither url nor service' } });
        }
      });
    };
    for (const cfg of ctx.list('admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration').filter(inAnalyzedRevision)) {
      const name = cfg.metadata.name;
      if (name === DEFAULT_VALIDATOR || name.startsWith(VALIDATOR_PREFIX)) inspect(cfg, 'ValidatingWebhookConfiguration');
    }
    for (const cfg of ctx.list('admissionregistration.k8s.io/v1/MutatingWebhookConfiguration').filter(inAnalyzedRevision)) {
      if (cfg.metadata.name.startsWith(INJECTOR_PREFIX)) inspect(cfg, 'MutatingWebhookConfiguration');
    }
  },
});
