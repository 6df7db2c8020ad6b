// The project's config file, `meshbook.yaml` in the directory meshbook runs in (or --config
// FILE): suppressions a team has agreed on, each with a reason and an optional last day, and
// severity overrides per code. Together with --suppress it becomes the run's finding policy; the
// dev server's page runs read the same file from the project root, so a page and the CLI agree.
//
//   suppressions:
//     - code: IST0102                 # a code, `*` matches any run of characters
//       resource: Namespace legacy    # istioctl's `Kind name[.namespace]`, with `*` wildcards
//       reason: Migrated in Q3; tracked in OPS-42
//       until: 2027-01-31             # optional: from the next day on, it suppresses nothing
//   severity:
//     IST0102: error

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'astro/zod';
import { CODES } from '../engine/codes.ts';
import { InputError } from '../engine/source.ts';
import { severitySchema } from '../engine/result-schema.ts';
import { makeSuppressor, parseSuppressFlag, partitionByDate, type FindingPolicy, type SuppressionRule } from '../engine/suppress.ts';
import type { ExpiredSuppression, Severity } from '../engine/types.ts';
import { parseWithFriendlyErrors } from './validation.ts';

export const CONFIG_FILE = 'meshbook.yaml';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

// YAML reads an unquoted 2027-01-31 as a timestamp: either spelling means the same day.
const daySchema = z.union([
  z.string().regex(ISO_DAY, 'expected a date as YYYY-MM-DD'),
  z.date().transform((d) => d.toISOString().slice(0, 10)),
]);

const codePattern = z.string().regex(/^[A-Z0-9*]+$/, 'expected a code such as IST0102 (`*` matches any run of characters)');

const configSchema = z.strictObject({
  suppressions: z
    .array(
      z.strictObject({
        code: codePattern,
        resource: z.string().min(1, 'expected `Kind name[.namespace]`, e.g. "Namespace legacy" or "Service *.shop"'),
        reason: z.string().trim().min(1, 'say why the finding is suppressed'),
        until: daySchema.optional(),
      }),
    )
    .optional(),
  severity: z
    .record(
      z
        .string()
        .refine((code) => Object.hasOwn(CODES, code), 'not a known code (meshbook list shows the checks; the codes are in the reference)'),
      severitySchema,
    )
    .optional(),
});

export interface ProjectPolicy {
  policy: FindingPolicy;
  expired: ExpiredSuppression[];
  /** Codes named by --suppress that no check reports (istioctl warns about these too). */
  unknownCodes: string[];
}

/**
 * Reads the config file (`file`, else meshbook.yaml in `cwd` when there is one) and the
 * --suppress values, for the run on `today` (YYYY-MM-DD, UTC).
 */
export async function loadPolicy(options: {
  file?: string;
  cwd: string;
  suppress: readonly string[];
  today: string;
}): Promise<ProjectPolicy> {
  const path = options.file ?? join(options.cwd, CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    // Only an explicit --config must exist; the default file is optional.
    if (options.file !== undefined || (cause as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(`Cannot read the config file ${JSON.stringify(path)}: ${(cause as Error).message}`, { cause });
  }
  const rules: SuppressionRule[] = [];
  let severity: Record<string, Severity> | undefined;
  if (text !== undefined) {
    let doc: unknown;
    try {
      doc = yaml.load(text);
    } catch (cause) {
      throw new InputError(`The config file ${path} is not valid YAML: ${(cause as Error).message}`, { cause });
    }
    const parsed = parseWithFriendlyErrors(configSchema, doc ?? {}, `config file ${path}`);
    if (!parsed.ok) throw new InputError(parsed.message);
    for (const s of parsed.value.suppressions ?? [])
      rules.push({
        code: s.code,
        resource: s.resource,
        by: 'config',
        reason: s.reason,
        ...(s.until === undefined ? {} : { until: s.until }),
      });
    severity = parsed.value.severity;
  }
  const unknownCodes: string[] = [];
  for (const value of options.suppress) {
    const rule = parseSuppressFlag(value);
    // args.ts checked the form already.
    if (rule === undefined) continue;
    if (!rule.code.includes('*') && !Object.hasOwn(CODES, rule.code)) unknownCodes.push(rule.code);
    rules.push({ ...rule, by: 'flag' });
  }
  const { active, expired } = partitionByDate(rules, options.today);
  // The annotation applies on every run, as in istioctl: the suppressor is always there.
  const policy: FindingPolicy = { suppress: makeSuppressor(active) };
  if (severity !== undefined) policy.severity = severity;
  return { policy, expired, unknownCodes };
}
