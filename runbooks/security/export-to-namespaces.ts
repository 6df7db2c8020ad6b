import { defineCheck } from '../../src/engine/check.ts';
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL } from '../../src/istio/hosts.ts';
import { namespaceOf } from '../lib/mesh.ts';

// Mirrors Kiali's ExportToNamespaceChecker (business/checkers/common/export_to_namespace_checker.go),
// which it runs on DestinationRules, ServiceEntries and VirtualServices: every exportTo entry other
// than `.` and `*` must name an existing namespace. One finding per entry. Kiali only sees the
// namespaces it may read; a snapshot holds every namespace, so an entry reported here is missing.
const KINDS = [
  ['networking.istio.io/v1/DestinationRule', 'DestinationRule', 'destinationrule'],
  ['networking.istio.io/v1/ServiceEntry', 'ServiceEntry', 'serviceentry'],
  ['networking.istio.io/v1/VirtualService', 'VirtualService', 'virtualservice'],
] as const;

export default defineCheck({
  id: 'export-to-namespaces',
  title: 'exportTo names namespaces that exist',
  description: 'Every namespace named in the exportTo of a DestinationRule, ServiceEntry or VirtualService exists.',
  why: 'exportTo decides which namespaces see a rule; a misspelt namespace leaves the intended one without it, silently.',
  inputs: [
    'v1/Namespace',
    'networking.istio.io/v1/DestinationRule',
    'networking.istio.io/v1/ServiceEntry',
    'networking.istio.io/v1/VirtualService',
  ],
  kiali: ['KIA0005'],
  docs: '/concepts/security-policies/#export-to-namespaces',
  analyze(ctx) {
    const namespaces = new Set(ctx.list('v1/Namespace').map((n) => n.metadata.name));
    for (const [kindId, kind, resource] of KINDS) {
      for (const obj of ctx.list(kindId)) {
        const ns = namespaceOf(obj);
        (obj.spec?.exportTo ?? []).forEach((entry, i) => {
          if (entry === EXPORT_TO_LOCAL || entry === EXPORT_TO_ALL || namespaces.has(entry)) return;
          const field = `spec.exportTo[${i}]`;
          ctx.report(
            'MB0811',
            { kind, namespace: ns, name: obj.metadata.name },
            { kind, name: `${ns}/${obj.metadata.name}`, field, namespace: entry },
            {
              evidence: { [field]: entry, 'namespaces in the cluster': namespaces.size },
              fix: 'remove-entry',
              fixParams: { resource, name: obj.metadata.name, namespace: ns, index: i, value: entry },
            },
          );
        });
      }
    }
  },
});
