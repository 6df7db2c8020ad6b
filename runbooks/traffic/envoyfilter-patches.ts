import { defineCheck } from '../../src/engine/check.ts';
import type { CodeId } from '../../src/engine/codes.ts';
import type { EnvoyConfigPatch, EnvoyFilter } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

type PatchCode = Extract<CodeId, 'IST0151' | 'IST0152' | 'IST0153' | 'IST0154' | 'IST0155'>;

const ROUTE_LEVEL = new Set(['ROUTE_CONFIGURATION', 'HTTP_ROUTE']);
const REPLACEABLE = new Set(['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST']);

// Mirrors istioctl's envoyfilter.EnvoyPatchAnalyzer, patch by patch:
// - ADD on ROUTE_CONFIGURATION or HTTP_ROUTE → IST0153; REMOVE there → IST0154;
// - REPLACE on anything but NETWORK_FILTER, HTTP_FILTER or VIRTUAL_HOST → IST0152;
// - any other REMOVE or REPLACE, and every INSERT_BEFORE/INSERT_AFTER, in a filter whose
//   priority is 0 → IST0151, or IST0155 when an earlier patch with a proxyVersion match had the
//   same target name. MERGE, INSERT_FIRST and the other ADDs are never reported.
// Its quirks, kept: a patch without `patch` ends the filter's analysis; the target name is the
// patch value's `name` (compared as a typed value, so "a" in a value never equals a filter name
// "a"), else — when the value has other fields — the listener filter it matches, else empty;
// earlier patches span filters, which istioctl visits in no set order (here: namespace/name).
// Identical messages on one EnvoyFilter collapse into one, as istioctl deduplicates them.
export default defineCheck({
  id: 'envoyfilter-patches',
  title: 'EnvoyFilter patches apply',
  description:
    'No EnvoyFilter patch uses an operation its applyTo ignores, and relative patches (insert before/after, replace, remove) come with a priority.',
  why: 'EnvoyFilters patch the generated Envoy configuration directly: a patch istiod skips, or one whose anchor is not there yet when it runs, silently leaves the proxies without the change.',
  inputs: ['networking.istio.io/v1alpha3/EnvoyFilter'],
  analyzer: 'envoyfilter.EnvoyPatchAnalyzer',
  docs: '/concepts/traffic-management/#envoyfilter-patches',
  analyze(ctx) {
    const filters = ctx
      .list('networking.istio.io/v1alpha3/EnvoyFilter')
      .filter(inAnalyzedRevision)
      .sort((a, b) => key(a).localeCompare(key(b)));
    // Target names of earlier patches that carry a proxyVersion match.
    const versioned: string[] = [];
    for (const filter of filters) {
      const found = new Map<PatchCode, string[]>();
      const note = (code: PatchCode, at: string): void => void found.set(code, [...(found.get(code) ?? []), at]);
      const priority = filter.spec?.priority ?? 0;
      for (const [index, patch] of (filter.spec?.configPatches ?? []).entries()) {
        const operation = patch?.patch?.operation;
        if (patch === null || patch.patch === null || patch.patch === undefined) break;
        const name = targetName(patch);
        const applyTo = patch.applyTo ?? 'INVALID';
        const at = `spec.configPatches[${index}]: ${operation ?? 'INVALID'} on ${applyTo}`;
        const relative = (): void => {
          if (priority === 0) note(versioned.includes(name) ? 'IST0155' : 'IST0151', at);
        };
        if (operation === 'ADD') {
          if (ROUTE_LEVEL.has(applyTo)) note('IST0153', at);
        } else if (operation === 'REMOVE') {
          if (ROUTE_LEVEL.has(applyTo)) note('IST0154', at);
          else relative();
        } else if (operation === 'REPLACE') {
          if (!REPLACEABLE.has(applyTo)) note('IST0152', at);
          else relative();
        } else if (operation === 'INSERT_BEFORE' || operation === 'INSERT_AFTER') {
          relative();
        }
        if ((patch.match?.proxy?.proxyVersion ?? '') !== '') versioned.push(name);
      }
      const resource = { kind: 'EnvoyFilter', namespace: namespaceOf(filter), name: filter.metadata.name };
      const extra = (code: PatchCode) => ({ evidence: { 'spec.priority': priority, patches: (found.get(code) ?? []).join('; ') } });
      if (found.has('IST0151')) ctx.report('IST0151', resource, {}, extra('IST0151'));
      if (found.has('IST0152')) ctx.report('IST0152', resource, {}, extra('IST0152'));
      if (found.has('IST0153')) ctx.report('IST0153', resource, {}, extra('IST0153'));
      if (found.has('IST0154')) ctx.report('IST0154', resource, {}, extra('IST0154'));
      if (found.has('IST0155')) ctx.report('IST0155', resource, {}, extra('IST0155'));
    }
  },
});

const key = (f: EnvoyFilter): string => `${namespaceOf(f)}/${f.metadata.name}`;

// The name istioctl compares patches by: the value's `name` field as a typed value, else the
// matched listener filter's name when the value has fields at all, else ''.
function targetName(patch: EnvoyConfigPatch): string {
  const value = patch.patch?.value;
  if (value === null || value === undefined) return '';
  if ('name' in value) return `value:${JSON.stringify(value.name ?? null)}`;
  return patch.match?.listener?.filterChain?.filter?.name ?? '';
}
