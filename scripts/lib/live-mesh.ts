// Loads a generated mesh (scripts/gen-mesh.ts) into the test API server fast enough for 20k
// objects: the benchmarks' loader (scripts/bench/live.ts, scripts/bench/page.ts). Not the harness's fixture loader
// (tools/cluster/harness.ts loadObjects), which adapts arbitrary fixtures one at a time.
//
// Two waves instead of five tiers: what namespaced objects need to exist first (Namespaces; with
// them the other cluster-scoped objects), then everything else at once. The test cluster runs no
// controllers and no admission plugin that looks up references (ServiceAccount admission is
// off), so a Pod does not need its ServiceAccount, nor an EndpointSlice its Service, to exist.
// Status (Pods, Nodes, Deployments) is merge-patched right after each create, as a kubelet would.

import type { KubeObject } from '../../src/k8s/objects.ts';

/** What the loader needs of the harness's AdminClient. */
export interface MeshWriter {
  create(obj: KubeObject): Promise<unknown>;
  patchStatus(obj: KubeObject, status: unknown): Promise<void>;
}

const FIRST = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding']);
const STATUS_KINDS = new Set(['Pod', 'Node', 'Deployment']);
const PRESENT_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export interface LoadResult {
  requests: number;
  ms: number;
}

/** Creates `objects` through `writer`, `concurrency` requests in flight; returns requests sent and time taken. */
export async function loadMesh(writer: MeshWriter, objects: readonly KubeObject[], concurrency = 48): Promise<LoadResult> {
  const t = performance.now();
  let requests = 0;
  const waves = [objects.filter((o) => FIRST.has(o.kind)), objects.filter((o) => !FIRST.has(o.kind))];
  for (const wave of waves) {
    const todo = wave.filter((o) => !(o.kind === 'Namespace' && PRESENT_NAMESPACES.has(o.metadata.name)));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const { status, ...object } = structuredClone(todo[next++]!) as KubeObject & { status?: unknown };
        const spec = object.spec as { clusterIP?: string; clusterIPs?: string[] } | undefined;
        // The demo's control-plane Services carry addresses outside the test cluster's range.
        if (object.kind === 'Service' && spec?.clusterIP !== undefined && !/^10\.(9[6-9]|10[0-9]|11[01])\./.test(spec.clusterIP)) {
          delete spec.clusterIP;
          delete spec.clusterIPs;
        }
        await writer.create(object as KubeObject);
        requests++;
        if (status !== undefined && STATUS_KINDS.has(object.kind)) {
          const s = { ...(status as Record<string, unknown>) };
          // The API server requires podIPs[0] == podIP (and hostIPs[0] == hostIP) on status updates.
          if (typeof s.podIP === 'string' && s.podIPs === undefined) s.podIPs = [{ ip: s.podIP }];
          if (typeof s.hostIP === 'string' && s.hostIPs === undefined) s.hostIPs = [{ ip: s.hostIP }];
          await writer.patchStatus(object as KubeObject, s);
          requests++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  }
  return { requests, ms: performance.now() - t };
}
