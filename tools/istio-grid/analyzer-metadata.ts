// What istio/istio's sources say about each analyzer, read from the Go files rather than kept in
// a table here that would drift: its Metadata().Name (the name `istioctl analyze` and our checks'
// `analyzer` field use), the IST codes it can emit (its `msg.NewX(` calls), the analyzers All()
// registers, and the IST code of each message name (msg/messages.yaml).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

export const ANALYZERS_DIR = 'pkg/config/analysis/analyzers';

export interface AnalyzerInfo {
  /** `pkg.Type` as the grid and all.go write it. */
  type: string;
  /** Metadata().Name. */
  name: string;
  /** Message names (`ReferencedResourceNotFound`) its own file constructs. */
  messages: string[];
}

/** Message name → IST code, from msg/messages.yaml. */
export function messageCodes(istioDir: string): Map<string, string> {
  const doc = yaml.load(readFileSync(join(istioDir, 'pkg/config/analysis/msg/messages.yaml'), 'utf8')) as {
    messages?: { name?: unknown; code?: unknown }[];
  };
  const out = new Map<string, string>();
  for (const m of doc.messages ?? []) if (typeof m.name === 'string' && typeof m.code === 'string') out.set(m.name, m.code);
  return out;
}

/**
 * Every analyzer type defined under analyzers/<dir>/, keyed `dir.Type` (the package name is the
 * directory's name for every analyzer package). The Metadata body holds `Name: "…"` as a literal
 * for all but the schema validation analyzers, whose names are built per kind (schemaAnalyzerNames).
 */
export function analyzerTypes(istioDir: string): Map<string, AnalyzerInfo> {
  const root = join(istioDir, ANALYZERS_DIR);
  const out = new Map<string, AnalyzerInfo>();
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === 'testdata' || dir.name === 'util') continue;
    for (const file of readdirSync(join(root, dir.name))) {
      if (!file.endsWith('.go') || file.endsWith('_test.go')) continue;
      const src = readFileSync(join(root, dir.name, file), 'utf8');
      const method = /func \((?:\w+\s+)?\*(\w+)\) Metadata\(\) analysis\.Metadata \{([\s\S]*?)\n\}/.exec(src);
      if (method === null) continue;
      const name = /\bName:\s*"([^"]+)"/.exec(method[2]!)?.[1];
      if (name === undefined) continue;
      const messages = [...new Set([...src.matchAll(/\bmsg\.New(\w+)\(/g)].map((m) => m[1]!))].sort();
      const type = `${dir.name}.${method[1]}`;
      out.set(type, { type, name, messages });
    }
  }
  return out;
}

/** The kinds schema.AllValidationAnalyzers covers (collections.Istio: Pilot's schemas plus the mesh ones), as analyzer names. */
export function schemaAnalyzerNames(istioDir: string): string[] {
  const dir = join(istioDir, 'pkg/config/schema/collections');
  const gen = readFileSync(join(dir, 'collections.gen.go'), 'utf8');
  const extras = readFileSync(join(dir, 'extras.go'), 'utf8');
  const pilot = /\n\tPilot = collection\.NewSchemasBuilder\(\)\.([\s\S]*?)Build\(\)/.exec(gen)?.[1];
  const istio = /var Istio = Pilot((?:\.Add\(\w+\))*)/.exec(extras)?.[1];
  if (pilot === undefined || istio === undefined) throw new Error(`cannot read collections.Istio from ${dir}`);
  const vars = [...pilot.matchAll(/MustAdd\((\w+)\)/g), ...istio.matchAll(/Add\((\w+)\)/g)].map((m) => m[1]!);
  const kindOf = (v: string): string => {
    const m = new RegExp(`\\n\\t${v} = resource\\.Builder\\{[\\s\\S]*?\\bKind:\\s*"(\\w+)"`).exec(gen);
    if (m === null) throw new Error(`collections.${v}: no Kind in collections.gen.go`);
    return m[1]!;
  };
  return [...new Set(vars.map((v) => `schema.ValidationAnalyzer.${kindOf(v)}`))];
}

/** `pkg.Type` of each analyzer All() lists in all.go, in its order. */
export function allAnalyzerTypes(istioDir: string): string[] {
  const src = readFileSync(join(istioDir, ANALYZERS_DIR, 'all.go'), 'utf8');
  const body = /func All\(\) \[\]analysis\.Analyzer \{([\s\S]*?)\n\}/.exec(src)?.[1];
  if (body === undefined) throw new Error('all.go has no func All()');
  if (!body.includes('schema.AllValidationAnalyzers()')) throw new Error('all.go All() no longer appends schema.AllValidationAnalyzers()');
  return [...body.matchAll(/&(\w+)\.(\w+)\{\}/g)].map((m) => `${m[1]}.${m[2]}`);
}

/** Every analyzer name `istioctl analyze` runs: All()'s typed analyzers, then one schema analyzer per Istio kind. */
export function allAnalyzerNames(istioDir: string): string[] {
  const types = analyzerTypes(istioDir);
  const named = allAnalyzerTypes(istioDir).map((t) => {
    const info = types.get(t);
    if (info === undefined) throw new Error(`all.go lists ${t}, whose Metadata() was not found`);
    return info.name;
  });
  return [...named, ...schemaAnalyzerNames(istioDir)];
}
