import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentRoot, listPages, runbookIds, slugOf } from '../../src/site/pages.ts';
import { selectChecks } from '../../src/cli/select.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { defineCheck } from '../../src/engine/check.ts';

describe('runbookIds', () => {
  it('finds every embed in order, once each, whatever the quoting and line breaks', () => {
    const mdx = [
      '---',
      'title: T',
      '---',
      '<Runbook id="gateway-ports" />',
      "Text <Runbook id='mesh-ready'/> inline.",
      '<Runbook',
      '  title="x"',
      '  id="sidecar-injected"',
      '/>',
      '<Runbook id="gateway-ports" />',
      '<RunbookList id="not-this-one" />',
    ].join('\n');
    expect(runbookIds(mdx)).toEqual(['gateway-ports', 'mesh-ready', 'sidecar-injected']);
  });

  it('ignores examples in fenced code, inline code and MDX comments', () => {
    const mdx = [
      'Write `<Runbook id="inline-example" />` to embed one.',
      '```mdx',
      '<Runbook id="fenced-example" />',
      '```',
      '~~~~',
      '<Runbook id="tilde-example" />',
      '```',
      '<Runbook id="still-fenced" />',
      '~~~~',
      '{/* <Runbook id="commented-out" /> */}',
      '<Runbook id="real-one" />',
    ].join('\n');
    expect(runbookIds(mdx)).toEqual(['real-one']);
  });
});

describe('slugOf', () => {
  it.each([
    ['introduction.mdx', 'introduction'],
    [join('concepts', 'gateways.mdx'), 'concepts/gateways'],
    [join('concepts', 'gateways', 'index.mdx'), 'concepts/gateways'],
    ['index.mdx', 'index'],
  ])('%s → %s', (file, slug) => {
    expect(slugOf(file)).toBe(slug);
  });
});

describe('pages and selection', () => {
  let dir: string;
  const check = (id: string) => defineCheck({ id, title: id, description: 'd', why: 'w', inputs: ['v1/Pod'], docs: '/x/', analyze() {} });
  const all = [check('one'), check('two'), check('three')];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshbook-pages-'));
    await mkdir(join(dir, 'concepts', 'mesh'), { recursive: true });
    await writeFile(join(dir, 'introduction.mdx'), '<Runbook id="three" />\n<Runbook id="one" />\n');
    await writeFile(join(dir, 'concepts', 'mesh', 'index.mdx'), '<Runbook id="two" />\n');
    await writeFile(join(dir, 'empty.mdx'), '# Nothing to run\n');
    await writeFile(join(dir, 'stale.mdx'), '<Runbook id="gone" />\n');
    await writeFile(join(dir, 'notes.md'), '<Runbook id="one" />\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists .mdx pages by slug', async () => {
    expect([...(await listPages(dir)).keys()]).toEqual(['concepts/mesh', 'empty', 'introduction', 'stale']);
    expect((await listPages(join(dir, 'missing'))).size).toBe(0);
  });

  it('selects the union of --check and --page in registry order', async () => {
    const ids = async (checks: string[], pages: string[]) => (await selectChecks(all, { checks, pages }, dir)).map((c) => c.id);
    expect(await ids([], [])).toEqual(['one', 'two', 'three']);
    expect(await ids([], ['introduction'])).toEqual(['one', 'three']);
    expect(await ids(['two'], ['introduction'])).toEqual(['one', 'two', 'three']);
    expect(await ids(['three', 'three'], [])).toEqual(['three']);
    expect(await ids([], ['concepts/mesh'])).toEqual(['two']);
  });

  it.each([
    [['nope'], [], /Unknown check "nope"\. Valid ids: one, two, three\./],
    [[], ['missing'], /Unknown page "missing"\. Valid pages: concepts\/mesh, empty, introduction, stale\./],
    [[], ['../introduction'], /Unknown page/],
    [[], ['empty'], /embeds no runbooks/],
    [[], ['stale'], /embeds <Runbook id="gone">, which is not a registered check/],
  ])('checks %j pages %j is a usage error', async (checks, pages, message) => {
    const attempt = selectChecks(all, { checks, pages }, dir);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(selectChecks(all, { checks, pages }, dir)).rejects.toThrow(message);
  });

  it('says where it looked when there are no pages at all', async () => {
    await expect(selectChecks(all, { checks: [], pages: ['introduction'] }, join(dir, 'missing'))).rejects.toThrow(
      /No pages were found under/,
    );
  });

  it('reads the content root from MESHBOOK_CONTENT_DIR', () => {
    expect(contentRoot({ MESHBOOK_CONTENT_DIR: dir })).toBe(dir);
    expect(contentRoot({})).toMatch(/content$/);
  });
});
