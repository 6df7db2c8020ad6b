// `check --mesh-config FILE` / `--mesh-networks FILE`: meshConfig read from a file instead of
// ConfigMap istio-system/istio, as `istioctl analyze --meshConfigFile` does, and the file
// validated before anything runs (exit 2, file and line named).

import { describe, expect, it } from 'vitest';
import { meshConfigMapWith, meshFileProblem } from '../../src/istio/mesh-config-file.ts';
import { assertJsonContract } from './helpers/json-contract.ts';
import { fixture, runCli } from './helpers/run-cli.ts';

const CLUSTER = fixture('mesh-config/cluster.yaml');
const BARE = fixture('mesh-config/cluster-no-configmap.yaml');
const RUN = ['check', '--check', 'serviceentry-addresses', '--fail-on', 'never'];

describe('check --mesh-config', () => {
  it("replaces the cluster's meshConfig in both directions", async () => {
    const [asIs, replaced, added] = await Promise.all([
      runCli([...RUN, '--snapshot', CLUSTER]),
      runCli([...RUN, '--snapshot', CLUSTER, '--mesh-config', fixture('mesh-config/no-allocation.yaml')]),
      runCli([...RUN, '--snapshot', BARE, '--mesh-config', fixture('mesh-config/allocation.yaml')]),
    ]);
    // The cluster's own meshConfig allocates addresses: nothing to report.
    expect(asIs.stderr).toBe('');
    expect(asIs.stdout).not.toContain('IST0134');
    // The file's does not: the ServiceEntry needs addresses.
    expect(replaced.stderr).toBe('');
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/IST0134 +ServiceEntry shop\/legacy-db/);
    // No ConfigMap in the cluster: the file's meshConfig is used all the same.
    expect(added.stderr).toBe('');
    expect(added.stdout).not.toContain('IST0134');
    const bare = await runCli([...RUN, '--snapshot', BARE]);
    expect(bare.stdout).toMatch(/IST0134 +ServiceEntry shop\/legacy-db/);
  });

  it('keeps the JSON contract', async () => {
    const run = await runCli([
      ...RUN,
      '--snapshot',
      CLUSTER,
      '--mesh-config',
      fixture('mesh-config/no-allocation.yaml'),
      '--format',
      'json',
    ]);
    const doc = assertJsonContract(run.stdout);
    expect(doc.checks[0]?.findings.map((f) => `${f.code} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['IST0134 shop/legacy-db']);
  });

  it.each([
    [
      'invalid-yaml.yaml',
      /^meshbook: --mesh-config: test\/cli\/fixtures\/mesh-config\/invalid-yaml\.yaml:4: invalid YAML: bad indentation/,
    ],
    [
      'list.yaml',
      /^meshbook: --mesh-config: test\/cli\/fixtures\/mesh-config\/list\.yaml:1: expected a MeshConfig \(a YAML mapping\), found a list\.\n$/,
    ],
    [
      'scalar-default-config.yaml',
      /^meshbook: --mesh-config: test\/cli\/fixtures\/mesh-config\/scalar-default-config\.yaml:2: defaultConfig must be a mapping, found string\.\n$/,
    ],
    ['missing.yaml', /^meshbook: --mesh-config "test\/cli\/fixtures\/mesh-config\/missing\.yaml": cannot read the file \(ENOENT\)\.\n$/],
  ])('refuses %s before anything runs (exit 2, file and line)', async (file, message) => {
    const run = await runCli([...RUN, '--snapshot', CLUSTER, '--mesh-config', fixture(`mesh-config/${file}`)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('validates --mesh-networks the same way', async () => {
    const run = await runCli([...RUN, '--snapshot', CLUSTER, '--mesh-networks', fixture('mesh-config/networks-list.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'meshbook: --mesh-networks: test/cli/fixtures/mesh-config/networks-list.yaml:2: networks must be a mapping, found a list.\n',
    );
  });

  it('is in check --help', async () => {
    const run = await runCli(['check', '--help']);
    expect(run.stdout).toMatch(/^ {2}--mesh-config FILE {4}a MeshConfig YAML read instead of the mesh key of ConfigMap$/m);
    expect(run.stdout).toMatch(/^ {2}--mesh-networks FILE {2}a MeshNetworks YAML/m);
  });

  it('is a usage error with --record or an empty name', async () => {
    const record = await runCli([
      ...RUN,
      '--snapshot',
      CLUSTER,
      '--mesh-config',
      fixture('mesh-config/allocation.yaml'),
      '--record',
      '/tmp/x.json',
    ]);
    expect(record.code).toBe(2);
    expect(record.stderr).toContain('cannot be combined with --mesh-config');
    const empty = await runCli([...RUN, '--snapshot', CLUSTER, '--mesh-config', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('meshbook: --mesh-config needs a file name, received "".\n');
  });
});

describe('meshConfigMapWith / meshFileProblem', () => {
  it("replaces only the given keys and keeps the ConfigMap's others", () => {
    const existing = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system', labels: { app: 'istiod' } },
      data: { mesh: 'old', meshNetworks: 'networks: {}', other: 'x' },
    };
    expect(meshConfigMapWith(existing, { mesh: 'new' })).toEqual({
      ...existing,
      data: { mesh: 'new', meshNetworks: 'networks: {}', other: 'x' },
    });
    expect(meshConfigMapWith(undefined, { meshNetworks: 'networks: {}' })).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: { meshNetworks: 'networks: {}' },
    });
  });

  it('accepts an empty file (the defaults) and a mapping, and names the line of a problem', () => {
    expect(meshFileProblem('', 'm.yaml', 'mesh-config')).toBeUndefined();
    expect(meshFileProblem('# only a comment\n', 'm.yaml', 'mesh-config')).toBeUndefined();
    expect(meshFileProblem('enableTracing: true\n', 'm.yaml', 'mesh-config')).toBeUndefined();
    expect(meshFileProblem('a: 1\na: 2\n', 'm.yaml', 'mesh-config')).toMatch(/^m\.yaml:2: invalid YAML: duplicated mapping key/);
    expect(meshFileProblem('"just a string"', 'n.yaml', 'mesh-networks')).toBe(
      'n.yaml:1: expected a MeshNetworks (a YAML mapping), found string.',
    );
  });
});
