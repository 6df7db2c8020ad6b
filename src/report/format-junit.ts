// The renderer for CI test reports: one <testsuite> per check, one <testcase> per finding
// (or one passing testcase). A finding at or above --fail-on is a <failure>; below it, the
// finding stays visible as <system-out>. A check that could not run is an <error> whatever
// the threshold (the verification itself failed); a skipped check is <skipped/>.

import type { CheckResult, Finding, RunReport } from '../engine/types.ts';
import { friendlyName, seconds } from './display.ts';
import { severityFails, type FailOn } from './threshold.ts';

export interface JunitOptions {
  failOn: FailOn;
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

/** Renders the report as a JUnit XML document. */
export function formatJunit(report: RunReport, options: JunitOptions): string {
  const suites = report.checks.map((c) => suite(c, report, options.failOn));
  const sum = (key: 'tests' | 'failures' | 'errors' | 'skipped' | 'ms'): number => suites.reduce((n, s) => n + s[key], 0);
  const attrs = attributes({
    name: 'meshbook',
    tests: sum('tests'),
    failures: sum('failures'),
    errors: sum('errors'),
    skipped: sum('skipped'),
    time: seconds(sum('ms')),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs}>\n${suites.map((s) => s.xml).join('')}</testsuites>\n`;
}

function suite(check: CheckResult, report: RunReport, failOn: FailOn): Suite {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const testcase = (name: string, time: number, body: string): void => {
    const attrs = attributes({ name, classname: check.id, time: seconds(time) });
    cases.push(body === '' ? `    <testcase${attrs}/>\n` : `    <testcase${attrs}>\n${body}    </testcase>\n`);
  };

  if (check.status === 'skipped') {
    skipped++;
    testcase(check.id, check.durationMs, `      <skipped${attributes({ message: check.reason ?? 'skipped' })}/>\n`);
  } else if (check.status === 'error') {
    errors++;
    const details = [check.reason ?? 'The check could not run.', ...check.findings.map(findingText)].join('\n\n');
    testcase(
      check.id,
      check.durationMs,
      `      <error${attributes({ message: check.reason ?? 'The check could not run.', type: 'check-error' })}>${text(details)}</error>\n`,
    );
  } else if (check.findings.length === 0) {
    testcase(check.id, check.durationMs, '');
  } else {
    const seen = new Map<string, number>();
    for (const f of check.findings) {
      // Reporters merge testcases of the same name; number repeats of a code on one resource.
      const base = `${f.code} ${friendlyName(f.resource)}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const name = n === 1 ? base : `${base} (#${n})`;
      if (severityFails(f.severity, failOn)) {
        failures++;
        testcase(name, 0, `      <failure${attributes({ message: f.message, type: f.code })}>${text(findingText(f))}</failure>\n`);
      } else {
        testcase(name, 0, `      <system-out>${text(findingText(f))}</system-out>\n`);
      }
    }
  }

  const properties = [
    ['title', check.title],
    ...(check.analyzer === undefined ? [] : [['analyzer', check.analyzer]]),
    ...(check.kiali === undefined || check.kiali.length === 0 ? [] : [['kiali', check.kiali.join(' ')]]),
    ['status', check.status],
    ['target', report.target.name],
    ...(report.clusters === undefined ? [] : [['clusters', report.clusters.map((c) => c.name).join(' ')]]),
    ['startedAt', report.startedAt],
    ...(check.truncated === undefined || check.truncated === 0 ? [] : [['truncatedFindings', String(check.truncated)]]),
  ].map(([name, value]) => `      <property${attributes({ name: name!, value: value! })}/>\n`);

  const tests = cases.length;
  const attrs = attributes({ name: check.id, tests, failures, errors, skipped, time: seconds(check.durationMs) });
  const xml = `  <testsuite${attrs}>\n    <properties>\n${properties.join('')}    </properties>\n${cases.join('')}  </testsuite>\n`;
  return { xml, tests, failures, errors, skipped, ms: check.durationMs };
}

// The same details the text renderer shows, as plain text.
function findingText(f: Finding): string {
  const lines = [`${f.severity} ${f.code} ${friendlyName(f.resource)}`, f.message];
  if (f.location !== undefined) lines.push(`at ${f.location.file}:${f.location.line}`);
  const evidence = Object.entries(f.evidence ?? {});
  if (evidence.length > 0) lines.push('evidence:', ...evidence.map(([k, v]) => `  ${k}: ${v}`));
  if (f.remediation !== undefined) lines.push(`what to do: ${f.remediation}`);
  if (f.docs !== undefined) lines.push(`docs: ${f.docs}`);
  return lines.join('\n');
}

function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${attribute(String(v))}"`)
    .join('');
}

// Characters XML 1.0 cannot carry at all, not even as references: most C0 controls,
// U+FFFE/U+FFFF and unpaired surrogates. C1 controls and DEL are legal but discouraged.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Character data: markup characters escaped, unrepresentable characters made visible. */
export function text(s: string): string {
  // A raw CR would be read back as LF (XML end-of-line handling); a reference keeps it.
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** An attribute value: also quotes, and whitespace as references so parsers keep it. */
export function attribute(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
