// Links in reports: the guide's pages are site-relative paths (the guide is served from the
// dev server, the published site and versioned archives), made absolute when the user names
// the published site, so a link in a terminal or a code-scanning tool can be opened.

/** `path` (site-relative, starting with `/`) under `siteUrl`, or `path` itself without one. */
export function siteLink(path: string, siteUrl: string | undefined): string {
  if (siteUrl === undefined) return path;
  // The site may live under a path (https://example.org/meshbook/): keep it.
  const base = siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`;
  return new URL(path.replace(/^\/+/, ''), base).href;
}

/** The site URL as given, if it is an absolute http(s) URL without query or fragment; else an explanation. */
export function checkSiteUrl(value: string): { url: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return { problem: `is not a URL, received ${JSON.stringify(value)}` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { problem: `must be an http or https URL, received ${JSON.stringify(value)}` };
  if (parsed.search !== '' || parsed.hash !== '')
    return { problem: `must not have a query or fragment, received ${JSON.stringify(value)}` };
  return { url: parsed.href };
}
