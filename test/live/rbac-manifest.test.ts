// The viewer ClusterRole we document must grant read on every kind a check can read, no
// write except access reviews, and Secrets only in the separate opt-in role.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { KINDS, KIND_IDS, type KindInfo } from '../../src/k8s/kinds.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Role {
  kind: string;
  metadata: { name: string };
  rules: Rule[];
}

const manifest = join(import.meta.dirname, '..', '..', 'docs', 'rbac', 'meshbook-viewer.yaml');
const roles = yaml.loadAll(readFileSync(manifest, 'utf8')) as Role[];
const byName = new Map(roles.map((r) => [r.metadata.name, r]));

function verbsFor(role: Role, group: string, resource: string): Set<string> {
  return new Set(role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs));
}

describe('docs/rbac/meshbook-viewer.yaml', () => {
  const viewer = byName.get('meshbook-viewer')!;
  const secrets = byName.get('meshbook-viewer-secrets')!;

  it('holds the viewer role and the opt-in Secrets role, both ClusterRoles', () => {
    expect(roles.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual([
      'ClusterRole/meshbook-viewer',
      'ClusterRole/meshbook-viewer-secrets',
    ]);
  });

  it.each(KIND_IDS.filter((id) => (KINDS[id] as KindInfo).metadataOnly !== true))('viewer can get and list %s', (id) => {
    const verbs = verbsFor(viewer, KINDS[id].group, KINDS[id].plural);
    expect(verbs.has('get') && verbs.has('list')).toBe(true);
  });

  it('viewer cannot read Secrets; the opt-in role can, and nothing else', () => {
    expect(verbsFor(viewer, '', 'secrets').size).toBe(0);
    expect(secrets.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]);
  });

  it('grants no verb that writes, except create on access reviews', () => {
    for (const role of roles) {
      for (const rule of role.rules) {
        for (const verb of rule.verbs) {
          if (['get', 'list', 'watch'].includes(verb)) continue;
          expect({ role: role.metadata.name, verb, rule }).toEqual({
            role: 'meshbook-viewer',
            verb: 'create',
            rule: {
              apiGroups: ['authorization.k8s.io'],
              resources: ['selfsubjectaccessreviews', 'subjectaccessreviews'],
              verbs: ['create'],
            },
          });
        }
        expect(rule.resources.some((r) => r.includes('*') || r.includes('/'))).toBe(false);
        expect(rule.apiGroups.includes('*')).toBe(false);
      }
    }
  });
});
