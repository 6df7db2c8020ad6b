// Facts for the generated finding-code reference pages, derived from the registry.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeDef } from '../engine/codes.ts';

/** Which family a code belongs to, from the ranges documented in src/engine/codes.ts. */
export function codeFamily(id: string): string {
  if (id.startsWith('IST')) return 'istioctl analyze';
  const range = /^MB(\d\d)/.exec(id)?.[1];
  const families: Record<string, string> = {
    '00': 'Meshbook engine',
    '01': 'Control plane',
    '02': 'R1 service discovery',
    '03': 'R2 API server access',
    '04': 'R3 layer 3 reachability',
    '05': 'R4 firewalls vs mesh rules',
    '06': 'R5 control ports',
  };
  return (range !== undefined ? families[range] : undefined) ?? 'Meshbook';
}

/** The istio.io page for an IST code, where `istioctl analyze` documents it. */
export function istioDocsUrl(id: string): string | undefined {
  return id.startsWith('IST') ? `https://istio.io/latest/docs/reference/config/analysis/${id.toLowerCase()}/` : undefined;
}

/** Title-cased severity, as shown on the reference pages. */
export function levelLabel(def: CodeDef): string {
  return def.level === 'error' ? 'Error' : def.level === 'warning' ? 'Warning' : 'Info';
}

/** The one-line message template, with each parameter shown as ‹name›. */
export function messageTemplate(def: CodeDef): string {
  const placeholders = new Proxy({}, { get: (_target, key) => `‹${String(key)}›` });
  return def.message(placeholders as never);
}

/**
 * The registered checks whose source reports `code` directly (`ctx.report('CODE', …)`), read
 * from runbooks/<area>/<id>.ts at build time. Codes reported only through shared helpers
 * are not found; the page then simply lists no checks.
 */
export function checksReporting(
  code: string,
  checks: readonly { id: string; title: string; docs: string }[],
  root = process.cwd(),
): { id: string; title: string; docs: string }[] {
  const files = readdirSync(join(root, 'runbooks'), { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && e.name.endsWith('.ts'),
  );
  const pattern = new RegExp(`\\.report\\(\\s*['"]${code}['"]`);
  return checks.filter((check) => {
    const file = files.find((e) => e.name === `${check.id}.ts`);
    return file !== undefined && pattern.test(readFileSync(join(file.parentPath, file.name), 'utf8'));
  });
}
