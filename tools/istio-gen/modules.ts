// Where the generators find Istio's sources: the Go module cache, at the istio.io/istio version
// our istioctl and test cluster are built from, and the istio.io/api version that module requires.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The istio.io/istio pseudo-version istioctl is built from (tools/cluster/crd-paths.sh uses the same). */
export const ISTIO_MODULE_VERSION = 'v0.0.0-20260827124520-eed52ebb66ad';

function goModCache(): string {
  const fromEnv = process.env.GOMODCACHE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  } catch (cause) {
    throw new Error('Cannot find the Go module cache: set GOMODCACHE, or put `go` on PATH', { cause });
  }
}

function existingDir(dir: string, hint: string): string {
  if (!existsSync(dir)) throw new Error(`Missing ${dir}; ${hint}`);
  return dir;
}

/** istio.io/istio's module directory (ISTIO_MODULE overrides the version). */
export function istioModuleDir(): string {
  const version = process.env.ISTIO_MODULE ?? ISTIO_MODULE_VERSION;
  return existingDir(path.join(goModCache(), `istio.io/istio@${version}`), `run: go mod download istio.io/istio@${version}`);
}

/** The istio.io/api version istio.io/istio requires, and its module directory. */
export function istioApiModule(): { version: string; dir: string } {
  const goMod = readFileSync(path.join(istioModuleDir(), 'go.mod'), 'utf8');
  const version = /^\s*istio\.io\/api\s+(\S+)/m.exec(goMod)?.[1];
  if (version === undefined) throw new Error('istio.io/istio go.mod requires no istio.io/api version');
  return { version, dir: existingDir(path.join(goModCache(), `istio.io/api@${version}`), `run: go mod download istio.io/api@${version}`) };
}

/** Formats generated TypeScript with the project's Prettier settings. */
export async function formatTs(file: string, text: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}
