// Issue 7: parsed snapshot objects hold pooled strings and exactly sized arrays instead of
// views into the file's text. The objects themselves must be what js-yaml parsed.

import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { StringPool, parseSnapshotText } from '../../src/cluster/yaml-source.ts';
import { InputError } from '../../src/engine/source.ts';

const DOC = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: a-rather-long-pod-name-0001',
  '  namespace: team-0001',
  '  labels: {app: reviews, version: v1, "8080": port-like-key}',
  '  annotations:',
  '    note: |',
  '      multi-line',
  '      block text',
  'spec:',
  '  containers: &containers',
  '    - name: app',
  '      image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1',
  '      ports: [{containerPort: 9080, protocol: TCP}]',
  '      args: [~, true, 1.5, "", -0, 0x1f]',
  '  initContainers: *containers',
  '  created: 2026-08-28T09:12:04Z',
  '  weird:',
  '    __proto__: {polluted: true}',
  '    "": empty key',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: a-rather-long-pod-name-0002, namespace: team-0001}',
  'spec: {containers: [{name: app, image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1}]}',
].join('\n');

describe('parseSnapshotText pooling', () => {
  it('returns the values js-yaml parsed, key for key', () => {
    const { objects, lines } = parseSnapshotText(DOC, 'pods.yaml');
    expect(lines).toEqual([1, 23]);
    expect(objects).toEqual(yaml.loadAll(DOC));
    expect(Object.keys(objects[0]!.metadata.labels!)).toEqual(
      Object.keys((yaml.loadAll(DOC)[0] as { metadata: { labels: object } }).metadata.labels),
    );
  });

  it('keeps aliases shared, dates as dates and __proto__ as a plain key', () => {
    const [pod] = parseSnapshotText(DOC, 'pods.yaml').objects as unknown as [Record<string, Record<string, unknown>>];
    expect(pod.spec!.initContainers).toBe(pod.spec!.containers);
    expect(pod.spec!.created).toBeInstanceOf(Date);
    const weird = pod.spec!.weird as Record<string, unknown>;
    expect(Object.getPrototypeOf(weird)).toBe(Object.prototype);
    expect(Object.keys(weird)).toEqual(['__proto__', '']);
    expect(Object.getOwnPropertyDescriptor(weird, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still reports invalid YAML at its file and line', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: [unclosed\n';
    expect(() => parseSnapshotText(text, 'bad.yaml')).toThrow(InputError);
    expect(() => parseSnapshotText(text, 'bad.yaml')).toThrow(/^bad\.yaml:8: invalid YAML: unexpected end of the stream/);
  });
});

describe('StringPool', () => {
  it('returns an equal string, the first one seen for each value', () => {
    const pool = new StringPool();
    const text = 'prefix-docker.io/istio/proxyv2:1.22.0-suffix';
    const a = pool.intern(text.slice(7, 36));
    const b = pool.intern(text.slice(7, 36));
    expect(a).toBe('docker.io/istio/proxyv2:1.22.');
    expect(b).toBe(a);
    for (const odd of ['__proto__', 'constructor', '8080', '', 'toString']) expect(pool.intern(odd)).toBe(odd);
  });
});
