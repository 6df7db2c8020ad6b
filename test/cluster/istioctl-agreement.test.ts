// Agreement with `istioctl analyze`, measured rather than argued: each traffic-management fixture
// is loaded into a real kube-apiserver, then `istioctl analyze -A --analyzer <name>` (live mode,
// the way operators run it) and the check that mirrors that analyzer both look at the cluster.
// They must report the same multiset of (code, resource), and the same messages except where
// istioctl's own output depends on Go map order (IST0109, IST0177: which conflicting host a
// resource is reported for).
// Files-only mode (`--use-kube=false`) is not the reference: it skips every analyzer that reads
// Services, Pods, Nodes, Namespaces or Secrets, so most of these checks would never run there.
//
// Needs istioctl built from the same Istio module as the CRDs, e.g.
//   GOBIN=$HOME/.cache/meshbook/istioctl/<version>/bin go install istio.io/istio/istioctl/cmd/istioctl@<version>
// or ISTIOCTL_BIN; skipped with a message otherwise.

import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { getCheck } from '../../runbooks/index.ts';
import { friendly } from '../helpers/run-fixtures.ts';
import { REPO, findClusterBinaries, loadObjects, startCluster, unloadObjects, type TestCluster } from '../../tools/cluster/harness.ts';

function findIstioctl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ISTIOCTL_BIN) return existsSync(env.ISTIOCTL_BIN) ? env.ISTIOCTL_BIN : undefined;
  const dir = join(env.MESHBOOK_CACHE ?? join(homedir(), '.cache', 'meshbook'), 'istioctl');
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .sort()
    .map((v) => join(dir, v, 'bin', 'istioctl'))
    .filter((f) => existsSync(f));
  return found.at(-1);
}

const binaries = findClusterBinaries();
const istioctl = findIstioctl();
if (binaries === undefined || istioctl === undefined) {
  console.warn(
    `[istioctl-agreement] SKIPPED: ${binaries === undefined ? 'kube-apiserver/etcd are not built (tools/cluster/build-all.sh)' : 'no istioctl (set ISTIOCTL_BIN, or go install istio.io/istio/istioctl/cmd/istioctl into ~/.cache/meshbook/istioctl/<version>/bin)'}.`,
  );
}

// Codes whose message istioctl builds from whichever conflicting key Go's map iteration meets first.
const ORDER_DEPENDENT_MESSAGES = new Set(['IST0109', 'IST0177']);

const FIXTURES = join(REPO, 'test', 'fixtures');
const scenarios: { check: string; analyzer: string; fixtures: string[] }[] = [
  ...['service-port-names-ok', 'service-port-names-bad'].map((f) => ({
    check: 'service-port-names',
    analyzer: 'service.PortNameAnalyzer',
    fixtures: [`service-port-names/${f}.yaml`],
  })),
  ...['destination-hosts-ok', 'destination-hosts-bad'].map((f) => ({
    check: 'virtualservice-destination-hosts',
    analyzer: 'virtualservice.DestinationHostAnalyzer',
    fixtures: [`virtualservice-destination-hosts/${f}.yaml`],
  })),
  ...['destination-rules-ok', 'destination-rules-bad'].map((f) => ({
    check: 'virtualservice-destination-rules',
    analyzer: 'virtualservice.DestinationRuleAnalyzer',
    fixtures: [`virtualservice-destination-rules/${f}.yaml`],
  })),
  ...['mesh-gateway-hosts-ok', 'mesh-gateway-hosts-bad'].map((f) => ({
    check: 'virtualservice-mesh-gateway-hosts',
    analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
    fixtures: [`virtualservice-mesh-gateway-hosts/${f}.yaml`],
  })),
  ...['subsets-ok', 'subsets-bad'].map((f) => ({
    check: 'destinationrule-subsets',
    analyzer: 'destinationrule.SubsetSelectPodAnalyzer',
    fixtures: [`destinationrule-subsets/${f}.yaml`],
  })),
  ...['ca-certificates-ok', 'ca-certificates-bad'].map((f) => ({
    check: 'destinationrule-ca-certificates',
    analyzer: 'destinationrule.CaCertificateAnalyzer',
    fixtures: [`destinationrule-ca-certificates/${f}.yaml`],
  })),
  ...[['addresses-ok'], ['addresses-bad'], ['addresses-bad', 'addresses-auto-allocated']].map((fs) => ({
    check: 'serviceentry-addresses',
    analyzer: 'serviceentry.Analyzer',
    fixtures: fs.map((f) => `serviceentry-addresses/${f}.yaml`),
  })),
  ...['protocol-conflicts-ok', 'protocol-conflicts-bad'].map((f) => ({
    check: 'serviceentry-protocol-conflicts',
    analyzer: 'serviceentry.ConflictingServiceEntryProtocolAnalyzer',
    fixtures: [`serviceentry-protocol-conflicts/${f}.yaml`],
  })),
  ...['sidecar-selectors-ok', 'sidecar-selectors-bad'].map((f) => ({
    check: 'sidecar-selectors',
    analyzer: 'sidecar.SelectorAnalyzer',
    fixtures: [`sidecar-selectors/${f}.yaml`],
  })),
  ...['vs-gateways-ok', 'vs-gateways-bad', 'vs-gateways-gateway-api'].map((f) => ({
    check: 'virtualservice-gateways',
    analyzer: 'virtualservice.GatewayAnalyzer',
    fixtures: [`virtualservice-gateways/${f}.yaml`],
  })),
  ...['gateway-conflicts-ok', 'gateway-conflicts-bad'].map((f) => ({
    check: 'gateway-conflicts',
    analyzer: 'gateway.ConflictingGatewayAnalyzer',
    fixtures: [`gateway-conflicts/${f}.yaml`],
  })),
  ...['gateway-secrets-ok', 'gateway-secrets-bad'].map((f) => ({
    check: 'gateway-secrets',
    analyzer: 'gateway.SecretAnalyzer',
    fixtures: [`gateway-secrets/${f}.yaml`],
  })),
  ...['duplicate-certificates-ok', 'duplicate-certificates-bad'].map((f) => ({
    check: 'gateway-duplicate-certificates',
    analyzer: 'gateway.CertificateAnalyzer',
    fixtures: [`gateway-duplicate-certificates/${f}.yaml`],
  })),
  ...['workload-services-ok', 'workload-services-bad'].map((f) => ({
    check: 'workload-services',
    analyzer: 'deployment.MultiServiceAnalyzer',
    fixtures: [`workload-services/${f}.yaml`],
  })),
  ...['webhooks-ok', 'webhooks-bad'].map((f) => ({ check: 'webhooks', analyzer: 'webhook.Analyzer', fixtures: [`webhooks/${f}.yaml`] })),
  ...['k8sgateway-selectors-ok', 'k8sgateway-selectors-bad'].map((f) => ({
    check: 'k8sgateway-selectors',
    analyzer: 'k8sgateway.SelectorAnalyzer',
    fixtures: [`k8sgateway-selectors/${f}.yaml`],
  })),
  // The cluster already holds the Gateway API v1.6.3 CRDs (the harness installs them; a real API
  // server would also refuse to downgrade them), so only the passing case can be loaded here.
  {
    check: 'gateway-api-crd-versions',
    analyzer: 'k8sgateway.CRDVersionAnalyzer',
    fixtures: ['gateway-api-crd-versions/crd-versions-live.yaml'],
  },
  ...['conditions-ok', 'conditions-bad', 'vm-and-grpc'].map((f) => ({
    check: 'status-conditions',
    analyzer: 'conditions.ConditionAnalyzer',
    fixtures: [`status-conditions/${f}.yaml`],
  })),
  // ecp-bad.yaml holds webhooks a real API server refuses (no url nor service, unparsable URLs).
  ...['ecp-ok', 'ecp-ip-address'].map((f) => ({
    check: 'external-control-plane',
    analyzer: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
    fixtures: [`external-control-plane/${f}.yaml`],
  })),
  ...['mn-ok', 'mn-bad'].map((f) => ({
    check: 'mesh-networks',
    analyzer: 'meshnetworks.MeshNetworksAnalyzer',
    fixtures: [`mesh-networks/${f}.yaml`],
  })),
  ...['image-skew-ok', 'image-skew-bad', 'image-skew-unreadable'].map((f) => ({
    check: 'proxy-image-skew',
    analyzer: 'injection.ImageAnalyzer',
    fixtures: [`proxy-image-skew/${f}.yaml`],
  })),
  ...['annotations-ok', 'annotations-bad'].map((f) => ({
    check: 'istio-annotations',
    analyzer: 'annotations.K8sAnalyzer',
    fixtures: [`istio-annotations/${f}.yaml`],
  })),
  ...['deprecations-ok', 'deprecations-bad'].map((f) => ({
    check: 'istio-deprecations',
    analyzer: 'deprecation.DeprecationAnalyzer',
    fixtures: [`istio-deprecations/${f}.yaml`],
  })),
  ...['uid-ok', 'uid-bad'].map((f) => ({
    check: 'application-uid',
    analyzer: 'applicationUID.Analyzer',
    fixtures: [`application-uid/${f}.yaml`],
  })),
  ...['image-auto-ok', 'image-auto-bad'].map((f) => ({
    check: 'image-auto',
    analyzer: 'injection.ImageAutoAnalyzer',
    fixtures: [`image-auto/${f}.yaml`],
  })),
];

interface Message {
  code: string;
  origin: string;
  message: string;
}

// istioctl may print mesh-config warnings before the JSON array; the array is the last thing on stdout.
function parseMessages(stdout: string): Message[] {
  const start = stdout.startsWith('[') ? 0 : stdout.indexOf('\n[') + 1;
  const end = stdout.lastIndexOf(']');
  if (start < 0 || end < start) throw new Error(`no JSON array in istioctl output: ${stdout.slice(0, 500)}`);
  return JSON.parse(stdout.slice(start, end + 1)) as Message[];
}

describe.skipIf(binaries === undefined || istioctl === undefined)('traffic checks agree with istioctl analyze on a live cluster', () => {
  let cluster: TestCluster;
  let source: LiveSource;

  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries! });
    source = await LiveSource.open({ kubeconfig: cluster.adminKubeconfig }, { cacheTtlMs: 0, cache: new GatherCache() });
  });

  afterAll(async () => {
    source?.close();
    await cluster?.stop();
  });

  it.each(scenarios)('$check = $analyzer over $fixtures', async ({ check, analyzer, fixtures }) => {
    const { objects } = await readFixtures(fixtures.map((f) => join(FIXTURES, f)));
    // A later file's object replaces an earlier one of the same name, as in a snapshot.
    const latest = new Map(
      objects.map((o) => [`${o.apiVersion.split('/')[0]}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`, o]),
    );
    const loaded = await loadObjects(cluster.admin, [...latest.values()]);
    try {
      // istioctl exits non-zero when it finds something; its findings are on stdout either way.
      // A run that printed nothing failed for another reason: execa's error says which, with the output.
      const out = await execa(istioctl!, ['--kubeconfig', cluster.adminKubeconfig, 'analyze', '-A', '-o', 'json', '--analyzer', analyzer], {
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
      });
      if (out.timedOut || (out.failed && out.stdout.trim() === '')) throw out;
      const theirs = parseMessages(out.stdout);
      const report = await runChecks([getCheck(check)!], source);
      // Meshbook's own MB codes (e.g. MB0105 on the webhooks check) have no istioctl counterpart.
      const ours = { ...report.checks[0]!, findings: report.checks[0]!.findings.filter((f) => f.code.startsWith('IST')) };
      expect(ours.status, ours.reason).not.toBe('error');
      expect(ours.analyzer).toBe(analyzer);
      const sorted = <T>(xs: T[]): T[] =>
        xs
          .map((x) => JSON.stringify(x))
          .sort()
          .map((x) => JSON.parse(x) as T);
      expect(sorted(ours.findings.map((f) => [f.code, friendly(f.resource)])), 'code and resource').toEqual(
        sorted(theirs.map((m) => [m.code, m.origin])),
      );
      const messages = (ms: { code: string; origin: string; message: string }[]): string[] =>
        ms
          .filter((m) => !ORDER_DEPENDENT_MESSAGES.has(m.code))
          .map((m) => `${m.code} ${m.origin}: ${m.message}`)
          .sort();
      expect(messages(ours.findings.map((f) => ({ code: f.code, origin: friendly(f.resource), message: f.message }))), 'messages').toEqual(
        messages(theirs),
      );
    } finally {
      await unloadObjects(cluster.admin, loaded);
    }
  });
});
