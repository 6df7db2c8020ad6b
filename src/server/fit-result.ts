// Cuts a check result down to a byte budget before it is streamed to the page. A result can be
// far larger than the stream allows (the reachability matrix of a 20,000-object mesh is ~13 MB);
// sending it whole would end the stream with nothing, so the rest of the run would be lost too.
// What goes first is what the page can least use: the pictures, then findings from the end
// (counted in `truncated`, which the page shows), then the length of the reason.

import type { CheckResult } from '../engine/types.ts';

export interface FittedResult {
  result: CheckResult;
  /** What was left out beyond findings (those are counted in `truncated`), in one sentence. */
  note?: string;
}

/** A reason longer than this is cut when nothing else is left to remove. */
const SHORT_REASON = 500;

/**
 * The result, cut until `size(result, note)` is at most `maxBytes`: attachments dropped (with a
 * note), then findings from the end, then the reason shortened. The smallest form is returned
 * even if it is still over the budget; the caller decides what to do then.
 */
export function fitResult(
  result: CheckResult,
  maxBytes: number,
  size: (r: CheckResult, note: string | undefined) => number,
  limitText: string,
): FittedResult {
  if (size(result, undefined) <= maxBytes) return { result };

  let current: CheckResult = result;
  let note: string | undefined;
  const attachments = result.attachments ?? [];
  if (attachments.length > 0) {
    current = { ...result };
    delete current.attachments;
    const pictures = attachments.map(
      (a) => `the reachability matrix "${a.title}" (${a.rows.length} sources × ${a.columns.length} destinations)`,
    );
    note = `This result is larger than the page's stream allows (${limitText}): ${pictures.join(' and ')} ${pictures.length === 1 ? 'is' : 'are'} left out. Run the CLI for the full result: npx meshbook check --check ${result.id}`;
    if (size(current, note) <= maxBytes) return { result: current, note };
  }

  const findings = current.findings;
  const withFirst = (n: number): CheckResult => {
    const dropped = findings.length - n;
    return dropped === 0 ? current : { ...current, findings: findings.slice(0, n), truncated: (current.truncated ?? 0) + dropped };
  };
  // The most findings that still fit (a binary search: each measure serializes the result).
  let lo = 0;
  let hi = findings.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(withFirst(mid), note) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  current = withFirst(lo);
  if (size(current, note) <= maxBytes) return note === undefined ? { result: current } : { result: current, note };

  if (current.reason !== undefined && current.reason.length > SHORT_REASON) {
    current = { ...current, reason: `${[...current.reason].slice(0, SHORT_REASON).join('')}… (shortened)` };
  }
  return note === undefined ? { result: current } : { result: current, note };
}
