// The real CLI as a child process (node_modules/.bin/node bin/meshbook.mjs …), over the
// fixture snapshots in test/cli/fixtures: exit codes, error messages, and each format.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { runbookIds } from '../../src/site/pages.ts';
import { DEMO_DIR } from '../../src/cli/pick-source.ts';
import { assertJsonContract } from './helpers/json-contract.ts';
import { readJunit } from './helpers/junit.ts';
import { REPO, fixture, runCli } from './helpers/run-cli.ts';

const CLEAN = fixture('clean.yaml');
const WARNING = fixture('warning-only.yaml');
const ERROR_AND_WARNING = fixture('error-and-warning');
// The fixtures are written for gateway-ports; other checks would find other things in them.
const GW = ['--check', 'gateway-ports'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-cli-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('help and version', () => {
  it('--help prints usage on stdout and exits 0', async () => {
    const r = await runCli(['--help']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('meshbook check [options]');
  });

  it('check --help lists every flag and the exit codes', async () => {
    const r = await runCli(['check', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--snapshot', '--check', '--page', '--format', '--fail-on', '--namespace', '--output'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/^ {2}130 {2}interrupted/m);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect([r.code, r.stdout]).toEqual([0, `meshbook ${pkg.version}\n`]);
  });
});

describe('exit codes', () => {
  // [snapshot, --fail-on error, --fail-on warning, --fail-on never]
  describe.each([
    ['a clean snapshot', CLEAN, [0, 0, 0]],
    ['a warning only', WARNING, [0, 1, 0]],
    ['an error and a warning (a directory)', ERROR_AND_WARNING, [1, 1, 0]],
  ] as const)('%s', (_, snapshot, expected) => {
    it.each([
      ['error', expected[0]],
      ['warning', expected[1]],
      ['never', expected[2]],
    ] as const)('--fail-on %s exits %i', async (failOn, code) => {
      const r = await runCli(['check', ...GW, '--snapshot', snapshot, '--fail-on', failOn, '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(code);
      assertJsonContract(r.stdout);
    });
  });

  it('defaults to --fail-on error', async () => {
    expect((await runCli(['check', ...GW, '--snapshot', WARNING])).code).toBe(0);
    expect((await runCli(['check', ...GW, '--snapshot', ERROR_AND_WARNING])).code).toBe(1);
  });
});

describe('usage and input errors exit 2 with one line on stderr and nothing on stdout', () => {
  it.each([
    ['no command', [], /^meshbook: No command given/],
    ['an unknown flag', ['check', '--snapshot', CLEAN, '--colour'], /^meshbook: Unknown option '--colour'/],
    [
      'a bad --format',
      ['check', '--snapshot', CLEAN, '--format', 'xml'],
      /^meshbook: --format must be one of text, json, junit, sarif; received "xml"\./,
    ],
    ['a bad --fail-on', ['check', '--snapshot', CLEAN, '--fail-on', 'info'], /received "info"/],
    ['a bad --namespace', ['check', '--snapshot', CLEAN, '-n', 'No/Such'], /received "No\/Such"/],
    [
      'an unknown check',
      ['check', '--snapshot', CLEAN, '--check', 'gateway-port'],
      /^meshbook: Unknown check "gateway-port"\. Valid ids: .*gateway-ports/,
    ],
    [
      'a missing file',
      ['check', '--snapshot', 'test/cli/fixtures/no-such-file.yaml'],
      /^meshbook: Snapshot path "test\/cli\/fixtures\/no-such-file\.yaml" does not exist/,
    ],
    [
      'invalid YAML',
      ['check', '--snapshot', fixture('invalid-yaml.yaml')],
      /^meshbook: test\/cli\/fixtures\/invalid-yaml\.yaml:10: invalid YAML: /,
    ],
    [
      'invalid YAML in a directory',
      ['check', '--snapshot', CLEAN, '--snapshot', fixture('invalid-yaml.yaml'), '--format', 'json'],
      /invalid-yaml\.yaml:10:/,
    ],
  ])('%s', async (_, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a file it cannot write with --output', async () => {
    const blocker = join(tmp, 'a-file');
    await writeFile(blocker, '');
    const r = await runCli(['check', '--snapshot', CLEAN, '--output', join(blocker, 'report.json')]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^meshbook: Cannot write the report to ".*a-file\/report\.json"/);
  });
});

describe('--format json', () => {
  it('runs every registered check, in registry order, when none is selected', async () => {
    const r = await runCli(['check', '--snapshot', ERROR_AND_WARNING, '--format', 'json', '--fail-on', 'never']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const doc = assertJsonContract(r.stdout);
    expect(doc.target).toEqual({ type: 'snapshot', name: ERROR_AND_WARNING, paths: [ERROR_AND_WARNING] });
    expect(doc.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
  });

  it('follows the contract, with findings that name the resource, evidence, fix and docs', async () => {
    const r = await runCli(['check', ...GW, '--snapshot', ERROR_AND_WARNING, '--format', 'json']);
    const doc = assertJsonContract(r.stdout);
    expect(doc.checks.map((c) => c.id)).toEqual(['gateway-ports']);
    const gw = doc.checks[0]!;
    expect(gw).toMatchObject({ status: 'fail', analyzer: 'gateway.IngressGatewayPortAnalyzer' });
    expect(gw.findings.map((f) => [f.code, f.severity, f.resource])).toEqual([
      ['IST0101', 'error', { kind: 'Gateway', namespace: 'payments', name: 'orphan' }],
      ['IST0162', 'warning', { kind: 'Gateway', namespace: 'shop', name: 'web' }],
    ]);
    expect(gw.findings[0]).toMatchObject({
      evidence: { 'spec.selector': 'istio=egressgateway', 'matching pods': '0' },
      docs: '/concepts/gateways/#gateway-ports',
      location: { file: 'test/cli/fixtures/error-and-warning/gateways.yaml', line: 12 },
    });
    expect(gw.findings[0]!.remediation).toMatch(/Label the gateway/);
  });

  it('keeps markup in resource names and messages literal', async () => {
    const r = await runCli(['check', ...GW, '--snapshot', fixture('markup-names.yaml'), '--format', 'json']);
    expect(r.code).toBe(1);
    const f = assertJsonContract(r.stdout).checks[0]!.findings[0]!;
    expect(f.resource).toEqual({ kind: 'Gateway', namespace: '<script>alert(1)</script>', name: '<b>web</b> & "co" \'x\'' });
    expect(f.message).toBe('Referenced selector not found: "app=<img src=x onerror=alert(1)>\u0007\u001b[31mred\r]]>"');
  });

  it('limits namespaced objects with --namespace', async () => {
    const r = await runCli(['check', ...GW, '--snapshot', ERROR_AND_WARNING, '--format', 'json', '--namespace', 'istio-system']);
    expect(r.code).toBe(0);
    expect(assertJsonContract(r.stdout).checks.find((c) => c.id === 'gateway-ports')).toMatchObject({ status: 'pass', findings: [] });
  });
});

describe('--format junit', () => {
  it('is well-formed, with counts that follow --fail-on', async () => {
    for (const [failOn, failures] of [
      ['error', '1'],
      ['warning', '2'],
      ['never', '0'],
    ] as const) {
      const r = await runCli(['check', ...GW, '--snapshot', ERROR_AND_WARNING, '--format', 'junit', '--fail-on', failOn]);
      expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
      const { root, cases } = readJunit(r.stdout);
      expect(root.attributes.failures).toBe(failures);
      expect(cases.filter((c) => c.suite === 'gateway-ports').map((c) => c.name)).toEqual([
        'IST0101 Gateway payments/orphan',
        'IST0162 Gateway shop/web',
      ]);
    }
  });

  it('escapes markup and control characters from the snapshot', async () => {
    const r = await runCli(['check', ...GW, '--snapshot', fixture('markup-names.yaml'), '--format', 'junit']);
    const { cases } = readJunit(r.stdout);
    expect(r.stdout).not.toContain('<script>');
    expect(cases[0]!.name).toBe('IST0101 Gateway <script>alert(1)</script>/<b>web</b> & "co" \'x\'');
  });
});

describe('--format text', () => {
  it('is plain when stdout is not a terminal, coloured with FORCE_COLOR, plain again with FORCE_COLOR=0', async () => {
    const args = ['check', ...GW, '--snapshot', ERROR_AND_WARNING];
    const plain = await runCli(args);
    expect(plain.stdout).not.toContain('\u001b');
    expect(plain.stdout).toContain('Failed   gateway-ports — Gateway ports are exposed by the gateway Service');
    expect(plain.stdout.trimEnd().split('\n').at(-1)).toBe('1 check: 1 failed — 2 findings (1 error, 1 warning)');
    expect((await runCli(args, { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[31mFailed');
    expect((await runCli(args, { env: { FORCE_COLOR: '0' } })).stdout).not.toContain('\u001b');
    expect((await runCli(args, { env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
  });

  it('shows markup literally and control characters as escapes', async () => {
    const r = await runCli(['check', ...GW, '--snapshot', fixture('markup-names.yaml')]);
    expect(r.stdout).toContain('Gateway <script>alert(1)</script>/<b>web</b> & "co" \'x\'');
    expect(r.stdout).toContain('onerror=alert(1)>\\u0007\\u001b[31mred\\r]]>');
    expect(r.stdout).not.toContain('\u001b');
  });
});

describe('--output', () => {
  it('writes the report to the file (creating folders), nothing to stdout, same exit code', async () => {
    const file = join(tmp, 'reports', 'meshbook.xml');
    const r = await runCli(['check', ...GW, '--snapshot', ERROR_AND_WARNING, '--format', 'junit', '--output', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', '']);
    readJunit(await readFile(file, 'utf8'));
  });
});

describe('--page', () => {
  let content: string;
  beforeAll(async () => {
    content = join(tmp, 'content');
    await writeFile(join(tmp, 'placeholder'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(content, 'concepts'), { recursive: true }));
    await writeFile(
      join(content, 'introduction.mdx'),
      ['---', 'title: Introduction', '---', '<Runbook id="gateway-ports" />', '```mdx', '<Runbook id="not-a-check" />', '```', ''].join(
        '\n',
      ),
    );
    await writeFile(join(content, 'concepts', 'mesh.mdx'), '# No runbooks here\n');
  });
  const env = (): Record<string, string> => ({ MESHBOOK_CONTENT_DIR: content });

  it('selects exactly the runbooks the page embeds', async () => {
    const r = await runCli(['check', '--snapshot', CLEAN, '--page', 'introduction', '--format', 'json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(assertJsonContract(r.stdout).checks.map((c) => c.id)).toEqual(['gateway-ports']);
  });

  it('combines with --check as a union, without duplicates', async () => {
    const r = await runCli(['check', '--snapshot', CLEAN, '--page', 'introduction', '--check', 'gateway-ports', '--format', 'json'], {
      env: env(),
    });
    expect(assertJsonContract(r.stdout).checks.map((c) => c.id)).toEqual(['gateway-ports']);
  });

  it('rejects an unknown page, listing the valid slugs', async () => {
    const r = await runCli(['check', '--snapshot', CLEAN, '--page', 'intro'], { env: env() });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('meshbook: Unknown page "intro". Valid pages: concepts/mesh, introduction.\n');
  });

  it('rejects a page that embeds no runbooks', async () => {
    const r = await runCli(['check', '--snapshot', CLEAN, '--page', 'concepts/mesh'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^meshbook: Page "concepts\/mesh" \(.*mesh\.mdx\) embeds no runbooks\.$/m);
  });

  const realPage = join(REPO, 'content', 'introduction.mdx');
  it.skipIf(!existsSync(realPage))('on the real book, selects exactly the runbooks content/introduction.mdx embeds', async () => {
    const embedded = runbookIds(await readFile(realPage, 'utf8'));
    const r = await runCli(['check', '--snapshot', CLEAN, '--page', 'introduction', '--format', 'json', '--fail-on', 'never']);
    expect(r.stderr).toBe('');
    const selected = assertJsonContract(r.stdout).checks.map((c) => c.id);
    expect([...selected].sort()).toEqual([...embedded].sort());
  });
});

describe('--snapshot demo', () => {
  it.runIf(existsSync(DEMO_DIR))('runs the bundled demo cluster snapshot', async () => {
    const r = await runCli(['check', '--snapshot', 'demo', '--format', 'json', '--fail-on', 'never']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const doc = assertJsonContract(r.stdout);
    expect(doc.target.name).toBe('demo cluster snapshot');
    expect(doc.checks.length).toBe(CHECKS.length);
  });

  it.skipIf(existsSync(DEMO_DIR))('says the demo snapshot is missing from this checkout', async () => {
    const r = await runCli(['check', '--snapshot', 'demo']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^meshbook: The bundled demo cluster snapshot is missing/);
  });
});

describe('list', () => {
  it('prints every check with id, title and analyzer under the guide page that explains it, within 100 columns', async () => {
    const r = await runCli(['list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    // Each check once, at the start of its row.
    for (const c of CHECKS) expect(lines.filter((l) => l.startsWith(`  ${c.id} `))).toHaveLength(1);
    const gateways = r.stdout.slice(r.stdout.indexOf('/concepts/gateways/\n'));
    expect(gateways).toMatch(
      /^ {2}gateway-ports +Gateway ports are exposed by the gateway Service\n +istioctl: gateway\.IngressGatewayPortAnalyzer$/m,
    );
    // A section not named after its check is given.
    expect(r.stdout).toMatch(/^ {2}service-endpoints +.*\n +section: #endpoints-match-pods$/m);
  });

  it('prints JSON with the pages that embed each check', async () => {
    const content = join(tmp, 'list-content');
    await import('node:fs/promises').then((fs) => fs.mkdir(content, { recursive: true }));
    await writeFile(join(content, 'introduction.mdx'), '<Runbook id="gateway-ports" />\n');
    const r = await runCli(['list', '--format', 'json'], { env: { MESHBOOK_CONTENT_DIR: content } });
    const rows = JSON.parse(r.stdout) as { id: string; pages: string[]; inputs: string[] }[];
    expect(rows.map((x) => x.id)).toEqual(CHECKS.map((c) => c.id));
    expect(rows.find((x) => x.id === 'gateway-ports')).toMatchObject({
      pages: ['introduction'],
      inputs: ['networking.istio.io/v1/Gateway', 'v1/Pod', 'v1/Service'],
    });
  });
});

describe('Ctrl-C', () => {
  // A FIFO as the kubeconfig (a snapshot path that is a FIFO is refused): the CLI blocks reading
  // it, and our open() for writing returns only once the CLI has opened it, so the signal
  // arrives mid-run, never before startup.
  async function interrupt(options: { closeWriter: 'after-cancelled' | 'after-exit' }) {
    const fifo = join(tmp, `kubeconfig-${options.closeWriter}.yaml`);
    execFileSync('mkfifo', [fifo]);
    let writer: Awaited<ReturnType<typeof open>> | undefined;
    const result = await runCli(['check', '--kubeconfig', fifo], {
      onSpawn: (child) => {
        void open(fifo, 'w').then(async (fd) => {
          writer = fd;
          await fd.write('apiVersion: v1\nkind: Service\n'); // part of an object, then nothing
          child.kill('SIGINT');
          if (options.closeWriter === 'after-cancelled') {
            child.stderr?.on('data', (d: Buffer) => {
              if (d.toString().includes('cancelled')) void fd.close();
            });
          }
        });
      },
    });
    if (options.closeWriter === 'after-exit') await writer?.close();
    return result;
  }

  it.skipIf(process.platform === 'win32')('cancels the run, says so, and exits 130', async () => {
    const result = await interrupt({ closeWriter: 'after-cancelled' });
    expect([result.code, result.signal, result.stdout, result.stderr]).toEqual([130, null, '', 'meshbook: cancelled\n']);
  });

  it.skipIf(process.platform === 'win32')('dies by SIGINT (130 in a shell) when a read ignores the cancel', async () => {
    const result = await interrupt({ closeWriter: 'after-exit' });
    expect([result.code, result.signal, result.stdout, result.stderr]).toEqual([null, 'SIGINT', '', 'meshbook: cancelled\n']);
  });
});

describe('main', () => {
  it('returns 130 without output when the run is already cancelled', async () => {
    const { main } = await import('../../src/cli/main.ts');
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    controller.abort(new Error('test'));
    const code = await main(
      ['check', '--snapshot', CLEAN],
      { env: {}, stdoutIsTTY: false, out: (t) => out.push(t), err: (t) => err.push(t) },
      controller.signal,
    );
    expect([code, out, err]).toEqual([130, [], ['meshbook: cancelled\n']]);
  });
});

describe('start-up path', () => {
  // bin/meshbook.mjs runs the prebuilt bundle (bin/cli-bundle.mjs) when it is fresh, else tsx.
  it('the bundle and tsx give the same report', async () => {
    const args = ['check', '--snapshot', 'demo', '--format', 'json'];
    const bundled = await runCli(args);
    const viaTsx = await runCli(args, { env: { MESHBOOK_CLI_TSX: '1' } });
    expect(existsSync(join(REPO, '.meshbook', 'cli', 'meshbook.mjs'))).toBe(true);
    const strip = (text: string): unknown => JSON.parse(text, (k, v: unknown) => (k === 'durationMs' || k === 'startedAt' ? undefined : v));
    expect(bundled.code).toBe(viaTsx.code);
    expect(strip(bundled.stdout)).toEqual(strip(viaTsx.stdout));
    expect((strip(bundled.stdout) as { checks: unknown[] }).checks.length).toBe(CHECKS.length);
  });
});
