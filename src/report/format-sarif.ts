// The renderer for code-scanning tools: a SARIF 2.1.0 log with one run. The rules are the
// code registry (every code, so a tool can show a rule before anything reports it), each
// result names its rule, the Kubernetes object as a logical location and, for a snapshot, the
// file and line it was read from. Checks that could not run are tool notifications, not
// results: nothing was found about the cluster, and the run was not complete.

import { pathToFileURL } from 'node:url';
import { codeDocsPath, listCodes } from '../engine/codes.ts';
import type { CheckResult, ClusterRun, Finding, ResourceRef, RunReport, Severity } from '../engine/types.ts';
import { summarizeRun, type RunSummary } from './summary.ts';
import { siteLink } from './site-url.ts';

export interface SarifOptions {
  /** The published guide: rules get a helpUri and the tool an informationUri under it. */
  siteUrl?: string;
}

/** The schema SARIF consumers validate against (the OASIS 2.1.0 schema as SchemaStore serves it). */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, Level>> = { error: 'error', warning: 'warning', info: 'note' };

interface SarifMessage {
  text: string;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: Level };
}

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
  logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  message: SarifMessage;
  locations: SarifLocation[];
  /** SARIF's own record of a result set aside: inSource for the resource's annotation, external for flags and the config file. */
  suppressions?: { kind: 'inSource' | 'external'; justification: string }[];
  properties?: { check: string; cluster?: string; docs?: string; evidence?: Record<string, string>; remediation?: string };
}

interface SarifNotification {
  level: Level;
  message: SarifMessage;
}

/** The SARIF log as a plain object (what formatSarif serializes). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; informationUri?: string; rules: SarifRule[] } };
    originalUriBaseIds?: Record<string, { description: SarifMessage }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
    results: SarifResult[];
    properties: { target: string; targetType: 'snapshot' | 'live'; clusters?: ClusterRun[]; startedAt: string; summary: RunSummary };
  }[];
}

/** The report as a SARIF 2.1.0 log object. */
export function toSarif(report: RunReport, options: SarifOptions = {}): SarifLog {
  const rules = listCodes().map(({ id, def }): SarifRule => ({
    id,
    name: ruleName(def.title),
    shortDescription: { text: def.title },
    fullDescription: { text: def.meaning },
    help: { text: def.fix },
    // SARIF wants an absolute URI here; without a site URL the reference page has none.
    ...(options.siteUrl === undefined ? {} : { helpUri: siteLink(codeDocsPath(id), options.siteUrl) }),
    defaultConfiguration: { level: LEVEL[def.level] },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.checks.flatMap((check) => [
    ...check.findings.map((f) => result(check, f, ruleIndex.get(f.code), options)),
    ...(check.suppressed ?? []).map((f) => ({
      ...result(check, f, ruleIndex.get(f.code), options),
      suppressions: [
        { kind: f.suppression.by === 'annotation' ? ('inSource' as const) : ('external' as const), justification: f.suppression.reason },
      ],
    })),
  ]);
  const notifications = [
    ...(report.problem === undefined
      ? []
      : [{ level: 'error' as const, message: { text: `Cannot read the cluster: ${report.problem.message}` } }]),
    ...report.checks.flatMap(notificationsOf),
    ...(report.expiredSuppressions ?? []).map((e) => ({
      level: 'warning' as const,
      message: { text: `Expired suppression ${e.code}=${e.resource} ended ${e.until} (${e.reason}); it no longer suppresses.` },
    })),
  ];
  const relative = results.some((r) => r.locations[0]?.physicalLocation?.artifactLocation.uriBaseId !== undefined);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'meshbook', ...(options.siteUrl === undefined ? {} : { informationUri: siteLink('/', options.siteUrl) }), rules },
        },
        // Snapshot paths are relative to the directory meshbook ran in (usually the repository).
        ...(relative ? { originalUriBaseIds: { [SRCROOT]: { description: { text: 'The directory meshbook check ran in.' } } } } : {}),
        invocations: [
          {
            executionSuccessful: report.problem === undefined && report.checks.every((c) => c.status !== 'error'),
            ...(notifications.length === 0 ? {} : { toolExecutionNotifications: notifications }),
          },
        ],
        results,
        properties: {
          target: report.target.name,
          targetType: report.target.type,
          ...(report.clusters === undefined ? {} : { clusters: report.clusters }),
          startedAt: report.startedAt,
          summary: summarizeRun(report),
        },
      },
    ],
  };
}

/** Renders the report as a SARIF 2.1.0 document, one trailing newline. */
export function formatSarif(report: RunReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}

const SRCROOT = '%SRCROOT%';

function result(check: CheckResult, f: Finding, index: number | undefined, options: SarifOptions): SarifResult {
  const location: SarifLocation = { logicalLocations: [logical(f.resource)] };
  if (f.location !== undefined) {
    location.physicalLocation = { artifactLocation: artifact(f.location.file), region: { startLine: f.location.line } };
  }
  return {
    ruleId: f.code,
    ...(index === undefined ? {} : { ruleIndex: index }),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [location],
    properties: {
      check: check.id,
      ...(f.resource.cluster === undefined ? {} : { cluster: f.resource.cluster }),
      ...(f.docs === undefined ? {} : { docs: siteLink(f.docs, options.siteUrl) }),
      ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
      ...(f.remediation === undefined ? {} : { remediation: f.remediation }),
    },
  };
}

// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects; led by the cluster in a run over several.
function logical(ref: ResourceRef): SarifLocation['logicalLocations'][number] {
  const fullyQualifiedName = [
    ...(ref.cluster === undefined ? [] : [ref.cluster]),
    ref.kind,
    ...(ref.namespace === undefined ? [] : [ref.namespace]),
    ref.name,
  ].join('/');
  return { name: ref.name, fullyQualifiedName, kind: 'resource' };
}

// A relative path becomes a URI reference under %SRCROOT% (each segment percent-encoded);
// an absolute one a file: URI. A lone surrogate (a name that is not valid UTF-16) cannot be
// percent-encoded: it becomes U+FFFD.
function artifact(file: string): { uri: string; uriBaseId?: string } {
  const slashed = file.toWellFormed().replaceAll('\\', '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed)) return { uri: pathToFileURL(slashed).href };
  return { uri: slashed.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function notificationsOf(check: CheckResult): SarifNotification[] {
  const out: SarifNotification[] = [];
  if (check.status === 'error')
    out.push({ level: 'error', message: { text: `${check.id} could not run: ${check.reason ?? 'the check failed.'}` } });
  if (check.status === 'skipped') out.push({ level: 'note', message: { text: `${check.id} was skipped: ${check.reason ?? 'skipped.'}` } });
  if (check.truncated !== undefined && check.truncated > 0)
    out.push({ level: 'warning', message: { text: `${check.id}: ${check.truncated} more findings not reported (output bound reached).` } });
  return out;
}

// A rule's name is an identifier-like form of its title: "Referenced resource not found" → ReferencedResourceNotFound.
function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
