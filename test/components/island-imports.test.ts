// The page's island ships to every reader: it may use the result TYPES (inferred from zod
// schemas) but never the schemas themselves, or zod (~90 kB gzipped) would ship with it.

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(entry: string): Promise<{ inputs: string[]; bytes: number }> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), bytes: result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0) };
}

const heavy = (inputs: string[]): string[] => inputs.filter((i) => i.includes('node_modules/') || i.endsWith('result-schema.ts'));

describe('the <runbook-run> island bundle', () => {
  it('carries no zod and no result schema, only the inferred types', async () => {
    const { inputs, bytes } = await bundle('src/components/runbook-run.ts');
    expect(inputs).toContain('src/components/render-result.ts');
    expect(heavy(inputs)).toEqual([]);
    expect(bytes).toBeLessThan(40_000);
  });

  it('would notice: a module that uses the schemas at run time pulls zod in', async () => {
    const { inputs } = await bundle('src/engine/result-schema.ts');
    expect(heavy(inputs).some((i) => i.includes('node_modules/zod/'))).toBe(true);
  });
});
