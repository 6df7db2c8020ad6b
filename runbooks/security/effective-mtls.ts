import { defineCheck } from '../../src/engine/check.ts';
import type { MatrixCell, ReachabilityMatrix, ResourceRef } from '../../src/engine/types.ts';
import type { Pod, Service, ServicePort } from '../../src/k8s/objects.ts';
import { matchesLabels } from '../../src/k8s/selectors.ts';
import { resourceNameFromHost, toFqdn } from '../../src/istio/hosts.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import {
  connectionWorks,
  destinationRuleResolver,
  destinationRuleTls,
  meshMtlsFromConfigMap,
  modeForPort,
  peerSpec,
  workloadMtlsResolver,
  type ModeSource,
  type MtlsMode,
} from '../../src/istio/mtls.ts';
import { isAmbientPod } from '../../src/mesh/ambient.ts';
import { hasProxy, isApplicationPod, isLivePod } from '../../src/mesh/meshed.ts';
import { workloadName } from '../../src/reachability/network-model.ts';
import { countedList, fullName, ISTIO_PROXY, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// The effective mTLS mode of every meshed workload's ports (src/istio/mtls.ts), drawn as a
// matrix: rows are workloads, columns the ports they listen on (Service targetPorts and declared
// container ports). The matrix reuses the reachability picture and reads it as "can a plaintext
// client connect?": STRICT cells are blocked (by the PeerAuthentication that made them STRICT),
// PERMISSIVE and DISABLE cells allowed, a workload whose pods disagree partial.
//
// Findings:
// - MB0830, clients outside the mesh calling a STRICT port. Who calls is inferred: every live pod
//   without a proxy (no sidecar, not captured by ztunnel) in the Service's own namespace is taken as a caller of its ports (callers
//   from other namespaces are not guessed; NetworkPolicies are not consulted, mTLS rejects the
//   connection wherever it is allowed through);
// - MB0831 / MB0833, a DestinationRule whose tls mode cannot work with the servers' mode, for
//   the client namespaces that actually use that rule (Istio's DestinationRule precedence);
//   namespace-wide and mesh-wide rules are left to mtls-conflicts, which covers them as Kiali does;
// - MB0832, a workload policy that weakens a STRICT namespace or mesh policy.

const MATRIX_TITLE = 'Plaintext from outside the mesh, per workload port: blocked where mTLS is STRICT';
// A page draws a few dozen rows; a 50k-object cluster has ~9,000 meshed workloads (2 MB of cells).
// Above this the matrix keeps the workloads whose ports differ most from the usual mode.
const MATRIX_LIMITS = { maxRows: 100, maxColumns: 100 };

interface Workload {
  namespace: string;
  name: string;
  pods: Pod[];
}

const sourceText = (s: ModeSource): string =>
  s.policy === undefined ? "Istio's default" : `${s.level} policy PeerAuthentication ${s.policy.namespace}/${s.policy.name}`;

// The container port a Service port reaches on a pod: a number, a named container port, or the port itself.
function targetPortOn(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && target !== '') {
    if (/^\d+$/.test(target)) return Number(target);
    for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
    return undefined;
  }
  return port.port;
}

// The matrix, trimmed above MATRIX_LIMITS: first the rows with the most cells whose state is not
// the most common one (pods that disagree, ports left open or closed against the rest of the
// mesh), then the columns those rows use most; label order among equals and in the result.
function bounded(rows: { id: string; label: string }[], ports: number[], cells: MatrixCell[]): ReachabilityMatrix {
  const columns = ports.map((p) => ({ id: `port-${p}`, label: String(p) }));
  if (rows.length <= MATRIX_LIMITS.maxRows && columns.length <= MATRIX_LIMITS.maxColumns)
    return { type: 'reachability-matrix', title: MATRIX_TITLE, rows, columns, cells };
  const stateCount = new Map<MatrixCell['state'], number>();
  for (const c of cells) stateCount.set(c.state, (stateCount.get(c.state) ?? 0) + 1);
  const usual = [...stateCount].sort((a, b) => b[1] - a[1])[0]?.[0];
  const keep = <T extends { id: string }>(entries: T[], score: Map<string, number>, max: number): T[] => {
    const kept = new Set(
      entries
        .map((e, i) => ({ id: e.id, i, n: score.get(e.id) ?? 0 }))
        .sort((a, b) => b.n - a.n || a.i - b.i)
        .slice(0, max)
        .map((x) => x.id),
    );
    return entries.filter((e) => kept.has(e.id));
  };
  const unusual = new Map<string, number>();
  for (const c of cells) if (c.state !== usual) unusual.set(c.row, (unusual.get(c.row) ?? 0) + 1);
  const keptRows = keep(rows, unusual, MATRIX_LIMITS.maxRows);
  const rowIds = new Set(keptRows.map((r) => r.id));
  const used = new Map<string, number>();
  for (const c of cells) if (rowIds.has(c.row)) used.set(c.column, (used.get(c.column) ?? 0) + 1);
  const keptColumns = keep(
    columns.filter((c) => used.has(c.id)),
    used,
    MATRIX_LIMITS.maxColumns,
  );
  const columnIds = new Set(keptColumns.map((c) => c.id));
  return {
    type: 'reachability-matrix',
    title: `${MATRIX_TITLE}; the ${keptRows.length} of ${rows.length} workloads whose ports differ most from the usual mode, on ${keptColumns.length} of ${columns.length} ports`,
    rows: keptRows,
    columns: keptColumns,
    cells: cells.filter((c) => rowIds.has(c.row) && columnIds.has(c.column)),
  };
}

export default defineCheck({
  id: 'effective-mtls',
  title: 'Effective mTLS mode per workload port',
  description:
    'Computes the mTLS mode every meshed workload enforces on each port (mesh, namespace, workload and port-level PeerAuthentications), draws it as a matrix, and reports clients outside the mesh calling STRICT ports, DestinationRules whose TLS mode the servers refuse, and workload policies that weaken a STRICT one.',
  why: 'Whether a connection succeeds depends on both ends: the server proxy accepts plaintext, Istio mTLS or either, and the client proxy sends what its DestinationRule or auto mTLS decides. A mismatch resets every connection, and looks like an application outage.',
  inputs: [
    'v1/Pod',
    'v1/Namespace',
    'v1/Service',
    'v1/ConfigMap',
    'security.istio.io/v1/PeerAuthentication',
    'networking.istio.io/v1/DestinationRule',
  ],
  docs: '/concepts/security-policies/#effective-mtls',
  analyze(ctx) {
    const mesh = meshMtlsFromConfigMap(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const root = mesh.rootNamespace;
    const pas = ctx.list('security.istio.io/v1/PeerAuthentication');
    const namespaces = new Map(ctx.list('v1/Namespace').map((n) => [n.metadata.name, n]));
    const pods = ctx.list('v1/Pod').filter((p) => isLivePod(p) && isApplicationPod(p));
    // In the mesh for mTLS means a proxy on the path today: a sidecar, or ztunnel for ambient pods.
    // A pod of an injected namespace that started before the label still sends plaintext.
    const meshed = new Set(pods.filter((p) => hasProxy(p) || isAmbientPod(p, namespaces.get(namespaceOf(p)))));
    const services = ctx.list('v1/Service');
    // Everything below looks pods up by namespace, Services by the pods they select, and merged
    // policies once per label set: scanning every pod per Service per pod grows with the square
    // of the mesh and times out on large clusters.
    const podsIn = new Map<string, Pod[]>();
    for (const p of pods) {
      const ns = namespaceOf(p);
      const list = podsIn.get(ns);
      if (list === undefined) podsIn.set(ns, [p]);
      else list.push(p);
    }
    const backingOf = new Map<Service, Pod[]>();
    const servicesOf = new Map<Pod, Service[]>();
    for (const svc of services) {
      const selector = svc.spec?.selector;
      const ends =
        selector === undefined || Object.keys(selector).length === 0
          ? []
          : (podsIn.get(namespaceOf(svc)) ?? []).filter((p) => matchesLabels(selector, p.metadata.labels));
      backingOf.set(svc, ends);
      for (const p of ends) {
        const list = servicesOf.get(p);
        if (list === undefined) servicesOf.set(p, [svc]);
        else list.push(svc);
      }
    }
    const backing = (svc: Service): Pod[] => backingOf.get(svc) ?? [];
    const mergedFor = workloadMtlsResolver(pas, root);
    const modeOf = (pod: Pod, port: number): { mode: MtlsMode; source: ModeSource } =>
      modeForPort(mergedFor(namespaceOf(pod), pod.metadata.labels), port);

    // The matrix: meshed workloads × the ports they listen on.
    const workloads = new Map<string, Workload>();
    for (const pod of meshed) {
      const ns = namespaceOf(pod);
      const name = workloadName(pod);
      const key = `${ns}/${name}`;
      const w = workloads.get(key) ?? { namespace: ns, name, pods: [] };
      w.pods.push(pod);
      workloads.set(key, w);
    }
    const portsOf = new Map<string, Set<number>>();
    for (const [key, w] of workloads) {
      const ports = new Set<number>();
      for (const pod of w.pods) {
        for (const c of pod.spec?.containers ?? [])
          if (c.name !== ISTIO_PROXY) for (const p of c.ports ?? []) if (typeof p.containerPort === 'number') ports.add(p.containerPort);
        for (const svc of servicesOf.get(pod) ?? []) {
          for (const sp of svc.spec?.ports ?? []) {
            const t = targetPortOn(pod, sp);
            if (t !== undefined) ports.add(t);
          }
        }
      }
      portsOf.set(key, ports);
    }
    const allPorts = [...new Set([...portsOf.values()].flatMap((s) => [...s]))].sort((a, b) => a - b);
    const rows = [...workloads.keys()].sort().map((id) => ({ id, label: id }));
    const cells: MatrixCell[] = [];
    for (const { id } of rows) {
      const w = workloads.get(id)!;
      for (const port of [...(portsOf.get(id) ?? [])].sort((a, b) => a - b)) {
        const modes = w.pods.map((p) => modeOf(p, port));
        const kinds = new Set(modes.map((m) => m.mode));
        const first = modes[0]!;
        const strictRefs: ResourceRef[] = [];
        for (const m of modes)
          if (m.mode === 'STRICT' && m.source.policy !== undefined) {
            const ref = { kind: 'PeerAuthentication', namespace: m.source.policy.namespace, name: m.source.policy.name };
            if (!strictRefs.some((r) => r.namespace === ref.namespace && r.name === ref.name)) strictRefs.push(ref);
          }
        const state: MatrixCell['state'] = kinds.size > 1 ? 'partial' : first.mode === 'STRICT' ? 'blocked' : 'allowed';
        const detail =
          kinds.size > 1
            ? `pods disagree: ${[...kinds].sort().join(' / ')}`
            : `${first.mode}${first.mode === 'DISABLE' ? ' (plaintext only)' : ''}, from the ${sourceText(first.source)}`;
        cells.push({ row: id, column: `port-${port}`, state, detail, ...(strictRefs.length > 0 && { blockedBy: strictRefs }) });
      }
    }
    if (rows.length > 0) ctx.attach(bounded(rows, allPorts, cells));

    // MB0830: plaintext callers in the namespace of a Service whose every backend is STRICT there.
    for (const svc of services) {
      const ends = backing(svc);
      if (ends.length === 0 || !ends.every((p) => meshed.has(p))) continue;
      const ns = namespaceOf(svc);
      const isEnd = new Set(ends);
      const callers = (podsIn.get(ns) ?? []).filter((p) => !meshed.has(p) && !isEnd.has(p));
      if (callers.length === 0) continue;
      for (const sp of svc.spec?.ports ?? []) {
        const targets = ends.map((p) => targetPortOn(p, sp));
        const target = targets[0];
        if (target === undefined || targets.some((t) => t !== target)) continue;
        const modes = ends.map((p) => modeOf(p, target));
        if (!modes.every((m) => m.mode === 'STRICT')) continue;
        const labels = svc.spec?.selector ?? {};
        ctx.report(
          'MB0830',
          { kind: 'Service', namespace: ns, name: svc.metadata.name },
          { service: fullName(svc), port: sp.port, targetPort: target, clients: callers.length, namespace: ns },
          {
            evidence: {
              'pods outside the mesh': countedList(callers.map((p) => p.metadata.name)),
              'effective mTLS mode': `STRICT, from the ${sourceText(modes[0]!.source)}`,
            },
            fix: 'permissive-port',
            fixParams: { namespace: ns, selector: JSON.stringify(labels), targetPort: target },
          },
        );
      }
    }

    // MB0831 / MB0833: a specific DestinationRule's mode against the servers' mode on each port.
    const drs = ctx.list('networking.istio.io/v1/DestinationRule');
    const clientNamespaces = [...new Set([...meshed].map(namespaceOf))].sort();
    const rules = destinationRuleResolver(drs, root);
    for (const dr of drs) {
      const host = dr.spec?.host ?? '';
      if (host === '' || host.includes('*')) continue;
      if (
        (dr.spec as { workloadSelector?: unknown } | undefined)?.workloadSelector !== undefined &&
        (dr.spec as { workloadSelector?: unknown }).workloadSelector !== null
      )
        continue;
      const drNs = namespaceOf(dr);
      const fqdn = toFqdn(drNs, host);
      const target = resourceNameFromHost(drNs, fqdn);
      const svc = ctx.find('v1/Service', target.namespace, target.name);
      if (svc === undefined) continue;
      const ends = backing(svc).filter((p) => meshed.has(p));
      if (ends.length === 0) continue;
      // Asked only once a port mismatches: most rules set no TLS at all.
      let users: string[] | undefined;
      const usersOf = (): string[] => (users ??= rules.clientsUsing(dr, [...new Set([drNs, ...clientNamespaces])], fqdn, target.namespace));
      for (const sp of svc.spec?.ports ?? []) {
        const tls = destinationRuleTls(dr, sp.port);
        if (tls === undefined) continue;
        const targetPort = targetPortOn(ends[0]!, sp);
        if (targetPort === undefined) continue;
        const modes = ends.map((p) => modeOf(p, targetPort));
        const server = modes[0]!;
        if (!modes.every((m) => m.mode === server.mode) || connectionWorks(tls.mode, server.mode)) continue;
        if (usersOf().length === 0) break;
        const evidence = {
          [tls.path]: tls.mode,
          'effective mTLS mode': `${server.mode} on target port ${targetPort}, from the ${sourceText(server.source)}`,
          'client namespaces using this rule': listForEvidence(usersOf()),
        };
        const patch = {
          name: dr.metadata.name,
          namespace: drNs,
          path: `/${tls.path
            .replace(/\[(\d+)\]/g, '.$1')
            .split('.')
            .join('/')}`,
        };
        const resource = { kind: 'DestinationRule', namespace: drNs, name: dr.metadata.name };
        if (server.mode === 'STRICT')
          ctx.report(
            'MB0831',
            resource,
            { destinationRule: fullName(dr), service: fullName(svc), port: sp.port, mode: tls.mode, targetPort },
            { evidence, fix: 'use-istio-mutual', fixParams: patch },
          );
        else
          ctx.report(
            'MB0833',
            resource,
            { destinationRule: fullName(dr), service: fullName(svc), port: sp.port, targetPort },
            { evidence, fix: 'remove-tls', fixParams: patch },
          );
      }
    }

    // MB0832: workload policies that weaken what the namespace or mesh made STRICT.
    const reported = new Set<string>();
    const workloadsIn = new Map<string, Workload[]>();
    for (const w of workloads.values()) {
      const list = workloadsIn.get(w.namespace);
      if (list === undefined) workloadsIn.set(w.namespace, [w]);
      else list.push(w);
    }
    for (const w of [...workloads.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))) {
      const inherited = mergedFor(w.namespace, {});
      if (inherited.mode !== 'STRICT') continue;
      const strict = `${inherited.source.level} policy PeerAuthentication ${inherited.source.policy?.namespace}/${inherited.source.policy?.name}`;
      const merged = mergedFor(w.namespace, w.pods[0]!.metadata.labels);
      const wl = merged.workload;
      if (wl === undefined) continue;
      const weakened: { port: string; mode: MtlsMode; field: string }[] = [];
      if (merged.mode !== 'STRICT') weakened.push({ port: 'on all ports', mode: merged.mode, field: 'spec.mtls.mode' });
      for (const [port, m] of merged.ports)
        if (m.mode !== 'STRICT' && m.mode !== merged.mode)
          weakened.push({ port: `on port ${port}`, mode: m.mode, field: `spec.portLevelMtls.${port}.mode` });
      for (const x of weakened) {
        const key = `${fullName(wl)}|${x.field}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const selected = (workloadsIn.get(w.namespace) ?? [])
          .filter((o) => matchesLabels(peerSpec(wl).selector?.matchLabels ?? undefined, o.pods[0]!.metadata.labels))
          .map((o) => `${o.namespace}/${o.name}`);
        ctx.report(
          'MB0832',
          { kind: 'PeerAuthentication', namespace: namespaceOf(wl), name: wl.metadata.name },
          { policy: fullName(wl), workload: selected.join(', '), port: x.port, mode: x.mode, strict },
          {
            evidence: {
              [x.field]: x.mode,
              'inherited mode': `STRICT, from the ${strict}`,
              'workloads it selects': listForEvidence(selected),
            },
          },
        );
      }
    }
  },
});
