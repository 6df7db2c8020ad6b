// Recorded results: what `meshbook check --record FILE` writes and the build embeds. A record
// is the run's JSON report (the CLI's contract, src/report/report-schema.ts) plus when it ran,
// against what (target name, Kubernetes and Istio versions when the cluster says), and which
// version of each check ran (a content hash of its source file). Evidence is masked here,
// before anything reaches the disk, because records are meant to be committed and published.

import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'astro/zod';
import { InputError, type ClusterSource } from '../engine/source.ts';
import { toJsonReport } from '../report/format-json.ts';
import { reportJsonSchema, type JsonReport } from '../report/report-schema.ts';
import type { Deployment, KubeObject } from '../k8s/objects.ts';
import type { RunReport } from '../engine/types.ts';
import { imageOf, imageTag, isControlPlane } from '../mesh/control-plane.ts';
import { maskEvidence, maskText } from './mask.ts';
import { checkVersionOf } from './record-version.ts';

export { checkVersionOf };

/** The record format's version; bump it when a reader could misread an older file. */
export const RECORD_FORMAT = 1;

export const recordSchema = z.strictObject({
  /** Always 1 for now. @example 1 */
  meshbookRecord: z.literal(RECORD_FORMAT),
  /** When the run started (ISO 8601). @example "2026-11-25T10:00:00.000Z" */
  recordedAt: z.iso.datetime(),
  /** What the run read, as readers should see it. */
  against: z.strictObject({
    /** The target's human name: a snapshot name or a kubeconfig context. @example "demo cluster snapshot" */
    name: z.string().min(1),
    type: z.enum(['snapshot', 'live']),
    /** `v1.36.3`, from the nodes' kubelet versions; absent when the snapshot has no nodes. */
    kubernetesVersion: z.string().min(1).optional(),
    /** `1.28.0`, from the istiod (or Pilot) image tag; absent when there is no control plane. */
    istioVersion: z.string().min(1).optional(),
  }),
  /** meshbook's package version that ran. @example "0.1.0" */
  meshbookVersion: z.string().min(1),
  /** Check id → `sha256:<12 hex>` of its source file, for the checks that ran. */
  checkVersions: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{12}$/)),
  /** The run's report in the CLI's JSON contract, evidence masked. */
  report: reportJsonSchema,
});

export type RunRecord = z.infer<typeof recordSchema>;

/** Each check's source file under `runbooksDir` (runbooks/<area>/<id>.ts), by id. */
export async function checkSourceFiles(runbooksDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const area of await readdir(runbooksDir, { withFileTypes: true })) {
    if (!area.isDirectory() || area.name === 'lib' || area.name === 'demo-cluster') continue;
    for (const file of await readdir(join(runbooksDir, area.name))) {
      if (file.endsWith('.ts')) files.set(file.slice(0, -'.ts'.length), join(runbooksDir, area.name, file));
    }
  }
  return files;
}

/** The Kubernetes and Istio versions a set of objects shows, where it shows them. */
export function detectVersions(objects: Iterable<KubeObject>): { kubernetesVersion?: string; istioVersion?: string } {
  const kubelets = new Set<string>();
  const istio = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'Node') {
      const v = (o as { status?: { nodeInfo?: { kubeletVersion?: unknown } } }).status?.nodeInfo?.kubeletVersion;
      if (typeof v === 'string' && v !== '') kubelets.add(v);
    } else if (o.kind === 'Deployment' && isControlPlane(o as Deployment)) {
      const tag = imageTag(imageOf(o as Deployment));
      if (tag !== 'unknown' && tag !== 'latest') istio.add(tag);
    }
  }
  const out: { kubernetesVersion?: string; istioVersion?: string } = {};
  // Mid-upgrade clusters run two versions: say so rather than pick one.
  if (kubelets.size > 0) out.kubernetesVersion = [...kubelets].sort().join(', ');
  if (istio.size > 0) out.istioVersion = [...istio].sort().join(', ');
  return out;
}

/** A report with every evidence value, message and remediation passed through the mask. */
export function maskReport(report: JsonReport): JsonReport {
  return {
    ...report,
    checks: report.checks.map((c) => ({
      ...c,
      ...(c.reason === undefined ? {} : { reason: maskText(c.reason) }),
      findings: c.findings.map((f) => ({
        ...f,
        message: maskText(f.message),
        ...(f.evidence === undefined ? {} : { evidence: maskEvidence(f.evidence) }),
        ...(f.remediation === undefined ? {} : { remediation: maskText(f.remediation) }),
      })),
    })),
  };
}

export interface RecordFacts {
  meshbookVersion: string;
  kubernetesVersion?: string;
  istioVersion?: string;
  /** Source text of each check that ran, by id. */
  sources: ReadonlyMap<string, string>;
}

/** Builds the record of a run (pure: facts are gathered by the caller). */
export function buildRecord(report: RunReport, facts: RecordFacts): RunRecord {
  const json = maskReport(toJsonReport(report));
  const checkVersions: Record<string, string> = {};
  for (const c of json.checks) {
    const source = facts.sources.get(c.id);
    if (source !== undefined) checkVersions[c.id] = checkVersionOf(source);
  }
  return {
    meshbookRecord: RECORD_FORMAT,
    recordedAt: report.startedAt,
    against: {
      // A context name, not the server URL or kubeconfig path: the record gets published.
      name: report.target.context ?? report.target.name,
      type: report.target.type,
      ...(facts.kubernetesVersion === undefined ? {} : { kubernetesVersion: facts.kubernetesVersion }),
      ...(facts.istioVersion === undefined ? {} : { istioVersion: facts.istioVersion }),
    },
    meshbookVersion: facts.meshbookVersion,
    checkVersions,
    report: json,
  };
}

/** Reads the versions the cluster shows; never fails the run (a version is "when known"). */
export async function gatherVersions(source: ClusterSource, signal: AbortSignal): Promise<{ kubernetesVersion?: string; istioVersion?: string }> {
  try {
    const snapshot = await source.gather(['v1/Node', 'apps/v1/Deployment'], { signal });
    return detectVersions(snapshot.all());
  } catch {
    return {};
  }
}

/** Records a finished run to `file`: gathers the facts, masks, validates and writes. */
export async function writeRecord(file: string, report: RunReport, options: { source: ClusterSource; signal: AbortSignal; repoRoot: string; meshbookVersion: string }): Promise<RunRecord> {
  const versions = await gatherVersions(options.source, options.signal);
  const sources = new Map<string, string>();
  const files = await checkSourceFiles(join(options.repoRoot, 'runbooks'));
  for (const c of report.checks) {
    const path = files.get(c.id);
    if (path !== undefined) sources.set(c.id, await readFile(path, 'utf8'));
  }
  const record = recordSchema.parse(buildRecord(report, { ...versions, meshbookVersion: options.meshbookVersion, sources }));
  try {
    await mkdir(dirname(file), { recursive: true });
    // Written aside and renamed: a build reading the records meanwhile never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
    await rename(partial, file);
  } catch (cause) {
    throw new InputError(`Cannot write the record to ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
  }
  return record;
}

/** Parses a record file's text; the error names the file and what was wrong. */
export function parseRecord(text: string, file: string): RunRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Record ${JSON.stringify(file)} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Record ${JSON.stringify(file)} is not a meshbook record: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** What `meshbook check --record FILE` does after the run: writes the record of `report`. */
export async function recordRun(file: string, report: RunReport, source: ClusterSource, signal: AbortSignal): Promise<RunRecord> {
  const repoRoot = join(import.meta.dirname, '..', '..');
  let meshbookVersion = 'unknown';
  try {
    const pkg: unknown = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
    const v = (pkg as { version?: unknown }).version;
    if (typeof v === 'string') meshbookVersion = v;
  } catch {
    // The version is provenance, not a reason to lose the run.
  }
  return writeRecord(file, report, { source, signal, repoRoot, meshbookVersion });
}
