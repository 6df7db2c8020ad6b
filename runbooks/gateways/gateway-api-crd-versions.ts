import { defineCheck } from '../../src/engine/check.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's k8sgateway.CRDVersionAnalyzer (pkg/config/analysis/analyzers/k8sgateway/
// crdversion.go) with the minimums of pkg/config/schema/gatewayapi/minimumversions.go:
// - only the CRDs named in that table are looked at; one without the bundle-version annotation
//   is skipped (istiod logs that case itself), and so is a value that does not parse;
// - the value parses as Masterminds semver does by default (coercing): `v` prefix optional,
//   minor and patch optional, leading zeros allowed, prerelease and build metadata validated;
// - the prerelease is dropped before comparing (v1.5.0-rc.1 meets a 1.5.0 minimum), build
//   metadata never counts, and the message prints the installed version normalized
//   (`1.2.0-rc.1`, no `v`) the way semver's String() does;
// - CRDs labelled istio.io/rev=<other> are invisible (istioctl's default --revision).
const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

/** The minimum Gateway API bundle version this Istio release needs, per CRD name. */
const MINIMUM_CRD_VERSIONS: ReadonlyMap<string, readonly [number, number, number]> = new Map([
  ['grpcroutes.gateway.networking.k8s.io', [1, 1, 0]],
  ['backendtlspolicies.gateway.networking.k8s.io', [1, 4, 0]],
  ['tlsroutes.gateway.networking.k8s.io', [1, 5, 0]],
  ['tcproutes.gateway.networking.k8s.io', [1, 6, 0]],
]);

// Masterminds semver's loose pattern, which NewVersion uses while CoerceNewVersion is true (its default).
const LOOSE_SEMVER = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const MAX_UINT64 = 18446744073709551615n;

interface SemVer {
  parts: [bigint, bigint, bigint];
  pre: string;
  metadata: string;
}

/** Parses like semver.NewVersion; undefined where it returns an error. */
export function parseSemver(value: string): SemVer | undefined {
  if (value.length > 256) return undefined;
  const m = LOOSE_SEMVER.exec(value);
  if (m === null) return undefined;
  const num = (s: string | undefined): bigint | undefined => {
    const n = BigInt((s ?? '0').replace(/^\./, '') || '0');
    return n > MAX_UINT64 ? undefined : n;
  };
  const parts = [num(m[1]), num(m[2]), num(m[3])];
  if (parts.some((p) => p === undefined)) return undefined;
  const pre = m[5] ?? '';
  // Numeric prerelease identifiers may not start with 0 (validatePrerelease).
  if (pre !== '' && pre.split('.').some((id) => /^[0-9]+$/.test(id) && id.length > 1 && id.startsWith('0'))) return undefined;
  return { parts: parts as [bigint, bigint, bigint], pre, metadata: m[8] ?? '' };
}

/** semver's String(): `major.minor.patch[-pre][+metadata]`. */
function semverString(v: SemVer): string {
  return `${v.parts.join('.')}${v.pre === '' ? '' : `-${v.pre}`}${v.metadata === '' ? '' : `+${v.metadata}`}`;
}

function lessThan(a: readonly bigint[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== BigInt(b[i]!)) return a[i]! < BigInt(b[i]!);
  }
  return false;
}

export default defineCheck({
  id: 'gateway-api-crd-versions',
  title: 'Gateway API CRDs are recent enough for Istio',
  description:
    'Every installed Gateway API CRD that Istio sets a minimum for (GRPCRoute, BackendTLSPolicy, TLSRoute, TCPRoute) carries a bundle-version annotation at or above that minimum.',
  why: 'istiod does not watch a Gateway API kind whose CRD is older than it supports: every route or policy of that kind is silently ignored until the CRDs are upgraded.',
  inputs: ['apiextensions.k8s.io/v1/CustomResourceDefinition'],
  analyzer: 'k8sgateway.CRDVersionAnalyzer',
  docs: '/concepts/gateways/#gateway-api-crd-versions',
  analyze(ctx) {
    for (const crd of ctx.list('apiextensions.k8s.io/v1/CustomResourceDefinition')) {
      if (!inAnalyzedRevision(crd)) continue;
      const name = crd.metadata.name;
      const minimum = MINIMUM_CRD_VERSIONS.get(name);
      if (minimum === undefined) continue;
      const raw = crd.metadata.annotations?.[BUNDLE_VERSION];
      if (raw === undefined) continue;
      const installed = parseSemver(raw);
      if (installed === undefined || !lessThan(installed.parts, minimum)) continue;
      const wanted = minimum.join('.');
      ctx.report(
        'IST0176',
        { kind: 'CustomResourceDefinition', name },
        { crd: name, installedVersion: semverString(installed), minimumVersion: wanted },
        {
          evidence: {
            [`metadata.annotations[${BUNDLE_VERSION}]`]: raw,
            'minimum for this Istio release': wanted,
          },
          fix: 'upgrade-crds',
          fixParams: { version: wanted, crd: name },
        },
      );
    }
  },
});
