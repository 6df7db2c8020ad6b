import { defineCheck } from '../../src/engine/check.ts';
import { crdSchemaFor, validateAgainstSchema } from '../../src/istio/crd-schema.ts';
import { virtualServiceRuleProblems } from '../../src/istio/virtualservice-rules.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Stands for istioctl's schema analyzers (schema.AllValidationAnalyzers: one per Istio kind, named
// schema.ValidationAnalyzer.<Kind>; one check carries the family name). istioctl runs Istio's Go
// validation; this check validates against the CRDs' own OpenAPI schemas instead (src/istio/
// crd-schema.ts, generated from Istio's CRD manifest): what `kubectl apply` would refuse. That
// covers types, enums, required and unknown fields, bounds and mutually exclusive fields, but not
// Istio's semantic rules (host names, header names, …), nor CEL rules the validator does not
// evaluate. One IST0106 per violation, naming its field path. Of the semantic rules, the
// VirtualService warnings about rules and matches that can never be used are reproduced
// (src/istio/virtualservice-rules.ts): IST0130 and IST0131, as istioctl reports them.
// Objects of a version the CRD does not serve get one IST0106 too. Objects labelled for another
// revision are not read, as in istioctl.
const KINDS = [
  'networking.istio.io/v1/Gateway',
  'networking.istio.io/v1/VirtualService',
  'networking.istio.io/v1/DestinationRule',
  'networking.istio.io/v1/ServiceEntry',
  'networking.istio.io/v1/Sidecar',
  'networking.istio.io/v1beta1/ProxyConfig',
  'security.istio.io/v1/AuthorizationPolicy',
  'security.istio.io/v1/PeerAuthentication',
  'security.istio.io/v1/RequestAuthentication',
  'telemetry.istio.io/v1/Telemetry',
  'extensions.istio.io/v1alpha1/WasmPlugin',
] as const;

function shown(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(obj: KubeObject, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export default defineCheck({
  id: 'istio-schema',
  title: "Istio resources fit their CRDs' schemas",
  description:
    "Every Istio resource validates against its CustomResourceDefinition's OpenAPI schema: field types, enums, required and unknown fields, bounds, and fields that exclude each other. VirtualService rules and matches that earlier ones make unreachable are flagged as Istio flags them.",
  why: 'The API server refuses a resource that does not fit its schema, so the change never lands; in a folder of manifests, this finds it before `kubectl apply` does.',
  inputs: KINDS,
  analyzer: 'schema.ValidationAnalyzer',
  docs: '/concepts/traffic-management/#istio-schema',
  analyze(ctx) {
    for (const kind of KINDS) {
      for (const obj of ctx.list(kind).filter(inAnalyzedRevision)) {
        const resource = { kind: obj.kind, namespace: namespaceOf(obj), name: obj.metadata.name };
        const schema = crdSchemaFor(obj.apiVersion, obj.kind);
        if (schema === undefined) {
          ctx.report(
            'IST0106',
            resource,
            { err: `${obj.apiVersion} is not a version Istio's ${obj.kind} CRD serves` },
            { evidence: { apiVersion: obj.apiVersion } },
          );
          continue;
        }
        for (const v of validateAgainstSchema(schema, obj).violations) {
          ctx.report('IST0106', resource, { err: `${v.path}: ${v.message}` }, { evidence: { [v.path]: shown(valueAt(obj, v.path)) } });
        }
        if (obj.kind !== 'VirtualService') continue;
        for (const p of virtualServiceRuleProblems(obj.spec)) {
          const evidence = { [p.path]: shown(valueAt(obj, p.path)), 'shadowed by': `${p.earlier}: ${shown(valueAt(obj, p.earlier))}` };
          if (p.code === 'IST0130') ctx.report('IST0130', resource, { ruleno: p.ruleno, reason: p.reason }, { evidence });
          else ctx.report('IST0131', resource, { ruleno: p.ruleno, matchno: p.matchno, dupno: p.dupno }, { evidence });
        }
      }
    }
  },
});
