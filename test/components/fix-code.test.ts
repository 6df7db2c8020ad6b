import { describe, expect, it } from 'vitest';
import { fixCodeOf, toYaml } from '../../src/engine/fix-code.ts';
import { resultTree, type ResultView } from '../../src/components/result-tree.ts';
import { toMarkup } from '../../src/components/matrix-svg.ts';

const RULE = { to: [{ podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ protocol: 'TCP', port: 15012 }] };
const COMMAND = `kubectl -n istio-system patch networkpolicy egress --type=json -p '${JSON.stringify([{ op: 'add', path: '/spec/egress/-', value: RULE }])}'`;
const SENTENCE = `Append this rule to spec.egress of NetworkPolicy istio-system/egress: ${JSON.stringify(RULE)} — \`${COMMAND}\`.`;
const YAML = 'to:\n- podSelector:\n    matchLabels:\n      app: istiod\nports:\n- protocol: TCP\n  port: 15012';

describe('a fix sentence as code to copy', () => {
  it('lifts the patch command into a shell block and the rule into a YAML block, and says "below" in their place', () => {
    expect(fixCodeOf(SENTENCE)).toEqual({
      text: 'Append this rule to spec.egress of NetworkPolicy istio-system/egress (YAML below); apply it with the command below.',
      blocks: [
        { lang: 'yaml', title: 'Rule to append to spec.egress', code: YAML },
        { lang: 'sh', title: 'Command that applies it', code: COMMAND },
      ],
      quoted: [JSON.stringify(RULE)],
    });
  });

  it('has no code for a sentence without a JSON patch', () => {
    expect(fixCodeOf('Run `kubectl label namespace default istio-injection=enabled`.')).toBeUndefined();
    expect(fixCodeOf("Run `kubectl patch x --type=json -p '[not json]'`.")).toBeUndefined();
  });

  it('quotes YAML strings that would read as other types, and keeps markup as text', () => {
    expect(toYaml({ a: 'true', b: '15012', c: '<script>x</script>', d: [], e: {} })).toBe(
      'a: "true"\nb: "15012"\nc: "<script>x</script>"\nd: []\ne: {}',
    );
  });
});

describe('a fix in a drawn result', () => {
  const result = (fixCode: ReturnType<typeof fixCodeOf>): ResultView => ({
    id: 'control-ports',
    status: 'fail',
    durationMs: 1,
    read: { kinds: 1, objects: 1 },
    findings: [
      {
        code: 'MB0601',
        severity: 'error',
        message: 'blocked',
        resource: { kind: 'NetworkPolicy', namespace: 'istio-system', name: 'egress' },
        evidence: { 'rule that would allow it': JSON.stringify(RULE) },
        remediation: SENTENCE,
        ...(fixCode === undefined ? {} : { fixCode }),
      },
    ],
  });

  it("uses Expressive Code's HTML for each block as it is, and the sentence that points below", () => {
    const html = ['<div class="expressive-code"><figure class="frame">Y</figure></div>', '<div class="expressive-code">S</div>'];
    const markup = resultTree(result(fixCodeOf(SENTENCE)), 'demo', { fixHtml: (i) => (i === 0 ? html : undefined) })
      .map(toMarkup)
      .join('');
    expect(markup).toContain(`<div class="mb-fix-code" data-lang="yaml">${html[0]}</div>`);
    expect(markup).toContain(`<div class="mb-fix-code" data-lang="sh">${html[1]}</div>`);
    expect(markup).toContain('(YAML below); apply it with the command below.');
    expect(markup).toContain('(shown as YAML under What to do)');
    expect(markup).not.toContain('mb-copy');
  });

  it('draws plain titled blocks without a renderer, every text escaped', () => {
    const markup = resultTree(result(fixCodeOf(SENTENCE)), 'demo')
      .map(toMarkup)
      .join('');
    expect(markup).toContain('<figcaption class="mb-code-head">Rule to append to spec.egress</figcaption>');
    expect(markup).toContain(`<pre tabindex="0"><code>${YAML}</code></pre>`);
  });

  it('shows the remediation as it is when the finding has no code', () => {
    const markup = resultTree(result(undefined), 'demo').map(toMarkup).join('');
    expect(markup).not.toContain('mb-fix-code');
    expect(markup).toContain('— <code>kubectl -n istio-system patch');
  });
});
