import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/engine/types.ts';
import { checkLinks, linksIn } from '../../src/publish/check-links.ts';
import { rebaseRootLinks, replaceLatestLink, replaceVersionMenu } from '../../src/publish/html.ts';
import { publishMode } from '../../src/publish/mode.ts';
import { MASK } from '../../src/publish/mask.ts';
import { buildRecord, checkVersionOf, detectVersions, parseRecord, recordSchema } from '../../src/publish/record.ts';
import { latestByCheck, loadRecords } from '../../src/publish/records.ts';
import { renderVersionMenu, sortVersions, withVersion } from '../../src/publish/versions.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'records');

describe('records', () => {
  it('newest record wins per check', async () => {
    const latest = latestByCheck(await loadRecords(FIXTURES));
    expect(latest.get('gateway-ports')?.record.against.name).toBe('staging-eu');
    expect(latest.get('gateway-ports')?.file).toBe('2026-11-20-staging.json');
  });

  it('a missing records directory is no records', async () => {
    expect(await loadRecords(join(FIXTURES, 'nope'))).toEqual([]);
  });

  it('rejects a file that is not a record, naming the file and field', () => {
    expect(() => parseRecord('{"meshbookRecord":1}', 'r.json')).toThrowErrorMatchingInlineSnapshot(`[Error: Record "r.json" is not a meshbook record: recordedAt: Invalid input: expected string, received undefined]`);
  });

  it('builds a record: versions, check hashes, masked evidence, context name only', () => {
    const report: RunReport = {
      target: { type: 'live', name: 'ctx', context: 'prod-eu', server: 'https://10.0.0.1:6443' },
      startedAt: '2026-11-25T10:00:00.000Z',
      gatherMs: 5,
      read: { kinds: 3, objects: 12 },
      checks: [
        {
          id: 'gateway-ports',
          title: 'T',
          status: 'fail',
          durationMs: 2,
          findings: [{ code: 'IST0162', severity: 'error', message: 'm', resource: { kind: 'Gateway', name: 'g' }, params: {}, evidence: { password: 'p4ss', port: '9443' } }],
        },
      ],
    };
    const record = recordSchema.parse(buildRecord(report, { meshbookVersion: '0.1.0', kubernetesVersion: 'v1.36.3', sources: new Map([['gateway-ports', 'source text']]) }));
    expect(record.against).toEqual({ name: 'prod-eu', type: 'live', kubernetesVersion: 'v1.36.3' });
    expect(record.checkVersions).toEqual({ 'gateway-ports': checkVersionOf('source text') });
    expect(record.report.checks[0]?.findings[0]?.evidence).toEqual({ password: MASK, port: '9443' });
  });

  it('detects Kubernetes from kubelets and Istio from the istiod image tag', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { nodeInfo: { kubeletVersion: 'v1.36.3' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system' }, spec: { template: { spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.28.0' }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'web:9.9' }] } } } },
    ];
    expect(detectVersions(objects)).toEqual({ kubernetesVersion: 'v1.36.3', istioVersion: '1.28.0' });
    expect(detectVersions([])).toEqual({});
  });
});

describe('versions and menus', () => {
  const versions = withVersion(withVersion({ archived: [] }, { version: '1.0', archivedOn: '2026-01-01' }), { version: '1.10', archivedOn: '2026-06-01' });

  it('sorts newest first, numerically', () => {
    expect(sortVersions([{ version: '1.2', archivedOn: '2026-01-01' }, ...versions.archived]).map((v) => v.version)).toEqual(['1.10', '1.2', '1.0']);
  });

  it('links each version to the same page when it has it, else to its home', () => {
    const html = renderVersionMenu({ versions, here: '1.0', page: 'concepts/gateways/', has: (v) => v !== '1.10' });
    expect(html).toContain('href="/concepts/gateways/" data-version="current"');
    expect(html).toContain('href="/v1.10/" data-version="1.10"');
    expect(html).toContain('href="/v1.0/concepts/gateways/" data-version="1.0" aria-current="page"');
  });

  it('replaces menus and the banner link in built HTML', () => {
    const page = '<mb-versions class="x" data-here="1.0"><details>old</details></mb-versions><a class="y" data-mb-latest href="/v1.0/">current</a>';
    expect(replaceLatestLink(replaceVersionMenu(page, 'NEW'), '/a/')).toBe('<mb-versions class="x" data-here="1.0">NEW</mb-versions><a class="y" data-mb-latest href="/a/">current</a>');
  });

  it('rebases root-relative links under an archive base, once', () => {
    const html = '<a href="/concepts/">c</a><a href="/v1.0/x/">x</a><a href="https://istio.io/">i</a><a href="#h">h</a><link href="//cdn.example/x"><meta http-equiv="refresh" content="0;url=/introduction/">';
    expect(rebaseRootLinks(html, '/v1.0/')).toBe('<a href="/v1.0/concepts/">c</a><a href="/v1.0/x/">x</a><a href="https://istio.io/">i</a><a href="#h">h</a><link href="//cdn.example/x"><meta http-equiv="refresh" content="0;url=/v1.0/introduction/">');
  });

  it('reads the archive mode from the environment and quotes bad values', () => {
    expect(publishMode({ MESHBOOK_ARCHIVE_VERSION: '1.0', MESHBOOK_ARCHIVED_ON: '2026-11-20' })).toMatchObject({ base: '/v1.0/', title: 'Meshbook 1.0 (archived)', archive: { version: '1.0', archivedOn: '2026-11-20' } });
    expect(publishMode({}).base).toBe('/');
    expect(() => publishMode({ MESHBOOK_ARCHIVE_VERSION: '../x' })).toThrow(/MESHBOOK_ARCHIVE_VERSION.*received "\.\.\/x"/);
  });
});

describe('checkLinks', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshbook-links-'));
    await mkdir(join(dir, 'a'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<a href="/a/#ok">fine</a><a href="/a/#missing">bad anchor</a><a href="/b/">bad page</a><a href="https://x.invalid/">ext</a><a href="#_top">top</a>');
    await writeFile(join(dir, 'a', 'index.html'), '<h2 id="ok">OK</h2><a href="../">up</a><script src="/app.js"></script>');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds missing pages, files and anchors, and only those', async () => {
    const result = await checkLinks(dir, { extra: ['/a/#ok', '/reference/nope/'] });
    expect(result.broken.map((b) => `${b.page} ${b.href}`).sort()).toEqual(['(extra) /reference/nope/', '/ /a/#missing', '/ /b/', '/a/ /app.js']);
  });

  it('reads links from a, link, script and refresh', () => {
    expect(linksIn('<a href="/x">x</a><link rel="stylesheet" href="/s.css"><script src="/j.js"></script><meta http-equiv="refresh" content="0;url=/r/">')).toEqual(['/x', '/s.css', '/j.js', '/r/']);
  });

});
