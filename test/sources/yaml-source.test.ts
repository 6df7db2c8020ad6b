import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { YamlSource, parseSnapshotText } from '../../src/cluster/yaml-source.ts';
import { InputError } from '../../src/engine/source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-yaml-'));
  await mkdir(join(dir, 'nested'));
  await writeFile(
    join(dir, 'a.yaml'),
    [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: shop}',
      '---',
      '# a comment-only document',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web, namespace: shop}',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'nested', 'b.yml'),
    [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata: {name: web-1, namespace: shop}',
      '- apiVersion: networking.istio.io/v1alpha3',
      '  kind: Gateway',
      '  metadata: {name: gw, namespace: shop}',
    ].join('\n'),
  );
  await writeFile(join(dir, 'notes.txt'), 'not yaml: [');
});

describe('YamlSource', () => {
  it('reads multi-document files, List items and nested directories', async () => {
    const source = new YamlSource([dir]);
    const snap = await source.gather(['v1/Namespace', 'v1/Service', 'v1/Pod', 'networking.istio.io/v1/Gateway'], {
      signal: new AbortController().signal,
    });
    expect(snap.size).toBe(4);
    expect(snap.find('v1/Service', 'shop', 'web')?.metadata.name).toBe('web');
    // Istio objects match their kind whatever version they were written at.
    expect(snap.list('networking.istio.io/v1/Gateway')).toHaveLength(1);
    const svc = snap.find('v1/Service', 'shop', 'web')!;
    expect(snap.locate(svc)).toMatchObject({ line: 7 });
  });

  it('gathers only the kinds asked for, in every namespace even when the run is limited to one', async () => {
    const source = new YamlSource([dir]);
    const snap = await source.gather(['v1/Pod'], { signal: new AbortController().signal, namespace: 'other' });
    expect(snap.list('v1/Pod').map((p) => p.metadata.name)).toEqual(['web-1']);
    expect(snap.list('v1/Service')).toEqual([]);
  });

  it('names the file and line of invalid YAML', () => {
    const text = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: a}', '---', 'apiVersion: v1', 'kind: Pod', 'metadata: {name: [b}'].join(
      '\n',
    );
    expect(() => parseSnapshotText(text, 'bad.yaml')).toThrow(InputError);
    expect(() => parseSnapshotText(text, 'bad.yaml')).toThrow(/^bad\.yaml:7: invalid YAML/);
  });

  it.each([
    ['kind: Pod\nmetadata: {name: a}', /bad\.yaml:1: object has no apiVersion/],
    ['apiVersion: v1\nmetadata: {name: a}', /bad\.yaml:1: object has no kind/],
    ['apiVersion: v1\nkind: Pod\nmetadata: {}', /bad\.yaml:1: Pod has no metadata\.name/],
    ['apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: [x]}}', /metadata\.labels\.app must be a string/],
    ['- just\n- a list', /expected a Kubernetes object/],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parseSnapshotText(text, 'bad.yaml')).toThrow(message);
  });

  it('reports a missing path clearly', async () => {
    await expect(new YamlSource(['/nonexistent/snap.yaml']).load()).rejects.toThrow(/"\/nonexistent\/snap\.yaml" does not exist/);
  });

  it('keeps the last of two objects with the same name, like kubectl apply', async () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x, labels: {v: "1"}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x, labels: {v: "2"}}\n';
    const f = join(dir, '..', `dup-${Date.now()}.yaml`);
    await writeFile(f, text);
    const snap = await new YamlSource([f]).gather(['v1/Service'], { signal: new AbortController().signal });
    expect(snap.list('v1/Service').map((s) => s.metadata.labels?.v)).toEqual(['2']);
  });
});
