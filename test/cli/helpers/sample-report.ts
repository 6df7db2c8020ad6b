// Hand-built reports for the renderer tests: every status, every severity, and data that
// tries to be markup or terminal control sequences.

import type { CheckResult, Finding, RunReport, Severity } from '../../../src/engine/types.ts';

export function finding(severity: Severity, name: string, extra: Partial<Finding> = {}): Finding {
  return {
    code: severity === 'error' ? 'IST0101' : severity === 'warning' ? 'IST0162' : 'IST0102',
    severity,
    message: `${severity} about ${name}`,
    resource: { kind: 'Gateway', namespace: 'shop', name },
    params: { kind: 'selector', ref: 'x' },
    evidence: { 'spec.selector': 'istio=ingressgateway' },
    remediation: 'Fix the selector.',
    docs: '/concepts/gateways/#gateway-ports',
    codeDocs: '/reference/codes/ist0101/',
    ...extra,
  };
}

function check(id: string, status: CheckResult['status'], findings: Finding[], extra: Partial<CheckResult> = {}): CheckResult {
  return { id, title: `Title of ${id}`, status, analyzer: 'gateway.IngressGatewayPortAnalyzer', durationMs: 12, findings, ...extra };
}

/** 5 checks: 2 passed, 1 warning, 2 failed — 7 findings (3 errors, 4 warnings). */
export function mixedReport(): RunReport {
  return {
    target: { type: 'snapshot', name: 'demo cluster snapshot', paths: ['runbooks/demo-cluster'] },
    startedAt: '2025-11-25T22:00:00.000Z',
    gatherMs: 5,
    read: { kinds: 3, objects: 12 },
    checks: [
      check('alpha', 'pass', []),
      check('bravo', 'pass', [], { analyzer: undefined }),
      check('charlie', 'warn', [finding('warning', 'c1'), finding('warning', 'c2')]),
      check('delta', 'fail', [finding('error', 'd1'), finding('error', 'd2'), finding('warning', 'd3')]),
      check('echo', 'fail', [finding('error', 'e1'), finding('warning', 'e2', { location: { file: 'snap/gw.yaml', line: 7 } })]),
    ],
  };
}

/** A skipped check, a check that could not run, and one with an info finding only. */
export function unusualReport(): RunReport {
  return {
    target: { type: 'live', name: 'kind-mesh', context: 'kind-mesh', server: 'https://127.0.0.1:6443' },
    startedAt: '2025-11-25T22:00:00.000Z',
    gatherMs: 5,
    read: { kinds: 3, objects: 12 },
    checks: [
      check('needs-probes', 'skipped', [], { durationMs: 0, reason: 'Skipped: needs a live cluster.' }),
      check(
        'throws',
        'error',
        [
          finding('error', 'throws', {
            code: 'MB0001',
            resource: { kind: 'Check', name: 'throws' },
            message: 'The check itself failed: boom',
          }),
        ],
        {
          reason: 'The check failed: boom',
        },
      ),
      check('informs', 'pass', [finding('info', 'ns1')], { truncated: 3 }),
    ],
  };
}

/** Markup, quotes, ampersands, CDATA terminators and characters XML cannot carry. */
export const HOSTILE = '<b>x</b> & "q" \'a\' ]]> \u0007\u001b[31m\r\ud800\ufffe';

export function hostileReport(): RunReport {
  return {
    target: { type: 'snapshot', name: `snap ${HOSTILE}`, paths: [HOSTILE] },
    startedAt: '2025-11-25T22:00:00.000Z',
    gatherMs: 1,
    read: { kinds: 3, objects: 12 },
    checks: [
      check('hostile', 'fail', [
        finding('error', HOSTILE, {
          message: `Referenced selector not found: "${HOSTILE}"`,
          resource: { kind: 'Gateway', namespace: '<script>alert(1)</script>', name: HOSTILE },
          evidence: { [`annotations.${HOSTILE}`]: HOSTILE },
          remediation: `Remove ${HOSTILE}`,
        }),
      ]),
    ],
  };
}
