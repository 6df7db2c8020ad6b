// Fix code blocks drawn by Expressive Code, the renderer of Starlight's own code blocks, with the
// site's configuration (Starlight's themes, frames and copy button): the same renderer and
// options as `<Code>` from '@astrojs/starlight/components' uses. Server side only, inside Vite
// (the configuration is a Vite virtual module): the static build calls it for recorded results,
// and dev pages register it (dev-state.ts) for the run endpoint to draw live results with.
// Expressive Code escapes every text it is given; the code also passes through `shown` first,
// so invisible and bidi-override characters from a cluster show as escapes.

import { astroConfig, ecConfigFileOptions, ecIntegrationOptions } from 'virtual:astro-expressive-code/config';
import preprocessEcConfig from 'virtual:astro-expressive-code/preprocess-config';
import { createAstroRenderer, mergeEcConfigOptions, type AstroExpressiveCodeRenderer } from '@astrojs/starlight/expressive-code';
import { toHtml, type Element } from '@astrojs/starlight/expressive-code/hast';
import type { FixBlock } from '../engine/types.ts';
import { shown } from './result-tree.ts';

let renderer: Promise<AstroExpressiveCodeRenderer> | undefined;

async function create(): Promise<AstroExpressiveCodeRenderer> {
  const merged = mergeEcConfigOptions(ecIntegrationOptions ?? {}, ecConfigFileOptions);
  const ecConfig = (await preprocessEcConfig({ ecConfig: merged, astroConfig })) ?? merged;
  return createAstroRenderer({ astroConfig, ecConfig });
}

function ec(): Promise<AstroExpressiveCodeRenderer> {
  renderer ??= create();
  return renderer;
}

// A group index other than 0: the first group of a page is where Expressive Code puts its
// stylesheet and script, and those are written once per runbook instead (expressiveCodeAssets).
const NOT_FIRST = 1;

/** One fix block as Expressive Code's HTML: a titled frame (a terminal for commands) with its copy button. */
export async function renderFixBlock(block: FixBlock): Promise<string> {
  const { ec: engine } = await ec();
  const { renderedGroupAst, styles } = await engine.render({
    code: block.code.split('\n').map(shown).join('\n'),
    language: block.lang,
    // Commands are one long line: wrapped, so a narrow screen shows all of it (the copy is unwrapped).
    props: { title: shown(block.title), wrap: block.lang === 'sh' },
    parentDocument: { positionInDocument: { groupIndex: NOT_FIRST } },
  });
  if (styles.size > 0)
    renderedGroupAst.children.unshift({
      type: 'element',
      tagName: 'style',
      properties: {},
      children: [{ type: 'text', value: [...styles].join('') }],
    });
  return toHtml(renderedGroupAst);
}

/** Every block of every finding, in order (undefined for a finding without code). */
export async function renderFixBlocks(
  findings: readonly { fixCode?: { blocks: readonly FixBlock[] } | undefined }[],
): Promise<(string[] | undefined)[]> {
  return Promise.all(findings.map(async (f) => (f.fixCode === undefined ? undefined : Promise.all(f.fixCode.blocks.map(renderFixBlock)))));
}

/**
 * The `<link>` to Expressive Code's stylesheet and the `<script>` that wires its copy buttons, as
 * it writes them into the first code block of a page: a page whose only code blocks are fixes
 * (drawn later by the live island, or in a recorded result) needs them too. The script binds
 * buttons added after it runs as well (it observes the document).
 */
export async function expressiveCodeAssets(): Promise<string> {
  const { ec: engine } = await ec();
  const { renderedGroupAst } = await engine.render({
    code: ' ',
    language: 'txt',
    parentDocument: { positionInDocument: { groupIndex: 0 } },
  });
  return renderedGroupAst.children
    .filter((c): c is Element => c.type === 'element' && (c.tagName === 'link' || c.tagName === 'script'))
    .map((c) => toHtml(c))
    .join('');
}

const pages = new WeakSet<Request>();

/** True for the first call per page render (the request Astro renders it for), false after. */
export function firstOnPage(request: Request): boolean {
  if (pages.has(request)) return false;
  pages.add(request);
  return true;
}
