import { defineCheck } from '../../src/engine/check.ts';
import type { IstioGatewayServer, Labels } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's gateway.ConflictingGatewayAnalyzer, quirks included:
// - servers are grouped by `<selector string>~<port number>` (a server without a port is port 0);
//   within a group each Gateway keeps the hosts of its *last* server on that port;
// - two selectors are "the same" when their strings are equal, or when one string contains the
//   other and some pod (outside the namespaces istioctl ignores) matches both;
// - hosts conflict only when written identically with the same `bind` (no wildcard matching);
// - comparing a server with another Gateway's hosts *adds* the server's hosts to them when there is
//   no conflict (model.CheckDuplicates), so later comparisons see those hosts too. istioctl walks the
//   Gateways in Go map order there; we walk them by namespace/name, which agrees whenever the
//   outcome does not depend on the order;
// - IST0101 (selector) only when no group matches a non-empty selector, i.e. for a Gateway without
//   servers whose selector no other Gateway with servers shares.
// Like istioctl (default --revision), Gateways labelled istio.io/rev=<other> are not seen.
type HostsBind = Map<string, string>;

interface Server extends IstioGatewayServer {
  bind?: string;
}

/** The hosts of `hosts` already known with the same bind; when none, they become known (model.CheckDuplicates). */
function checkDuplicates(hosts: readonly string[], bind: string, known: HostsBind): string[] {
  const duplicates = hosts.filter((h) => known.has(h) && known.get(h) === bind);
  if (duplicates.length === 0) for (const h of hosts) known.set(h, bind);
  return duplicates;
}

/** `a=b,c=d` back into labels, the analyzer's way (parseSelectorFromString): pairs that do not split in two are dropped. */
function parseSelector(text: string): Labels {
  const out: Labels = {};
  for (const pair of text.split(',')) {
    const kv = pair.split('=');
    if (kv.length === 2) out[kv[0]!] = kv[1]!;
  }
  return out;
}

export default defineCheck({
  id: 'gateway-conflicts',
  title: 'Gateways do not claim the same host on the same port',
  description:
    'No two Gateways that select the same gateway pods define servers on the same port for the same host, and a Gateway without servers still selects gateway pods.',
  why: "Envoy can serve a host on a port from only one server: when two Gateways claim it, istiod keeps one and the other's TLS settings and routes silently never apply.",
  inputs: ['networking.istio.io/v1/Gateway', 'v1/Pod'],
  analyzer: 'gateway.ConflictingGatewayAnalyzer',
  docs: '/concepts/gateways/#gateway-conflicts',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod').filter((p) => !IGNORED_NAMESPACES.has(namespaceOf(p)));
    const gateways = ctx
      .list('networking.istio.io/v1/Gateway')
      .filter(inAnalyzedRevision)
      .sort((a, b) => {
        const ka = `${namespaceOf(a)}/${a.metadata.name}`;
        const kb = `${namespaceOf(b)}/${b.metadata.name}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });

    // `<selector>~<port>` → Gateway "ns/name" → host → bind (initGatewaysMap).
    const groups = new Map<string, Map<string, HostsBind>>();
    for (const gw of gateways) {
      const sel = selectorString(gw.spec?.selector);
      for (const server of (gw.spec?.servers ?? []) as Server[]) {
        const key = `${sel}~${server.port?.number ?? 0}`;
        const byGateway = groups.get(key) ?? new Map<string, HostsBind>();
        groups.set(key, byGateway);
        byGateway.set(`${namespaceOf(gw)}/${gw.metadata.name}`, new Map((server.hosts ?? []).map((h) => [h, server.bind ?? ''])));
      }
    }

    for (const gw of gateways) {
      const name = `${namespaceOf(gw)}/${gw.metadata.name}`;
      const resource = { kind: 'Gateway', namespace: namespaceOf(gw), name: gw.metadata.name };
      const selector = gw.spec?.selector ?? {};
      const sel = selectorString(selector);
      const same: string[] = [];
      for (const key of groups.keys()) {
        const keySel = key.slice(0, key.lastIndexOf('~'));
        if (keySel === sel) same.push(key);
        else if (keySel.includes(sel) || sel.includes(keySel)) {
          const other = parseSelector(keySel);
          if (pods.some((p) => matchesLabels(selector, p.metadata.labels) && matchesLabels(other, p.metadata.labels))) same.push(key);
        }
      }
      if (sel !== '' && same.length === 0) {
        ctx.report(
          'IST0101',
          resource,
          { kind: 'selector', ref: sel },
          {
            evidence: {
              'spec.selector': sel,
              'spec.servers': (gw.spec?.servers ?? []).length,
              'matching pods': pods.filter((p) => matchesLabels(selector, p.metadata.labels)).length,
            },
            fix: 'gateway-without-servers',
            fixParams: { gateway: name, selector: sel },
          },
        );
        continue;
      }
      ((gw.spec?.servers ?? []) as Server[]).forEach((server, i) => {
        const port = String(server.port?.number ?? 0);
        const hosts = server.hosts ?? [];
        const conflicting: string[] = [];
        const shared = new Set<string>();
        for (const key of same) {
          if (key.slice(key.lastIndexOf('~') + 1) !== port) continue;
          for (const [other, known] of groups.get(key)!) {
            if (other === name) continue;
            const dup = checkDuplicates(hosts, server.bind ?? '', known);
            if (dup.length === 0) continue;
            conflicting.push(other);
            for (const h of dup) shared.add(h);
          }
        }
        if (conflicting.length === 0) return;
        conflicting.sort();
        ctx.report(
          'IST0145',
          resource,
          { gateway: conflicting.join(','), selector: sel, portnumber: port, hosts: hosts.join(',') },
          {
            evidence: {
              'spec.selector': sel || '(empty: every pod)',
              [`spec.servers[${i}].port.number`]: port,
              [`spec.servers[${i}].hosts`]: listForEvidence(hosts),
              'hosts also served by': `${listForEvidence([...shared])} in ${conflicting.join(', ')}`,
            },
            fix: 'one-gateway-per-host',
            fixParams: { hosts: listForEvidence([...shared]), port },
          },
        );
      });
    }
  },
});
