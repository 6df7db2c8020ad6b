// Cluster text made safe to show to a person, in a terminal, on the page and on the published
// site alike. Names, annotations and messages built from them can carry characters that are
// invisible or that reorder the text around them (bidirectional overrides, "Trojan Source"):
// a resource name ending in U+202E can reverse the rest of a finding, a `kubectl … delete`
// command included. Each such character becomes a visible `\uXXXX` escape instead.

// C0/C1 controls and DEL; soft hyphen; Arabic letter mark; Mongolian vowel separator;
// zero-width space/joiners and LRM/RLM; line/paragraph separators and the bidi embeddings and
// overrides (U+202A–202E); word joiner and invisible operators; bidi isolates (U+2066–2069) and
// the deprecated format characters after them; BOM; interlinear annotation marks; tag characters.
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text with every invisible or reordering character shown as a `\uXXXX` (or `\n`, `\t`) escape. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) return short;
    const code = c.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
