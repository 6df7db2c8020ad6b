// The source text of every check, bundled by Vite at build time so pages can show it and
// hash it without reading files at render time. Only for modules Vite processes (pages,
// components); the CLI reads the files directly (src/publish/record.ts).

import { checkVersionOf } from './record-version.ts';

// One check per file: runbooks/<area>/<id>.ts (runbooks/lib holds helpers, not checks).
const SOURCES = import.meta.glob<string>(['../../runbooks/*/*.ts', '!../../runbooks/lib/*.ts'], { query: '?raw', import: 'default', eager: true });

/** A check's source file: its repository path and text, or undefined. */
export function checkSource(id: string): { path: string; text: string; version: string } | undefined {
  for (const [key, text] of Object.entries(SOURCES)) {
    if (key.endsWith(`/${id}.ts`)) return { path: key.replace(/^(\.\.\/)+/, ''), text, version: checkVersionOf(text) };
  }
  return undefined;
}
