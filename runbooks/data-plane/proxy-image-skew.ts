import yaml from 'js-yaml';
import { defineCheck } from '../../src/engine/check.ts';
import type { ConfigMap, Pod, ProxyConfig } from '../../src/k8s/objects.ts';
import { IGNORED_NAMESPACES, INJECTOR_CONFIGMAP, ISTIO_PROXY, injectorConfigMapName, listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';
import { isApplicationPod } from '../../src/mesh/meshed.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from '../../src/istio/mesh-config.ts';

// Mirrors istioctl's injection.ImageAnalyzer (pkg/config/analysis/analyzers/injection/
// injection-image.go, with util/proxyconfig.go for the image variant):
// - the injector's image comes from every `istio-sidecar-injector*` ConfigMap (istioctl's live
//   source reads ConfigMaps of the Istio namespace only, and only those of the default revision:
//   a canary's `istio-sidecar-injector-canary`, labelled istio.io/rev=canary, is invisible, so its
//   namespaces are not checked), key `values`, JSON: global.proxy.image when it contains "/", else
//   `<global.hub>/<global.proxy.image>:<global.tag>`; a `values` that does not decode (missing, not
//   JSON, a field of the wrong type) gives the image "" and then every proxy mismatches, as in istioctl;
// - namespaces with istio-injection=enabled use `istio-sidecar-injector`, those with an istio.io/rev
//   label (which wins) use `istio-sidecar-injector-<rev>` (`default` has no suffix);
// - a pod annotated sidecar.istio.io/proxyImage is skipped; every container named istio-proxy (in
//   containers or initContainers) must run exactly that image, or that image plus `-<variant>`;
// - the variant (imageType) is the last one set of: meshConfig.defaultConfig.image.imageType (the
//   `istio` ConfigMap's `mesh` key), the ProxyConfig in the root namespace, a ProxyConfig without
//   selector in the pod's namespace, a ProxyConfig whose selector matches the pod (istioctl compares
//   `ns/name` by prefix, so `shop` also takes one from `shop-canary`: copied), and the pod's
//   proxy.istio.io/config annotation; `default` means none;
// - one IST0158 per namespace on the Namespace, naming its mismatched pods sorted.
// Go's case-insensitive JSON field matching (`"Global"`) is copied too. Not copied: the order among
// several matching workload ProxyConfigs is Go map order in istioctl (random); here snapshot order.
// One deliberate difference: ztunnel and waypoint pods are skipped. Their istio-proxy container runs
// the ztunnel image or the waypoint template's, never the injector's, so istioctl's comparison would
// report them in an injection-enabled namespace.
const INJECTION_LABEL = 'istio-injection';
const REVISION_LABEL = 'istio.io/rev';
const CUSTOM_IMAGE_ANNOTATION = 'sidecar.istio.io/proxyImage';
const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

type Decoded = { ok: true; value: Record<string, unknown> } | { ok: false };

// Go's encoding/json into a struct: a field matches its key case-insensitively, a later key wins,
// null leaves the zero value, and a value of the wrong type fails the whole decode.
function field(obj: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name.toLowerCase()) found = v;
  return found;
}
function asObject(v: unknown): Decoded {
  if (v === undefined || v === null) return { ok: true, value: {} };
  return typeof v === 'object' && !Array.isArray(v) ? { ok: true, value: v as Record<string, unknown> } : { ok: false };
}
function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : undefined;
}

/** The proxy image an injector ConfigMap injects (GetIstioProxyImage); '' when `values` does not decode. */
export function injectorProxyImage(cm: ConfigMap): string {
  let values: unknown;
  try {
    values = JSON.parse(cm.data?.values ?? '');
  } catch {
    return '';
  }
  const root = asObject(values);
  if (!root.ok) return '';
  const global = asObject(field(root.value, 'global'));
  if (!global.ok) return '';
  const hub = asString(field(global.value, 'hub'));
  const tag = asString(field(global.value, 'tag'));
  const proxy = asObject(field(global.value, 'proxy'));
  if (hub === undefined || tag === undefined || !proxy.ok) return '';
  const image = asString(field(proxy.value, 'image'));
  if (image === undefined) return '';
  return image.includes('/') ? image : `${hub}/${image}:${tag}`;
}

/** `image.imageType` of a ProxyConfig-shaped value, '' when unset or unreadable. */
function imageTypeOf(config: unknown): string {
  if (config === null || typeof config !== 'object') return '';
  const image = (config as { image?: unknown }).image;
  if (image === null || typeof image !== 'object') return '';
  const type = (image as { imageType?: unknown }).imageType;
  return typeof type === 'string' ? type : '';
}

/** meshConfig's rootNamespace and defaultConfig image type, from the `istio` ConfigMap (defaults when unreadable). */
function meshSettings(cm: ConfigMap | undefined): { rootNamespace: string; imageType: string; source: string } {
  const fallback = { rootNamespace: ISTIO_NAMESPACE, imageType: '', source: 'Istio defaults' };
  const read = readMeshConfig(cm);
  if (read.kind !== 'mapping') return fallback;
  const mesh = read.mesh;
  const root = mesh.rootNamespace;
  return {
    rootNamespace: typeof root === 'string' && root !== '' ? root : ISTIO_NAMESPACE,
    imageType: imageTypeOf(mesh.defaultConfig),
    source: `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key mesh`,
  };
}

/** True when every key/value of `wanted` is in `labels` (Go's maps.Contains). */
function containsAll(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

export default defineCheck({
  id: 'proxy-image-skew',
  title: 'Running proxies use the image the injector injects',
  description:
    "In every namespace with injection enabled, each pod's istio-proxy runs the image the injector of its revision would inject today (with the image variant from meshConfig, ProxyConfig or the pod's annotation).",
  why: 'Pods keep the proxy they were created with: after a control-plane upgrade, pods that were never restarted run an older proxy than istiod expects, outside the fixes and the version window it supports.',
  inputs: ['v1/Namespace', 'v1/Pod', 'v1/ConfigMap', 'networking.istio.io/v1beta1/ProxyConfig'],
  analyzer: 'injection.ImageAnalyzer',
  docs: '/concepts/mesh/#proxy-image-skew',
  analyze(ctx) {
    const configMaps = ctx.list('v1/ConfigMap', { namespace: ISTIO_NAMESPACE }).filter(inAnalyzedRevision);
    const injectorImages = new Map<string, string>();
    for (const cm of configMaps) {
      if (cm.metadata.name.startsWith(INJECTOR_CONFIGMAP)) injectorImages.set(cm.metadata.name, injectorProxyImage(cm));
    }
    const namespaces = ctx.list('v1/Namespace').filter((ns) => !IGNORED_NAMESPACES.has(ns.metadata.name));
    const pods = ctx.list('v1/Pod');
    const proxyConfigs = ctx.list('networking.istio.io/v1beta1/ProxyConfig').filter(inAnalyzedRevision);
    if (injectorImages.size === 0) return;

    // Namespaces with injection on, and the revision whose injector applies to them.
    const injected = new Map<string, string>();
    for (const ns of namespaces) {
      const labels = ns.metadata.labels ?? {};
      const rev = labels[REVISION_LABEL];
      if (rev !== undefined) injected.set(ns.metadata.name, rev);
      else if (labels[INJECTION_LABEL] === 'enabled') injected.set(ns.metadata.name, 'default');
    }

    const mesh = meshSettings(configMaps.find((cm) => cm.metadata.name === MESH_CONFIGMAP));
    let rootConfig: ProxyConfig | undefined;
    const namespaceConfigs = new Map<string, ProxyConfig>();
    const workloadConfigs: [key: string, config: ProxyConfig][] = [];
    for (const pc of proxyConfigs) {
      const ns = namespaceOf(pc);
      if (ns === mesh.rootNamespace) rootConfig = pc;
      else if (pc.spec?.selector === undefined || pc.spec.selector === null) namespaceConfigs.set(ns, pc);
      else workloadConfigs.push([`${ns}/${pc.metadata.name}`, pc]);
    }
    // The image variant for a pod, and where it came from (ImageType in util/proxyconfig.go).
    const variantOf = (pod: Pod): { variant: string; from: string } => {
      let variant = mesh.imageType;
      let from = variant === '' ? 'none set' : `${mesh.source} defaultConfig.image.imageType`;
      const set = (value: string, where: string): void => {
        if (value === '') return;
        variant = value;
        from = where;
      };
      if (rootConfig !== undefined) set(imageTypeOf(rootConfig.spec), `ProxyConfig ${namespaceOf(rootConfig)}/${rootConfig.metadata.name}`);
      const ns = namespaceOf(pod);
      const nsConfig = namespaceConfigs.get(ns);
      if (nsConfig !== undefined) set(imageTypeOf(nsConfig.spec), `ProxyConfig ${ns}/${nsConfig.metadata.name}`);
      for (const [key, pc] of workloadConfigs) {
        if (!key.startsWith(ns)) continue;
        if (containsAll(pod.metadata.labels ?? {}, pc.spec?.selector?.matchLabels ?? {})) set(imageTypeOf(pc.spec), `ProxyConfig ${key}`);
      }
      const annotation = pod.metadata.annotations?.[PROXY_CONFIG_ANNOTATION];
      if (annotation !== undefined) {
        try {
          set(imageTypeOf(yaml.load(annotation)), `pod annotation ${PROXY_CONFIG_ANNOTATION}`);
        } catch {
          // istioctl ignores an annotation that does not parse.
        }
      }
      return { variant: variant === 'default' ? '' : variant, from };
    };

    const mismatched = new Map<
      string,
      { pod: string; image: string; expected: string; variant: string; from: string; configMap: string }[]
    >();
    for (const pod of pods) {
      const ns = namespaceOf(pod);
      const revision = injected.get(ns);
      if (revision === undefined || IGNORED_NAMESPACES.has(ns) || !isApplicationPod(pod)) continue;
      if ((pod.metadata.annotations?.[CUSTOM_IMAGE_ANNOTATION] ?? '') !== '') continue;
      const cmName = injectorConfigMapName(revision);
      const expected = injectorImages.get(cmName);
      if (expected === undefined) continue;
      const { variant, from } = variantOf(pod);
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        if (c.name !== ISTIO_PROXY) continue;
        const image = c.image ?? '';
        if (image === expected || image === `${expected}-${variant}`) continue;
        mismatched.set(ns, [...(mismatched.get(ns) ?? []), { pod: pod.metadata.name, image, expected, variant, from, configMap: cmName }]);
      }
    }

    for (const [ns, entries] of mismatched) {
      // Go's sort.Strings: plain byte order.
      const names = entries.map((e) => e.pod).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const first = entries[0]!;
      const images = [...new Set(entries.map((e) => e.image || '(none)'))];
      ctx.report(
        'IST0158',
        { kind: 'Namespace', name: ns },
        { podNames: `[${names.join(' ')}]` },
        {
          evidence: {
            injectorConfigMap: `${ISTIO_NAMESPACE}/${first.configMap}`,
            injectorImage: first.expected === '' ? '(none: its values JSON does not decode)' : first.expected,
            'image variant': first.variant === '' ? `(none; ${first.from})` : `${first.variant} (${first.from})`,
            'istio-proxy images found': listForEvidence(images, 4),
            pods: listForEvidence(
              entries.map((e) => `${e.pod}: ${e.image || '(none)'}`),
              6,
            ),
          },
          ...(first.expected === ''
            ? { fix: 'repair-injector-configmap', fixParams: { configMap: `${ISTIO_NAMESPACE}/${first.configMap}` } }
            : {
                fix: 'restart-workloads',
                fixParams: { image: `${first.expected}${first.variant === '' ? '' : `-${first.variant}`}`, namespace: ns },
              }),
        },
      );
    }
  },
});
