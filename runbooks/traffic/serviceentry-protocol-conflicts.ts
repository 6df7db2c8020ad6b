import { defineCheck } from '../../src/engine/check.ts';
import type { ServiceEntry } from '../../src/k8s/objects.ts';
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL, isExportToAll } from '../../src/istio/hosts.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

interface Entry {
  protocol: string;
  se: ServiceEntry;
  path: string;
}

// Mirrors istioctl's serviceentry.ConflictingServiceEntryProtocolAnalyzer: ServiceEntry ports are
// keyed by (export scope, host as written, port number); a key whose entries (plus those of the
// same host and port exported to `*`) carry more than one protocol, compared case-insensitively
// and with an unset protocol counting as its own value, is a conflict. Each ServiceEntry is
// reported once, for the first conflicting key (sorted here; random in istioctl, so the host and
// port printed can differ while the resources reported are the same). One ServiceEntry with the
// same port twice under different protocols conflicts with itself.
export default defineCheck({
  id: 'serviceentry-protocol-conflicts',
  title: 'ServiceEntries agree on port protocols',
  description: 'No two ServiceEntries visible in the same namespace give the same host and port different protocols.',
  why: 'A proxy builds one listener and cluster per host and port; with two protocols declared, which one wins is undefined, and HTTP routing or TLS passthrough breaks for that host.',
  inputs: ['networking.istio.io/v1/ServiceEntry'],
  analyzer: 'serviceentry.ConflictingServiceEntryProtocolAnalyzer',
  docs: '/concepts/traffic-management/#serviceentry-protocol-conflicts',
  analyze(ctx) {
    const index = new Map<string, { scope: string; host: string; port: number; entries: Entry[] }>();
    for (const se of ctx.list('networking.istio.io/v1/ServiceEntry')) {
      const ns = namespaceOf(se);
      const exportTo = se.spec?.exportTo;
      const scopes = isExportToAll(exportTo)
        ? [EXPORT_TO_ALL]
        : [...new Set((exportTo ?? []).map((e) => (e === EXPORT_TO_LOCAL ? ns : e)))];
      for (const scope of scopes) {
        for (const host of se.spec?.hosts ?? []) {
          (se.spec?.ports ?? []).forEach((p, i) => {
            const port = p.number ?? 0;
            const key = keyOf(scope, host, port);
            const slot = index.get(key) ?? { scope, host, port, entries: [] };
            slot.entries.push({ protocol: p.protocol ?? '', se, path: `spec.ports[${i}]` });
            index.set(key, slot);
          });
        }
      }
    }

    const reported = new Set<string>();
    for (const key of [...index.keys()].sort()) {
      const { scope, host, port, entries: own } = index.get(key)!;
      const entries = scope === EXPORT_TO_ALL ? own : [...own, ...(index.get(keyOf(EXPORT_TO_ALL, host, port))?.entries ?? [])];
      const protocols = [...new Set(entries.map((e) => e.protocol.toUpperCase()))].sort();
      if (protocols.length < 2) continue;
      const names = [...new Set(entries.map((e) => fullName(e.se)))].sort().join(', ');
      const shown = protocols.map((p) => (p === '' ? '(unset)' : p));
      for (const e of entries) {
        const name = fullName(e.se);
        if (reported.has(name)) continue;
        reported.add(name);
        ctx.report(
          'IST0177',
          { kind: 'ServiceEntry', namespace: namespaceOf(e.se), name: e.se.metadata.name },
          { serviceEntries: names, host, port, protocols: protocols.join(', ') },
          {
            evidence: {
              host,
              port,
              [`${e.path}.protocol`]: e.protocol === '' ? '(unset)' : e.protocol,
              'export scope': scope,
              'protocols declared': shown.join(', '),
              ServiceEntries: names,
            },
            fix: 'one-protocol',
            fixParams: { host, port, serviceEntries: names },
          },
        );
      }
    }
  },
});

function keyOf(scope: string, host: string, port: number): string {
  return `${scope}\u0000${host}\u0000${port}`;
}
