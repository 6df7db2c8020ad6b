// Where istio/istio's source is on this machine: the Go module cache entry of the version our
// istioctl is built from (tools/cluster/build-istioctl.sh pins it; `.ci/run` downloads it when it
// builds istioctl). Read-only: the grid is measured against it, never copied.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const BUILD_SCRIPT = join(import.meta.dirname, '..', 'cluster', 'build-istioctl.sh');

/** The istio.io/istio pseudo-version build-istioctl.sh builds (ISTIO_MODULE overrides it, as it does there). */
export function istioModuleVersion(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.ISTIO_MODULE) return env.ISTIO_MODULE;
  const script = readFileSync(BUILD_SCRIPT, 'utf8');
  const pinned = /ISTIO_MODULE=\$\{ISTIO_MODULE:-([^}]+)\}/.exec(script)?.[1];
  if (pinned === undefined) throw new Error(`${BUILD_SCRIPT} no longer pins ISTIO_MODULE=\${ISTIO_MODULE:-…}`);
  return pinned;
}

/** The Go module cache: $GOMODCACHE, else `go env GOMODCACHE`, else ~/go/pkg/mod. */
function goModCache(env: Readonly<Record<string, string | undefined>>): string {
  if (env.GOMODCACHE) return env.GOMODCACHE;
  try {
    const out = execFileSync('go', ['env', 'GOMODCACHE'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    if (out !== '') return out;
  } catch {
    // No Go toolchain: fall back to Go's own default.
  }
  return join(env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod');
}

export type IstioLocation = { dir: string; version: string } | { missing: string };

/** istio/istio's source directory (ISTIO_SRC overrides the module cache), or why it is not there. */
export function locateIstio(env: Readonly<Record<string, string | undefined>> = process.env): IstioLocation {
  const version = istioModuleVersion(env);
  const dir = env.ISTIO_SRC || join(goModCache(env), `istio.io/istio@${version}`);
  const grid = join(dir, 'pkg/config/analysis/analyzers/analyzers_test.go');
  if (!existsSync(grid))
    return {
      missing: `istio/istio ${version} is not in the Go module cache (${grid} is absent); run tools/cluster/build-istioctl.sh (or go mod download istio.io/istio@${version}), or set ISTIO_SRC`,
    };
  return { dir, version };
}
