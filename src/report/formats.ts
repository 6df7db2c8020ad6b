// Output format name → renderer. Each renderer is a pure function of the report.

import type { RunReport } from '../engine/types.ts';
import { formatJson, formatJsonChunks } from './format-json.ts';
import { formatJunit } from './format-junit.ts';
import { formatSarif } from './format-sarif.ts';
import { formatText } from './format-text.ts';
import type { FailOn } from './threshold.ts';

/** The output formats `meshbook check --format` renders. */
export const FORMATS = ['text', 'json', 'junit', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  color: boolean;
  failOn: FailOn;
  /** Text: every finding's details, not one line each. */
  verbose?: boolean;
  /** The published guide's URL, for full links (text, SARIF); site-relative paths without it. */
  siteUrl?: string;
}

/** Output format name → renderer (like k8sgpt's output map). */
export const FORMATTERS: Record<Format, (report: RunReport, options: RenderOptions) => string> = {
  text: (report, { color, verbose, siteUrl }) => formatText(report, { color, verbose, siteUrl }),
  json: (report) => formatJson(report),
  junit: (report, { failOn }) => formatJunit(report, { failOn }),
  sarif: (report, { siteUrl }) => formatSarif(report, { siteUrl }),
};

/**
 * The report as pieces of text, in order: JSON is rendered as it is written (a report with a
 * large reachability matrix would otherwise be held as one string, and once more as bytes).
 */
export function renderChunks(format: Format, report: RunReport, options: RenderOptions): Iterable<string> {
  return format === 'json' ? formatJsonChunks(report) : [FORMATTERS[format](report, options)];
}

/** Whether to colour text output, with Node's precedence: FORCE_COLOR, then NO_COLOR, then the TTY. */
export function wantsColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}
