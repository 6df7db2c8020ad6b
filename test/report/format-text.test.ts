import { describe, expect, it } from 'vitest';
import { formatText, printable, summaryLine } from '../../src/report/format-text.ts';
import { wantsColor } from '../../src/report/formats.ts';
import { HOSTILE, hostileReport, mixedReport, unusualReport } from '../cli/helpers/sample-report.ts';

const ESC = '\u001b';

describe('formatText', () => {
  it('ends with the summary line counting checks by status and findings by severity', () => {
    const out = formatText(mixedReport(), { color: false });
    expect(out.trimEnd().split('\n').at(-1)).toBe('5 checks: 2 passed, 1 warning, 2 failed — 7 findings (3 errors, 4 warnings)');
  });

  it('prints one line per finding under its check by default: severity, code, resource, message', () => {
    const out = formatText(mixedReport(), { color: false });
    const echo = out.slice(out.indexOf('Failed   echo'), out.indexOf('\n\n', out.indexOf('Failed   echo')));
    expect(echo.split('\n')).toEqual([
      'Failed   echo — Title of echo',
      '  error    IST0101  Gateway shop/e1 — error about e1',
      '  warning  IST0162  Gateway shop/e2 — warning about e2',
      '           guide: /concepts/gateways/#gateway-ports',
    ]);
    for (const detail of ['evidence:', 'what to do:', 'at snap/gw.yaml:7', 'code: /reference/codes/']) expect(out).not.toContain(detail);
    expect(out).toContain("Each finding's evidence, what to do and links: add --verbose.");
  });

  it('makes links full URLs under the site URL, keeping its path', () => {
    const short = formatText(mixedReport(), { color: false, siteUrl: 'https://guide.example.org/meshbook' });
    expect(short).toContain('guide: https://guide.example.org/meshbook/concepts/gateways/#gateway-ports');
    const verbose = formatText(mixedReport(), { color: false, verbose: true, siteUrl: 'https://guide.example.org/meshbook/' });
    expect(verbose).toContain(
      'docs: https://guide.example.org/meshbook/concepts/gateways/#gateway-ports · code: https://guide.example.org/meshbook/reference/codes/ist0162/',
    );
  });

  it('groups findings under their check with status word, resource, message, evidence, fix and links with verbose', () => {
    const out = formatText(mixedReport(), { color: false, verbose: true });
    expect(out).toContain('Target: demo cluster snapshot (snapshot)');
    expect(out).toMatch(/^Passed {3}alpha — Title of alpha$/m);
    expect(out).toMatch(/^Warning {2}charlie — Title of charlie$/m);
    expect(out).toMatch(/^Failed {3}delta — Title of delta$/m);
    const echo = out.slice(out.indexOf('Failed   echo'));
    expect(echo).toContain('  warning  IST0162  Gateway shop/e2\n');
    expect(echo).toContain('warning about e2');
    expect(echo).toContain('at snap/gw.yaml:7');
    expect(echo).toContain('spec.selector: istio=ingressgateway');
    expect(echo).toContain('what to do: Fix the selector.');
    expect(echo).toContain('docs: /concepts/gateways/#gateway-ports · code: /reference/codes/ist0162/');
  });

  it('shows why a check was skipped or could not run, and how many findings were cut', () => {
    const out = formatText(unusualReport(), { color: false });
    expect(out).toContain('Target: kind-mesh (live cluster)');
    expect(out).toMatch(/^Skipped {2}needs-probes — .*\n {11}Skipped: needs a live cluster\.$/m);
    expect(out).toMatch(/^Error {4}throws — .*\n {11}The check failed: boom$/m);
    expect(out).toContain('  info     IST0102  Gateway shop/ns1');
    expect(out).toContain('… 3 more findings not shown');
    expect(out.trimEnd().split('\n').at(-1)).toBe('3 checks: 1 passed, 1 errored, 1 skipped — 2 findings (1 error, 1 info)');
  });

  it('has no escape sequences without colour, and styled status words with it', () => {
    const plain = formatText(mixedReport(), { color: false });
    expect(plain).not.toContain(ESC);
    const coloured = formatText(mixedReport(), { color: true });
    expect(coloured).toContain(`${ESC}[32mPassed `); // green
    expect(coloured).toContain(`${ESC}[31mFailed `); // red
    expect(coloured).toContain(`${ESC}[33mwarning`); // yellow severity
    // Same text once the styling is removed.
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('prints markup literally and makes control characters in cluster data visible, even in colour', () => {
    for (const [color, verbose] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const out = formatText(hostileReport(), { color, verbose });
      expect(out).toContain('Gateway <script>alert(1)</script>/<b>x</b> & "q" \'a\' ]]> \\u0007\\u001b[31m\\r');
      // The only escape sequences left are our own SGR styles.
      expect(out.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    }
  });
});

describe('formatText: what was read', () => {
  it('names per check and for the run how many objects of how many kinds were read', () => {
    const report = mixedReport();
    report.checks[0]!.read = { kinds: 2, objects: 1 };
    const out = formatText(report, { color: false });
    expect(out).toMatch(/^Passed {3}alpha — Title of alpha {2}\(read 1 object of 2 kinds\)$/m);
    expect(out.trimEnd().split('\n').at(-2)).toBe('Read 12 objects of 3 kinds.');
  });

  it('says a source that could not be read once, at the top, not under every check', () => {
    const report = unusualReport();
    const message = 'http://127.0.0.1:9 is not a Kubernetes API server: GET /api answered 404 Not Found (text/html).';
    report.problem = { reason: 'not-kubernetes', message };
    report.read = { kinds: 0, objects: 0 };
    report.checks = report.checks.map((c) => ({ id: c.id, title: c.title, status: 'error', durationMs: 0, findings: [], reason: message }));
    const out = formatText(report, { color: false });
    expect(out.split(message).length - 1).toBe(1);
    expect(out).toContain(`Cannot read the cluster: ${message}`);
    expect(out).toMatch(/^Error {4}throws — Title of throws$/m);
    expect(out).not.toContain('Passed');
    expect(out.trimEnd().split('\n').slice(-2)).toEqual([
      'Read nothing: the cluster could not be read (see the top).',
      '3 checks: 3 errored — no findings',
    ]);
  });
});

describe('summaryLine', () => {
  it('uses singulars and says when nothing was found', () => {
    expect(summaryLine([{ id: 'a', title: 'A', status: 'pass', durationMs: 0, findings: [] }])).toBe('1 check: 1 passed — no findings');
  });
});

describe('printable', () => {
  it.each([
    ['plain', 'plain'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['\u001b[2J', '\\u001b[2J'],
    ['\u009b31m', '\\u009b31m'],
    ['abc\u202edcb', 'abc\\u202edcb'],
    [HOSTILE.slice(0, 10), HOSTILE.slice(0, 10)],
  ])('%j → %j', (input, expected) => {
    expect(printable(input)).toBe(expected);
  });
});

describe('wantsColor', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ TERM: 'dumb' }, true, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
  ])('env %j, TTY %s → %s', (env, tty, expected) => {
    expect(wantsColor(env, tty)).toBe(expected);
  });
});
