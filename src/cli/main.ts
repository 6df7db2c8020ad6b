// The CLI entry: parse the command, pick the source and the checks, run, render, and map
// the outcome to an exit code (0 clean, 1 threshold reached, 2 usage/input, 130 Ctrl-C).
// `main` is process-free (streams, env and the cancel signal come in) so tests can call
// it; `runCli` wires it to the real process.

import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKS } from '../../runbooks/index.ts';
import { InputError, SourceUnavailableError } from '../engine/source.ts';
import { runChecks } from '../engine/runner.ts';
import { runFleet } from '../engine/fleet.ts';
import { parseCommand, type CheckCommand, type SnapshotCommand } from './args.ts';
import { UsageError } from './errors.ts';
import { renderChunks, wantsColor } from '../report/formats.ts';
import { helpText } from './help.ts';
import { explainCommand } from './explain.ts';
import { listChecks } from './list.ts';
import { REPO_ROOT, contentRoot } from '../site/pages.ts';
import { pickClusters } from './pick-clusters.ts';
import { selectChecks } from './select.ts';
import { clusterSnapshotsSummary, snapshotSummary, writeClusterSnapshots, writeSnapshot } from './snapshot.ts';
import { exitCodeFor, severityFails, type FailOn } from '../report/threshold.ts';
import { checkSiteUrl } from '../report/site-url.ts';
import { recordRun } from '../publish/record.ts';
import { loadPolicy } from './project-config.ts';
import { runWhatIf } from '../engine/what-if.ts';
import { loadOverlay } from '../cluster/what-if-files.ts';
import { loadMeshFiles, MeshConfigSource, type LoadedMeshFiles } from './mesh-config-source.ts';
import type { FleetCluster } from '../engine/fleet.ts';
import type { Check } from '../engine/check.ts';
import type { PickedClusters } from './pick-clusters.ts';
import type { RunReport } from '../engine/types.ts';

/** The exit codes the CLI documents (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (for colour). */
  stdoutIsTTY: boolean;
  out(text: string): void;
  err(text: string): void;
}

/** The reason the run's signal carries when the user interrupts it. */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
  constructor() {
    super('cancelled');
  }
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  try {
    const command = parseCommand(argv);
    switch (command.command) {
      case 'help':
        io.out(helpText(command.topic));
        return EXIT.ok;
      case 'version':
        io.out(`meshbook ${await version()}\n`);
        return EXIT.ok;
      case 'list':
        io.out(await listChecks(CHECKS, command.format, contentRoot(io.env)));
        return EXIT.ok;
      case 'check':
        return await check(command, io, signal);
      case 'snapshot':
        return await snapshot(command, io, signal);
      case 'explain':
        return await explainCommand(command, { env: io.env, out: io.out, color: wantsColor(io.env, io.stdoutIsTTY) }, signal, (work) =>
          untilAborted(work, signal),
        );
    }
  } catch (error) {
    if (signal.aborted) {
      io.err('meshbook: cancelled\n');
      return EXIT.interrupted;
    }
    if (error instanceof UsageError || error instanceof InputError) {
      io.err(`meshbook: ${error.message}\n`);
      return EXIT.usage;
    }
    // `meshbook snapshot` of a source that cannot be read at all: one line, nothing written.
    if (error instanceof SourceUnavailableError) {
      io.err(`meshbook: cannot read the cluster: ${error.message}\n`);
      return EXIT.failed;
    }
    // A bug, not the user's input: keep the stack for the report.
    io.err(`meshbook: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.usage;
  }
}

async function check(command: CheckCommand, io: CliIo, signal: AbortSignal): Promise<number> {
  // Before anything is read: a bad site URL is a usage error, not a report with broken links.
  const siteUrl = siteUrlOf(io.env);
  const picked = pickClusters(command.source, io.env);
  const checks = await selectChecks(CHECKS, command, contentRoot(io.env));
  const { policy, expired, unknownCodes } = await loadPolicy({
    ...(command.config === undefined ? {} : { file: command.config }),
    cwd: process.cwd(),
    suppress: command.suppress ?? [],
    today: new Date().toISOString().slice(0, 10),
  });
  for (const code of unknownCodes) io.err(`meshbook: warning: --suppress names ${code}, which no check reports; it has no effect.\n`);
  // Input errors (missing file, bad YAML, broken kubeconfig, unknown context) surface here,
  // before any check runs: exit 2, not error results. An unreachable API server is not an
  // input error: every check then reports the precise reason (exit 1).
  await untilAborted(picked.preflight(), signal);
  const overlay =
    command.with === undefined
      ? undefined
      : await untilAborted(loadOverlay(command.with, { readSecrets: command.source.readSecrets === true }), signal);
  const meshFiles = await untilAborted(loadMeshFiles({ meshConfig: command.meshConfig, meshNetworks: command.meshNetworks }), signal);
  const source = meshFiles === undefined ? picked.source : new MeshConfigSource(picked.source, meshFiles);
  let report;
  try {
    const options = { signal, namespace: command.namespace, policy };
    report = await untilAborted(
      overlay !== undefined
        ? runWhatIf(checks, source, overlay, options)
        : picked.clusters.length > 1
          ? runFleet(checks, withMeshFiles(picked.clusters, meshFiles), options)
          : runChecks(checks, source, options),
      signal,
    );
    if (expired.length > 0) report.expiredSuppressions = expired;
    // Before close(): the record reads the cluster's versions from the same source.
    if (command.record !== undefined) {
      const record = await untilAborted(recordRun(command.record, report, picked.source, signal), signal);
      io.err(`meshbook: recorded ${record.report.checks.length} results against ${record.against.name} to ${command.record}\n`);
    }
  } finally {
    picked.close();
  }
  // A file is not a terminal: colour there only when FORCE_COLOR asks for it.
  const color = wantsColor(io.env, command.output === undefined && io.stdoutIsTTY);
  const rendered = renderChunks(command.format, report, { color, failOn: command.failOn, verbose: command.verbose, siteUrl });
  if (command.output === undefined) for (const text of batched(rendered)) io.out(text);
  else await writeReport(command.output, rendered);
  return whatIfExitCode(report, command.failOn) ?? exitCodeFor(report, command.failOn);
}

// A what-if run fails on what the change would add, not on what the cluster already has.
function whatIfExitCode(report: RunReport, failOn: FailOn): 0 | 1 | undefined {
  // Nothing read, nothing compared: that is a failure, whatever the comparison says.
  if (report.whatIf === undefined || report.problem !== undefined) return undefined;
  return report.whatIf.added.some((f) => severityFails(f.severity, failOn)) ? EXIT.failed : EXIT.ok;
}

// The published guide's URL. Read from the environment: the site's own configuration is
// Astro's, which the CLI does not load.
function siteUrlOf(env: CliIo['env']): string | undefined {
  const value = env.MESHBOOK_SITE_URL;
  if (value === undefined || value === '') return undefined;
  const checked = checkSiteUrl(value);
  if ('problem' in checked) throw new UsageError(`MESHBOOK_SITE_URL ${checked.problem}.`);
  return checked.url;
}

// --mesh-config over several clusters: each cluster's meshConfig is replaced by the same file.
function withMeshFiles(clusters: readonly FleetCluster[], files: LoadedMeshFiles | undefined): FleetCluster[] {
  return files === undefined ? [...clusters] : clusters.map((c) => ({ ...c, source: new MeshConfigSource(c.source, files) }));
}

async function snapshot(command: SnapshotCommand, io: CliIo, signal: AbortSignal): Promise<number> {
  const picked = pickClusters(command.source, io.env);
  const checks = await selectChecks(CHECKS, command, contentRoot(io.env));
  await untilAborted(picked.preflight(), signal);
  try {
    if (picked.clusters.length > 1) return await snapshotClusters(command, checks, picked, io, signal);
    const manifest = await untilAborted(writeSnapshot(command, checks, picked, signal), signal);
    io.out(snapshotSummary(command.output, manifest));
    // Kinds that could not be read are recorded in the manifest; the snapshot is still written.
    return manifest.problems.some((p) => p.reason !== 'not-installed') ? EXIT.failed : EXIT.ok;
  } finally {
    picked.close();
  }
}

// One snapshot directory per cluster; a cluster that could not be read, or a kind that could not, fails the command.
async function snapshotClusters(
  command: SnapshotCommand,
  checks: readonly Check[],
  picked: PickedClusters,
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const written = await untilAborted(writeClusterSnapshots(command, checks, picked.clusters, signal), signal);
  io.out(clusterSnapshotsSummary(written));
  const failed = written.some((w) => w.manifest === undefined || w.manifest.problems.some((p) => p.reason !== 'not-installed'));
  return failed ? EXIT.failed : EXIT.ok;
}

// Reading a file or a cluster may not listen to the signal (a FIFO, a hung request):
// Ctrl-C must still end the command at once.
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// The report is rendered while it is written: only the file system's errors are the user's to fix.
async function writeReport(file: string, chunks: Iterable<string>): Promise<void> {
  const cannot = (cause: unknown): InputError =>
    new InputError(`Cannot write the report to ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
  let handle;
  try {
    await mkdir(dirname(file), { recursive: true });
    handle = await open(file, 'w');
  } catch (cause) {
    throw cannot(cause);
  }
  try {
    for (const text of batched(chunks)) {
      // Each call writes all of `text` after what the previous ones wrote.
      await handle.writeFile(text).catch((cause: unknown) => {
        throw cannot(cause);
      });
    }
  } finally {
    await handle.close();
  }
}

const WRITE_BATCH = 1 << 20;

/** A renderer's pieces joined into writes of about 1 MiB: few writes, and never the whole report at once. */
export function* batched(chunks: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  let wrote = false;
  for (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= WRITE_BATCH) {
      yield parts.join('');
      wrote = true;
      parts = [];
      size = 0;
    }
  }
  // A short report is one write, as it always was.
  if (size > 0 || !wrote) yield parts.join('');
}

async function version(): Promise<string> {
  const pkg: unknown = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
  const v = (pkg as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'unknown';
}

/** Runs the CLI in this process: real streams, Ctrl-C cancels the run, exits with the code. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    // A second Ctrl-C leaves at once, even if something ignores the first.
    if (controller.signal.aborted) dieBySigint();
    controller.abort(new Cancelled());
  });
  // `meshbook check | head`: a closed pipe is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const io: CliIo = {
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  };
  const code = await main(argv, io, controller.signal);
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  if (code !== EXIT.interrupted) process.exit(code);
  // Cancelled: end with 130 as soon as nothing is running. An operation that ignored the
  // signal (a read from a FIFO whose writer stalls) would also block process.exit, which
  // joins libuv's threadpool; after a grace period, die by SIGINT instead, which shells
  // report as 130 too (https://www.cons.org/cracauer/sigint.html).
  process.exitCode = code;
  setTimeout(dieBySigint, 1_000).unref();
}

// Ends the process the way an uncaught Ctrl-C would, without waiting for anything.
function dieBySigint(): void {
  if (process.platform === 'win32') process.exit(EXIT.interrupted);
  process.removeAllListeners('SIGINT');
  process.kill(process.pid, 'SIGINT');
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

// `node --import tsx src/cli/main.ts …` (the `npm run meshbook` script) runs this module directly.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runCli(process.argv.slice(2));
}
