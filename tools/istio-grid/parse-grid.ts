// Reads istioctl's analyzer test grid (`testGrid` in analyzers/analyzers_test.go) as data: each
// case's input files, optional mesh files, the analyzer under test and the expected
// (message, resource) pairs. The Go is not compiled: the grid is a literal slice whose entries
// follow one shape, and anything this reader does not recognise is an error, never a guess.

/** One upstream case. */
export interface GridCase {
  /** Its position in the slice (names repeat upstream). */
  index: number;
  name: string;
  inputFiles: string[];
  meshConfigFile?: string;
  meshNetworksFile?: string;
  /** `pkg.Type` as written in the grid (`deployment.ServiceAssociationAnalyzer`), or `schema.ValidationAnalyzer.<Kind>`. */
  analyzerType: string;
  /** The Go package directory of the analyzer (under analyzers/), from the file's imports. */
  analyzerDir: string;
  /** `msg.X` names with the origin string (`Kind ns/name`, or `Kind name`). */
  expected: { message: string; origin: string }[];
  skipAll: boolean;
}

const ANALYZERS_IMPORT = 'istio.io/istio/pkg/config/analysis/analyzers/';

/** The cases of analyzers_test.go's `testGrid`; throws naming the case it cannot read. */
export function parseGrid(goSource: string): GridCase[] {
  const packages = importedPackages(goSource);
  const start = goSource.indexOf('var testGrid = []testCase{');
  if (start === -1) throw new Error('analyzers_test.go has no `var testGrid = []testCase{`');
  const open = goSource.indexOf('{', start + 'var testGrid = []testCase'.length);
  const entries = bracedEntries(goSource, open);
  return entries.map((text, index) => parseCase(stripComments(text), index, packages));
}

/** Import alias (or last path element) → directory under analyzers/. */
function importedPackages(goSource: string): Map<string, string> {
  const out = new Map<string, string>();
  const block = /import \(([\s\S]*?)\n\)/.exec(goSource)?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = /^\s*(\w+\s+)?"([^"]+)"/.exec(line);
    if (m === null || !m[2]!.startsWith(ANALYZERS_IMPORT)) continue;
    const dir = m[2]!.slice(ANALYZERS_IMPORT.length);
    out.set(m[1]?.trim() ?? dir.split('/').pop()!, dir);
  }
  return out;
}

/** The texts of the `{ … }` entries directly inside the brace at `open`, skipping strings and comments. */
function bracedEntries(src: string, open: number): string[] {
  const entries: string[] = [];
  let depth = 0;
  let entryStart = -1;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i === -1) break;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      i = stringEnd(src, i);
      continue;
    }
    if (c === '{') {
      depth++;
      if (depth === 2) entryStart = i;
    } else if (c === '}') {
      if (depth === 2) entries.push(src.slice(entryStart, i + 1));
      depth--;
      if (depth === 0) return entries;
    }
  }
  throw new Error('testGrid: unbalanced braces');
}

function stringEnd(src: string, at: number): number {
  const quote = src[at];
  for (let i = at + 1; i < src.length; i++) {
    if (quote === '"' && src[i] === '\\') i++;
    else if (src[i] === quote) return i;
  }
  throw new Error('testGrid: unterminated string');
}

function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`') {
      const end = stringEnd(text, i);
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      if (nl === -1) break;
      i = nl - 1;
    } else out += c;
  }
  return out;
}

const GO_STRING = '"((?:[^"\\\\]|\\\\.)*)"';

function goString(raw: string): string {
  return JSON.parse(`"${raw}"`) as string;
}

function parseCase(text: string, index: number, packages: Map<string, string>): GridCase {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`\\b${name}:\\s*${GO_STRING}`).exec(text);
    return m === null ? undefined : goString(m[1]!);
  };
  const name = field('name');
  const where = `testGrid[${index}]${name === undefined ? '' : ` (${name})`}`;
  if (name === undefined) throw new Error(`${where}: no name`);

  const files = /\binputFiles:\s*\[\]string\{([^}]*)\}/.exec(text);
  if (files === null) throw new Error(`${where}: no inputFiles`);
  const inputFiles = [...files[1]!.matchAll(new RegExp(GO_STRING, 'g'))].map((m) => goString(m[1]!));

  let analyzerType: string;
  let analyzerDir: string;
  const typed = /\banalyzer:\s*&(\w+)\.(\w+)\{\}/.exec(text);
  const schema = /\banalyzer:\s*(\w+)\.CollectionValidationAnalyzer\(collections\.(\w+)\)/.exec(text);
  if (typed !== null) {
    analyzerType = `${typed[1]}.${typed[2]}`;
    analyzerDir = packages.get(typed[1]!) ?? typed[1]!;
  } else if (schema !== null) {
    // The collection variable is named for its kind (collections.VirtualService is kind VirtualService).
    analyzerType = `schema.ValidationAnalyzer.${schema[2]}`;
    analyzerDir = packages.get(schema[1]!) ?? 'schema';
  } else throw new Error(`${where}: analyzer is neither &pkg.Type{} nor schema.CollectionValidationAnalyzer(collections.X)`);

  const expectedAt = /\bexpected:\s*\[\]message\{/.exec(text);
  if (expectedAt === null) throw new Error(`${where}: no expected list`);
  const body = text.slice(expectedAt.index + expectedAt[0].length);
  const expected: GridCase['expected'] = [];
  const item = new RegExp(`^\\s*\\{\\s*msg\\.(\\w+)\\s*,\\s*${GO_STRING}\\s*\\}\\s*,?`);
  let rest = body;
  for (;;) {
    const m = item.exec(rest);
    if (m === null) break;
    expected.push({ message: m[1]!, origin: goString(m[2]!) });
    rest = rest.slice(m[0].length);
  }
  if (!/^\s*\}/.test(rest)) throw new Error(`${where}: cannot read expected entry near ${JSON.stringify(rest.trim().slice(0, 60))}`);

  const meshConfigFile = field('meshConfigFile');
  const meshNetworksFile = field('meshNetworksFile');
  return {
    index,
    name,
    inputFiles,
    ...(meshConfigFile === undefined ? {} : { meshConfigFile }),
    ...(meshNetworksFile === undefined ? {} : { meshNetworksFile }),
    analyzerType,
    analyzerDir,
    expected,
    skipAll: /\bskipAll:\s*true\b/.test(text),
  };
}
