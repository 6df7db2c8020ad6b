// The run request's what-if field: proposed YAML text, bounded, validated with the rest of the body.

import { describe, expect, it } from 'vitest';
import { MAX_WITH_YAML, parseRunRequest } from '../../src/server/run-request.ts';

const KNOWN = { checks: new Set(['mesh-reachability']), targets: new Set(['demo']) };
const BASE = { checks: ['mesh-reachability'], target: 'demo' };

describe('parseRunRequest withYaml', () => {
  it('carries the YAML text through unchanged', () => {
    const yaml = 'apiVersion: v1\nkind: List\nitems: []\n';
    const parsed = parseRunRequest({ ...BASE, withYaml: yaml }, KNOWN);
    expect(parsed).toEqual({ ok: true, value: { ...BASE, withYaml: yaml } });
  });

  it('leaves it out when absent', () => {
    const parsed = parseRunRequest(BASE, KNOWN);
    expect(parsed.ok && 'withYaml' in parsed.value).toBe(false);
  });

  it('accepts exactly the limit and refuses one character more, naming the field', () => {
    expect(parseRunRequest({ ...BASE, withYaml: 'a'.repeat(MAX_WITH_YAML) }, KNOWN).ok).toBe(true);
    const over = parseRunRequest({ ...BASE, withYaml: 'a'.repeat(MAX_WITH_YAML + 1) }, KNOWN);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.message).toMatch(/withYaml/);
  });

  it('refuses an empty string and a value that is not a string', () => {
    for (const withYaml of ['', 42, ['kind: List'], null]) {
      const parsed = parseRunRequest({ ...BASE, withYaml }, KNOWN);
      expect(parsed.ok, JSON.stringify(withYaml)).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/withYaml/);
    }
  });
});
