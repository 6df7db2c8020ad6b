// A small, strict XML 1.0 parser for the tests: enough of the grammar to prove the JUnit
// renderer's output is well-formed (elements, attributes, character data, references,
// CDATA, comments, the XML declaration), and to hand back a tree to count things in.
// Anything outside that subset (DTDs, unknown entities) is rejected, never guessed at.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | { text: string };

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a whole document; throws with the offset on the first well-formedness error. */
export function parseXml(source: string): XmlElement {
  checkChars(source);
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`XML not well-formed at offset ${pos}: ${what} (near ${JSON.stringify(source.slice(pos, pos + 30))})`);
  };
  const startsWith = (s: string): boolean => source.startsWith(s, pos);
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const skipSpace = (): boolean => {
    const start = pos;
    while (isSpace(source[pos])) pos++;
    return pos > start;
  };
  const expect = (s: string): void => {
    if (!startsWith(s)) fail(`expected ${JSON.stringify(s)}`);
    pos += s.length;
  };
  const isNameStart = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_' || c === ':' || c > '\u00bf';
  const isNameChar = (c: string): boolean => isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.' || c === '\u00b7';
  const name = (): string => {
    const start = pos;
    if (pos >= source.length || !isNameStart(source[pos]!)) fail('expected a name');
    while (pos < source.length && isNameChar(source[pos]!)) pos++;
    return source.slice(start, pos);
  };
  const reference = (): string => {
    expect('&');
    const end = source.indexOf(';', pos);
    if (end === -1 || end - pos > 10) fail('unterminated reference');
    const body = source.slice(pos, end);
    pos = end + 1;
    if (body.startsWith('#x')) return charRef(parseInt(body.slice(2), 16), body, /^[0-9a-fA-F]+$/.test(body.slice(2)));
    if (body.startsWith('#')) return charRef(parseInt(body.slice(1), 10), body, /^[0-9]+$/.test(body.slice(1)));
    const value = PREDEFINED[body];
    if (value === undefined) fail(`unknown entity &${body};`);
    return value!;
  };
  const charRef = (code: number, body: string, digitsOnly: boolean): string => {
    if (!digitsOnly || !isXmlChar(code)) fail(`character reference &${body}; is not an XML character`);
    return String.fromCodePoint(code);
  };
  const comment = (): void => {
    expect('<!--');
    const end = source.indexOf('-->', pos);
    if (end === -1) fail('unterminated comment');
    if (source.slice(pos, end).includes('--')) fail('"--" inside a comment');
    pos = end + 3;
  };
  const attributeValue = (): string => {
    const quote = source[pos];
    if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
    pos++;
    let value = '';
    while (source[pos] !== quote) {
      const c = source[pos];
      if (c === undefined) fail('unterminated attribute value');
      if (c === '<') fail('"<" in an attribute value');
      if (c === '&') value += reference();
      else {
        // Attribute-value normalization: literal whitespace becomes a space.
        value += isSpace(c) ? ' ' : c;
        pos++;
      }
    }
    pos++;
    return value;
  };
  const element = (): XmlElement => {
    expect('<');
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const spaced = skipSpace();
      if (startsWith('/>')) {
        pos += 2;
        return { name: tag, attributes, children: [] };
      }
      if (startsWith('>')) {
        pos++;
        break;
      }
      if (!spaced) fail('expected whitespace before an attribute');
      const attr = name();
      if (Object.hasOwn(attributes, attr)) fail(`duplicate attribute ${attr}`);
      skipSpace();
      expect('=');
      skipSpace();
      attributes[attr] = attributeValue();
    }
    const children: XmlNode[] = [];
    let text = '';
    const flush = (): void => {
      if (text !== '') children.push({ text });
      text = '';
    };
    for (;;) {
      if (pos >= source.length) fail(`unclosed element <${tag}>`);
      if (startsWith('</')) {
        pos += 2;
        if (name() !== tag) fail(`mismatched end tag for <${tag}>`);
        skipSpace();
        expect('>');
        flush();
        return { name: tag, attributes, children };
      }
      if (startsWith('<!--')) comment();
      else if (startsWith('<![CDATA[')) {
        pos += 9;
        const end = source.indexOf(']]>', pos);
        if (end === -1) fail('unterminated CDATA section');
        text += source.slice(pos, end);
        pos = end + 3;
      } else if (startsWith('<')) {
        flush();
        children.push(element());
      } else if (startsWith('&')) text += reference();
      else if (startsWith(']]>')) fail('"]]>" in character data');
      else text += source[pos++];
    }
  };

  if (startsWith('\ufeff')) pos++;
  if (startsWith('<?xml')) {
    const end = source.indexOf('?>', pos);
    if (end === -1) fail('unterminated XML declaration');
    if (
      !/^<\?xml\s+version="1\.[0-9]+"(\s+encoding="[A-Za-z][A-Za-z0-9._-]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(
        source.slice(pos, end + 2),
      )
    ) {
      fail('malformed XML declaration');
    }
    pos = end + 2;
  }
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith('<!--')) comment();
      else return;
    }
  };
  misc();
  if (startsWith('<!DOCTYPE')) fail('DTDs are not expected');
  const root = element();
  misc();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function checkChars(source: string): void {
  let offset = 0;
  for (const ch of source) {
    // Iterating a string by code points leaves unpaired surrogates as single units.
    const code = ch.codePointAt(0)!;
    if (!isXmlChar(code))
      throw new Error(`XML not well-formed at offset ${offset}: U+${code.toString(16).padStart(4, '0')} is not an XML character`);
    offset += ch.length;
  }
}

/** Child elements of `el`, optionally only those named `name`. */
export function elements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => 'name' in c && (name === undefined || c.name === name));
}

/** The concatenated character data directly inside `el`. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => ('text' in c ? c.text : '')).join('');
}
