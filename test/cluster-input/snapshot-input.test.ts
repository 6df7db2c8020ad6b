// Bad snapshot input ends in an input error (exit 2) that names the file, the line, the object and
// the field, never in a crashed check, a hang or a stack trace: wrong-typed fields, paths that are
// not files, oversized and empty snapshots, many bad files at once, YAML alias bombs.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/engine/source.ts';
import { Snapshot } from '../../src/engine/snapshot.ts';
import { writeSnapshotDir } from '../../src/cluster/snapshot-files.ts';
import { validateObject } from '../../src/cluster/validate-object.ts';
import { YamlSource, loadObjects, parseSnapshotText } from '../../src/cluster/yaml-source.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { REPO, runCli } from '../cli/helpers/run-cli.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-input-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const SERVICE = (spec: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: default}\nspec: ${spec}\n`;

async function write(name: string, text: string): Promise<string> {
  const path = join(tmp, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('validateObject', () => {
  it.each([
    [{ ports: '80' }, ['spec.ports must be a list, found "80"']],
    ['string', ['spec must be a mapping, found "string"']],
    [{ ports: { http: { port: 80 } } }, ['spec.ports must be a list, found a mapping (http)']],
    [{ ports: [{ port: 70000 }] }, ['spec.ports[0].port must be a port number (1–65535), found 70000']],
    [{ ports: [{ port: 80, targetPort: -1 }] }, ['spec.ports[0].targetPort must be a port number (1–65535) or a port name, found -1']],
    [{ selector: ['app'] }, ['spec.selector must be a mapping, found a list of 1']],
    [{ selector: { app: 1 } }, ['spec.selector.app must be a string, found 1']],
    [{ ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'a' }, type: 'ClusterIP' }, []],
  ])('Service spec %j → %j', (spec, problems) => {
    expect(validateObject('v1/Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec })).toEqual(problems);
  });

  it('holds nested lists, enums and metadata, and allows null only where the API server writes it', () => {
    const pod = (spec: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
    expect(validateObject('v1/Pod', pod({ containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] }))).toEqual([
      'spec.containers[0].ports[0].containerPort must be a port number (1–65535), found "80"',
    ]);
    expect(validateObject('v1/Pod', pod({ containers: null }))).toEqual(['spec.containers must be a list, found null']);
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 's' },
      endpoints: null,
      ports: null,
    };
    expect(validateObject('discovery.k8s.io/v1/EndpointSlice', slice)).toEqual([]);
    const np: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'n' },
      spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'Has' }] } },
    };
    expect(validateObject('networking.k8s.io/v1/NetworkPolicy', np)).toEqual([
      'spec.podSelector.matchExpressions[0].operator must be one of In, NotIn, Exists, DoesNotExist, found "Has"',
    ]);
    const owned: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ name: { a: 1 } }] as never } };
    expect(validateObject('v1/Pod', owned)).toEqual(['metadata.ownerReferences[0].name must be a string, found a mapping (a)']);
  });

  it('accepts the null times a real API server writes (a zero metav1.Time is marshalled as null)', () => {
    const status = {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: null }],
      containerStatuses: [
        { name: 'a', state: { running: { startedAt: null } }, lastState: { terminated: { exitCode: 0, finishedAt: null } } },
      ],
    };
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a' }] },
      status,
    } as KubeObject;
    expect(validateObject('v1/Pod', pod)).toEqual([]);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: null }] },
    } as KubeObject;
    expect(validateObject('apps/v1/Deployment', deployment)).toEqual([]);
  });
});

describe('wrong-typed fields in a snapshot', () => {
  it('says file:line, the object and the field, exit 2', async () => {
    const file = await write(
      'typed/service.yaml',
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\n${SERVICE('{ports: "80"}')}`,
    );
    const r = await runCli(['check', '--snapshot', file]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`meshbook: ${file}:5: Service default/a: spec.ports must be a list, found "80".\n`);
  });

  it('the demo with every list turned into a string: messages, not crashed checks', async () => {
    const dir = join(tmp, 'demo-strings');
    await mkdir(dir);
    const { objects } = await loadObjects([join(REPO, 'runbooks', 'demo-cluster')]);
    const stringify = (v: unknown, top: boolean): unknown => {
      if (Array.isArray(v)) return top ? v : JSON.stringify(v);
      if (typeof v === 'object' && v !== null && !(v instanceof Date))
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringify(x, false)]));
      return v;
    };
    await writeFile(join(dir, 'all.yaml'), objects.map((o) => yaml.dump(stringify(o, false))).join('---\n'));
    const r = await runCli(['check', '--snapshot', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/MB0001|is not a function|\n\s+at /);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^meshbook: the snapshot has \d+ problems:$/);
    // At most 20 listed, then the count of the rest.
    expect(lines).toHaveLength(22);
    expect(lines[21]).toMatch(/^ {2}… and \d+ more\.$/);
    expect(lines[1]).toMatch(/^ {2}\/.*all\.yaml:\d+: \w+ [\w-]+\/[\w-]+: [\w.[\]]+ must be a list, found "\[/);
  });
});

describe('paths that are not files', () => {
  it('refuses a FIFO at once instead of blocking on it', async () => {
    const fifo = join(tmp, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['check', '--snapshot', fifo]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `meshbook: Snapshot path "${fifo}" is a FIFO (named pipe), not a regular file or directory.\n`,
    ]);
  });

  it('refuses a device and a socket', async () => {
    await expect(new YamlSource(['/dev/zero']).load()).rejects.toThrow(
      'Snapshot path "/dev/zero" is a character device, not a regular file or directory.',
    );
    const sock = join(tmp, 's.sock');
    const server: Server = createServer();
    await new Promise<void>((done) => server.listen(sock, done));
    try {
      await expect(new YamlSource([sock]).load()).rejects.toThrow(/is a socket, not a regular file or directory/);
    } finally {
      server.close();
    }
  });

  it('caps the size of one file', async () => {
    const file = await write('big/objects.yaml', SERVICE('{}'));
    await expect(new YamlSource([file], undefined, { maxFileBytes: 32 }).load()).rejects.toThrow(
      `${file}: is 78 bytes, over the 32 bytes limit for one snapshot file.`,
    );
    // The default cap, on a sparse file (no disk used): refused before reading.
    const huge = join(tmp, 'huge.yaml');
    await writeFile(huge, '');
    await truncate(huge, 257 * 1024 * 1024);
    const r = await runCli(['check', '--snapshot', huge]);
    expect([r.code, r.stderr]).toEqual([2, `meshbook: ${huge}: is 257 MiB, over the 256 MiB limit for one snapshot file.\n`]);
  });

  it('follows symbolic links in a directory and reports those that lead nowhere', async () => {
    const outside = await write('elsewhere/svc.yaml', SERVICE('{}'));
    const dir = join(tmp, 'linked');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await symlink(outside, join(dir, 'svc.yaml'));
    await symlink(join(tmp, 'elsewhere'), join(dir, 'more'));
    await symlink(dir, join(dir, 'sub', 'loop')); // a cycle ends
    const loaded = await loadObjects([dir]);
    expect(loaded.files).toEqual([join(dir, 'more', 'svc.yaml'), join(dir, 'svc.yaml')]);
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['a', 'a']);

    await symlink(join(tmp, 'missing.yaml'), join(dir, 'dangling.yaml'));
    await expect(new YamlSource([dir]).load()).rejects.toThrow(
      `${join(dir, 'dangling.yaml')}: is a symbolic link that cannot be followed (ENOENT).`,
    );
  });
});

describe('empty snapshots', () => {
  it('an empty file or a directory of comments is an input error; --allow-empty makes it an empty cluster', async () => {
    const file = await write('empty/empty.yaml', '');
    const r = await runCli(['check', '--snapshot', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `meshbook: Snapshot file "${file}" holds no Kubernetes objects. Pass --allow-empty to check an empty cluster.\n`,
    ]);

    const dir = join(tmp, 'comments');
    await write('comments/a.yaml', '# nothing here\n---\n');
    await write('comments/b.yml', 'apiVersion: v1\nkind: List\nitems: []\n');
    const d = await runCli(['check', '--snapshot', dir]);
    expect([d.code, d.stderr]).toEqual([
      2,
      `meshbook: Snapshot directory "${dir}" holds no Kubernetes objects (in 2 YAML files). Pass --allow-empty to check an empty cluster.\n`,
    ]);

    const allowed = await runCli(['check', '--snapshot', file, '--allow-empty', '--check', 'gateway-ports']);
    expect([allowed.code, allowed.stderr]).toEqual([0, '']);
    expect(allowed.stdout).toMatch(/gateway-ports/);
  });

  it('--allow-empty without --snapshot is a usage error', async () => {
    const r = await runCli(['check', '--allow-empty']);
    expect([r.code, r.stderr]).toEqual([2, 'meshbook: --allow-empty applies to --snapshot paths; a live cluster is never empty.\n']);
  });
});

describe('several bad files', () => {
  it('reports every one (up to 20, then a count), with paths relative to the working directory', async () => {
    const dir = join(tmp, 'many');
    for (let i = 0; i < 25; i++) await write(`many/f${String(i).padStart(2, '0')}.yaml`, i % 2 === 0 ? 'kind: [' : SERVICE('{type: [x]}'));
    const r = await runCli(['check', '--snapshot', 'many'], { cwd: tmp });
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('meshbook: the snapshot has 25 problems:');
    expect(lines[1]).toMatch(/^ {2}many\/f00\.yaml:2: invalid YAML: /);
    expect(lines[2]).toBe('  many/f01.yaml:1: Service default/a: spec.type must be a string, found a list of 1.');
    expect(lines.slice(1, 21).every((l) => /^ {2}many\/f\d\d\.yaml:\d: /.test(l))).toBe(true);
    expect(lines[21]).toBe('  … and 5 more.');
    expect(lines).toHaveLength(22);
    // Outside the working directory: absolute, the same way in every message.
    const outside = await runCli(['check', '--snapshot', dir]);
    expect(outside.stderr.split('\n')[1]).toBe(`  ${join(dir, 'f00.yaml')}:2: invalid YAML: ${lines[1]!.split('invalid YAML: ')[1]}`);
    expect(relative(tmp, dir)).toBe('many');
  });

  it('reports every problem of one file with parseSnapshotText', () => {
    const text = `${SERVICE('{ports: 1}')}---\n${SERVICE('{selector: x}')}`;
    expect(() => parseSnapshotText(text, 'two.yaml')).toThrow(
      new InputError(
        'the snapshot has 2 problems:\n  two.yaml:1: Service default/a: spec.ports must be a list, found 1.\n  two.yaml:6: Service default/a: spec.selector must be a mapping, found "x".',
      ),
    );
  });
});

describe('YAML alias bombs', () => {
  const BOMB = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: lol, namespace: default}',
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((k, i) => {
      const prev = 'abcdefghi'[i]!;
      return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
    }),
  ].join('\n');

  it('meshbook snapshot refuses one quickly, as an input error, and writes nothing', async () => {
    const bomb = await write('bomb/bomb.yaml', BOMB);
    const out = join(tmp, 'bomb-out');
    const started = Date.now();
    const r = await runCli(['snapshot', '--snapshot', bomb, '--output', out]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `meshbook: ${bomb}:1: YAML aliases expand this document to more than 100,000 nodes (an alias bomb?); write the repeated parts out instead.\n`,
    ]);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(tmp)).filter((n) => n.includes('meshbook-tmp'))).toEqual([]);
  });

  it('refuses a document that contains itself', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: &d {x: *d}\n';
    expect(() => parseSnapshotText(text, 'cycle.yaml')).toThrow(
      'cycle.yaml:1: a YAML alias refers to a node that contains it (the document would be infinite).',
    );
  });

  it('keeps small aliases as they are (a shared label block)', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: &l {app: a}}\nspec: {containers: [{name: c}]}\nextra: {copy: *l}\n';
    expect(parseSnapshotText(text, 'ok.yaml').objects).toHaveLength(1);
  });
});

describe('meshbook snapshot writes atomically', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'a' } },
  ];

  it('a failure midway leaves neither the directory nor a temporary one', async () => {
    const parent = join(tmp, 'atomic');
    await mkdir(parent);
    const snap = new Snapshot(objects, { kinds: ['v1/Namespace', 'v1/Service'] });
    const broken = Object.create(snap) as Snapshot;
    broken.list = (kind) => {
      if (kind === 'v1/Service') throw new Error('disk full');
      return snap.list(kind);
    };
    const options = { target: { type: 'snapshot' as const, name: 't' }, kinds: ['v1/Namespace', 'v1/Service'] as const, checks: [] };
    await expect(writeSnapshotDir(join(parent, 'out'), broken, { ...options, kinds: [...options.kinds] })).rejects.toThrow('disk full');
    expect(await readdir(parent)).toEqual([]);

    // Into an existing empty directory: replaced by the written one.
    await mkdir(join(parent, 'empty'));
    const manifest = await writeSnapshotDir(join(parent, 'empty'), snap, { ...options, kinds: [...options.kinds] });
    expect(manifest.kinds.map((k) => k.objects)).toEqual([1, 1]);
    expect((await readdir(join(parent, 'empty'))).sort()).toEqual(['core-namespace.yaml', 'core-service.yaml', 'meshbook-snapshot.json']);
    expect(await readdir(parent)).toEqual(['empty']);
  });
});
