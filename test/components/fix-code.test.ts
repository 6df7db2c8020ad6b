import { describe, expect, it } from 'vitest';
import { fixParts, toYaml } from '../../src/components/fix-code.ts';

const RULE = { to: [{ podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ protocol: 'TCP', port: 15012 }] };
const COMMAND = `kubectl -n istio-system patch networkpolicy egress --type=json -p '${JSON.stringify([{ op: 'add', path: '/spec/egress/-', value: RULE }])}'`;

describe('a fix sentence as code to copy', () => {
  it('lifts the patch command into a shell block and the rule into a YAML block, and says "below" in their place', () => {
    const parts = fixParts(
      `Append this rule to spec.egress of NetworkPolicy istio-system/egress: ${JSON.stringify(RULE)} — \`${COMMAND}\`.`,
    );
    expect(parts.sentence).toBe(
      'Append this rule to spec.egress of NetworkPolicy istio-system/egress (YAML below); apply it with the command below.',
    );
    expect(parts.blocks).toEqual([
      {
        lang: 'yaml',
        title: 'Rule to append to spec.egress',
        code: 'to:\n- podSelector:\n    matchLabels:\n      app: istiod\nports:\n- protocol: TCP\n  port: 15012',
      },
      { lang: 'sh', title: 'Command that applies it', code: COMMAND },
    ]);
    expect(parts.lifted).toEqual([JSON.stringify(RULE)]);
  });

  it('leaves a sentence without a JSON patch as it is', () => {
    const text = 'Run `kubectl label namespace default istio-injection=enabled`.';
    expect(fixParts(text)).toEqual({ sentence: text, blocks: [], lifted: [] });
    const broken = "Run `kubectl patch x --type=json -p '[not json]'`.";
    expect(fixParts(broken).blocks).toEqual([]);
  });

  it('quotes YAML strings that would read as other types, and keeps markup as text', () => {
    expect(toYaml({ a: 'true', b: '15012', c: '<script>x</script>', d: [], e: {} })).toBe(
      'a: "true"\nb: "15012"\nc: "<script>x</script>"\nd: []\ne: {}',
    );
  });
});
