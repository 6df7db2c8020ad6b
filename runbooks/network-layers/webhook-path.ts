import { defineCheck, ProbeError, type ProxyAnswer } from '../../src/engine/check.ts';
import type { KubeObject, Service } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// R5, asked live: the API server calls istiod's injection and validation webhooks through the
// istiod Service (port 443, named https-webhook) to pod port 15017. Asking the API server to
// proxy a GET to that same Service port makes it open that same connection, from the control
// plane's network to the pods: where a private-cluster firewall drops 15017, this request fails
// exactly as a webhook call would. Read-only: a GET of istiod's webhook-server readiness path.

/** The readiness handler istiod registers on its webhook (15017) HTTPS server. */
const READY_PATH = '/httpsReady';
const DEFAULT_WEBHOOK_PORT = 443;
/** Less than the check's budget, so a dropped connection becomes a finding, not a timed-out check. */
const PROBE_TIMEOUT_MS = 6_000;

interface WebhookTarget {
  namespace: string;
  name: string;
  port: number;
  /** `MutatingWebhookConfiguration x` etc.: who calls this Service port. */
  callers: string[];
}

interface WebhookConfig extends KubeObject {
  webhooks?: { name?: string; clientConfig?: { service?: { namespace?: string; name?: string; port?: number; path?: string } } }[];
}

/** Istio's webhook configurations: istio-sidecar-injector[-rev], istio-validator[-rev]-…, istiod-default-validator, or any webhook named *.istio.io. */
function isIstioWebhook(config: WebhookConfig): boolean {
  const name = config.metadata.name;
  return (
    name.startsWith('istio-sidecar-injector') ||
    name.startsWith('istio-validator') ||
    name.startsWith('istiod-') ||
    (config.webhooks ?? []).some((w) => w.name?.endsWith('.istio.io') === true)
  );
}

/** The Service ports the API server calls for Istio's webhooks (revisions included), from the webhook configurations. */
function webhookTargets(configs: readonly { kind: string; config: WebhookConfig }[]): WebhookTarget[] {
  const targets = new Map<string, WebhookTarget>();
  for (const { kind, config } of configs) {
    if (!isIstioWebhook(config)) continue;
    for (const hook of config.webhooks ?? []) {
      const svc = hook.clientConfig?.service;
      if (svc?.name === undefined || svc.namespace === undefined) continue;
      const port = svc.port ?? DEFAULT_WEBHOOK_PORT;
      const key = `${svc.namespace}/${svc.name}:${port}`;
      const target = targets.get(key) ?? { namespace: svc.namespace, name: svc.name, port, callers: [] };
      const caller = `${kind} ${config.metadata.name}`;
      if (!target.callers.includes(caller)) target.callers.push(caller);
      targets.set(key, target);
    }
  }
  return [...targets.values()];
}

/** The proxy id's port: the Service port's name when it has one (the API server resolves names and numbers alike). */
function portOf(service: Service, port: number): string | number {
  return service.spec?.ports?.find((p) => p.port === port)?.name || port;
}

export default defineCheck({
  id: 'webhook-path',
  title: "The API server can reach istiod's webhook (asked live)",
  description:
    "Asks the live API server to proxy a GET to istiod's webhook server through the Service port its admission webhooks use (istiod's https-webhook, 443 → 15017; each revision's istiod from the webhook configurations) and reports each one the API server cannot reach.",
  why: 'Sidecar injection and config validation are webhook calls from the API server to istiod on 15017 (R5). No snapshot shows the firewall between the control plane and the nodes; this request crosses it exactly as a webhook call does.',
  inputs: [
    'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
    'v1/Service',
  ],
  needs: ['probes'],
  docs: '/network-layers/r5-control-ports/#webhook-path',
  async analyze(ctx) {
    const probes = ctx.probes;

    const configs = [
      ...ctx
        .list('admissionregistration.k8s.io/v1/MutatingWebhookConfiguration')
        .map((config) => ({ kind: 'MutatingWebhookConfiguration', config: config as WebhookConfig })),
      ...ctx
        .list('admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration')
        .map((config) => ({ kind: 'ValidatingWebhookConfiguration', config: config as WebhookConfig })),
    ];
    let targets = webhookTargets(configs);
    // No webhook configuration read (none installed yet, or a limited run): the chart's default Service.
    if (targets.length === 0)
      targets = [
        {
          namespace: ISTIO_NAMESPACE,
          name: 'istiod',
          port: DEFAULT_WEBHOOK_PORT,
          callers: ["no Istio webhook configuration was read; the Istio chart's default istiod Service"],
        },
      ];

    for (const target of targets) {
      const service = ctx.find('v1/Service', target.namespace, target.name);
      // A webhook pointing at a missing Service is the webhooks check's finding; there is no path to probe.
      if (service === undefined) continue;
      const port = portOf(service, target.port);
      const request = `GET /api/v1/namespaces/${target.namespace}/services/https:${target.name}:${port}/proxy${READY_PATH}`;
      const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
      let answer: ProxyAnswer | undefined;
      try {
        answer = await probes.proxyGet(
          { kind: 'service', namespace: target.namespace, name: target.name, port, scheme: 'https', path: READY_PATH },
          { signal: timeout },
        );
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        if (error instanceof ProbeError) {
          throw new ProbeError(
            `Could not ask the API server to proxy to Service ${fullName(service)} port ${port}: ${error.message} This check needs \`get\` on services/proxy in namespace ${target.namespace} (meshbook-viewer does not grant it: proxy access can reach any Service port); bind a Role with that one rule, or run \`kubectl get --raw '${request.slice(4)}'\` as someone who has it.`,
            { cause: error },
          );
        }
        if (!timeout.aborted) throw error;
      }
      // A 2xx, or any answer below 500 (istiod's own 404 on an older version): istiod answered, so the path works.
      if (answer !== undefined && answer.status < 500) continue;
      const reply =
        answer === undefined ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : `${answer.status}: ${answer.body.trim().slice(0, 400)}`;
      ctx.report(
        'MB0604',
        { kind: 'Service', namespace: namespaceOf(service), name: service.metadata.name },
        {
          service: fullName(service),
          port: target.port,
          answer: answer === undefined ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : `HTTP ${answer.status}`,
        },
        {
          evidence: {
            request,
            'API server answered': reply,
            'called by': target.callers.join(', '),
            'Service port': `${target.port}${typeof port === 'string' ? ` (${port})` : ''} → ${String(service.spec?.ports?.find((p) => p.port === target.port)?.targetPort ?? 'targetPort unknown')}`,
          },
          fix: 'open-webhook-port',
          fixParams: { namespace: target.namespace, path: request.slice(4) },
        },
      );
    }
  },
});
