import { describe, expect, it } from 'vitest';
import { attribute, formatJunit, text } from '../../src/report/format-junit.ts';
import { elements, parseXml, textOf } from '../cli/helpers/xml.ts';
import { readJunit } from '../cli/helpers/junit.ts';
import { hostileReport, mixedReport, unusualReport } from '../cli/helpers/sample-report.ts';

describe('formatJunit', () => {
  it('has one testsuite per check and one testcase per finding, failures per --fail-on', () => {
    for (const [failOn, failures] of [
      ['error', 3],
      ['warning', 7],
      ['never', 0],
    ] as const) {
      const { root, suites, cases } = readJunit(formatJunit(mixedReport(), { failOn }));
      expect(suites.map((s) => s.attributes.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      expect(root.attributes.tests).toBe('9'); // 2 passing checks + 7 findings
      expect(root.attributes.failures).toBe(String(failures));
      expect(cases.filter((c) => c.outcome === 'failure')).toHaveLength(failures);
    }
  });

  it('names finding testcases after code and resource, and keeps passing findings visible', () => {
    const { cases } = readJunit(formatJunit(mixedReport(), { failOn: 'error' }));
    const d3 = cases.find((c) => c.name === 'IST0162 Gateway shop/d3')!;
    expect(d3.outcome).toBe('passed');
    expect(d3.classname).toBe('delta');
    expect(textOf(elements(d3.element, 'system-out')[0]!)).toContain('warning about d3');
    const d1 = cases.find((c) => c.name === 'IST0101 Gateway shop/d1')!;
    const failure = elements(d1.element, 'failure')[0]!;
    expect(failure.attributes).toEqual({ message: 'error about d1', type: 'IST0101' });
    expect(textOf(failure)).toContain('what to do: Fix the selector.');
    expect(cases.find((c) => c.suite === 'alpha')).toMatchObject({ name: 'alpha', outcome: 'passed' });
  });

  it('reports a skipped check as <skipped/> and a check that could not run as <error>, whatever the threshold', () => {
    for (const failOn of ['error', 'never'] as const) {
      const { root, cases } = readJunit(formatJunit(unusualReport(), { failOn }));
      expect([root.attributes.skipped, root.attributes.errors, root.attributes.failures]).toEqual(['1', '1', '0']);
      const skipped = cases.find((c) => c.suite === 'needs-probes')!;
      expect(skipped.outcome).toBe('skipped');
      expect(elements(skipped.element, 'skipped')[0]!.attributes.message).toBe('Skipped: needs a live cluster.');
      const error = cases.find((c) => c.suite === 'throws')!;
      expect(error.outcome).toBe('error');
      expect(textOf(elements(error.element, 'error')[0]!)).toContain('The check itself failed: boom');
    }
  });

  it('numbers repeated code+resource testcases so reporters do not merge them', () => {
    const report = mixedReport();
    report.checks[2]!.findings[1]!.resource.name = 'c1';
    const { cases } = readJunit(formatJunit(report, { failOn: 'warning' }));
    expect(cases.filter((c) => c.suite === 'charlie').map((c) => c.name)).toEqual([
      'IST0162 Gateway shop/c1',
      'IST0162 Gateway shop/c1 (#2)',
    ]);
  });

  it('writes time attributes in seconds that add up', () => {
    const { root, suites } = readJunit(formatJunit(mixedReport(), { failOn: 'error' }));
    expect(suites.every((s) => s.attributes.time === '0.012')).toBe(true);
    expect(root.attributes.time).toBe('0.060');
  });

  it('escapes markup and replaces characters XML cannot carry, staying well-formed', () => {
    const xml = formatJunit(hostileReport(), { failOn: 'error' });
    const { cases, suites } = readJunit(xml);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<b>');
    const tc = cases[0]!;
    const visible = '<b>x</b> & "q" \'a\' ]]> \\u0007\\u001b[31m\r\\ud800\\ufffe';
    expect(tc.name).toBe(`IST0101 Gateway <script>alert(1)</script>/${visible}`);
    expect(elements(tc.element, 'failure')[0]!.attributes.message).toBe(`Referenced selector not found: "${visible}"`);
    expect(textOf(elements(tc.element, 'failure')[0]!)).toContain(`what to do: Remove ${visible}`);
    const target = elements(elements(suites[0]!, 'properties')[0]!, 'property').find((p) => p.attributes.name === 'target')!;
    expect(target.attributes.value).toBe(`snap ${visible}`);
  });
});

describe('XML escaping', () => {
  it.each([
    ['a < b & c > d', 'a &lt; b &amp; c &gt; d'],
    [']]>', ']]&gt;'],
    ['bell\u0007', 'bell\\u0007'],
    ['cr\r', 'cr&#13;'],
  ])('text(%j) is %j', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it('round-trips attribute values through a parser, whitespace included', () => {
    const value = 'q"uo\'te <tag> & \n line\tTab\rcr';
    const el = parseXml(`<a v="${attribute(value)}"/>`);
    expect(el.attributes.v).toBe(value);
  });

  it('the test parser rejects what is not well-formed', () => {
    for (const bad of [
      '<a>',
      '<a></b>',
      '<a x="1" x="2"/>',
      '<a>&nbsp;</a>',
      '<a>\u0007</a>',
      '<a>&#7;</a>',
      '<a x=1/>',
      '<a/><b/>',
      '<a>]]></a>',
      '<a x="<"/>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow(/not well-formed/);
    }
  });
});
