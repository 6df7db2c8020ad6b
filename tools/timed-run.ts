// Runs a command to completion and measures it: wall time, and the child's own peak RSS and CPU
// time through GNU time when /usr/bin/time exists (Node cannot see a child's peak RSS itself).
// Used by the benchmarks and by the tests that bound the CLI's memory.

import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

const GNU_TIME = '/usr/bin/time';
// GNU time appends this line to the child's stderr, after "Command exited with non-zero status N"
// or "Command terminated by signal N" when the child failed; both are removed from the stderr returned.
const MARK = 'MESHBOOK_TIMED';
const REPORT = new RegExp(
  `(Command (exited with non-zero status|terminated by signal) \\d+\\n)?${MARK} maxrss_kb=(\\d+) cpu_s=([\\d.]+)\\+([\\d.]+)\\n?$`,
);

export interface TimedRunOptions {
  cwd?: string;
  /** The child's whole environment (nothing is inherited beyond it). */
  env?: NodeJS.ProcessEnv;
  /** A run still going after this is killed and the call throws; bounds a hang, times nothing. */
  timeoutMs: number;
}

export interface TimedRun {
  /** The command line, as execa prints it. */
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  /** The child's stderr, without GNU time's report. */
  stderr: string;
  ms: number;
  /** Peak resident set size of the child, bytes; undefined without GNU time. */
  maxRssBytes?: number;
  /** The child's user + system CPU time, ms; undefined without GNU time. */
  cpuMs?: number;
}

// The processes `pid` started (Linux): GNU time's command, to be killed with it.
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((p) => p !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Runs `command args` and returns how it ended with its output; a non-zero exit is a result,
 * not an error. Throws execa's error (command, how it ended, output) when the child could not
 * start or outlived timeoutMs.
 */
export async function timedRun(command: string, args: readonly string[], options: TimedRunOptions): Promise<TimedRun> {
  const withTime = existsSync(GNU_TIME);
  const [file, argv] = withTime ? [GNU_TIME, ['-f', `${MARK} maxrss_kb=%M cpu_s=%U+%S`, command, ...args]] : [command, [...args]];
  const started = performance.now();
  const cancel = new AbortController();
  const child = execa(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    reject: false,
    cancelSignal: cancel.signal,
  });
  // Not execa's `timeout`: GNU time passes no signal on, and its command, left running, would hold
  // the output pipes open (and this call) forever. Its command is killed with it.
  const timer = setTimeout(() => {
    const orphans = withTime && child.pid !== undefined ? childrenOf(child.pid) : [];
    cancel.abort(new Error(`timed out after ${options.timeoutMs} ms`));
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, options.timeoutMs);
  const result = await child;
  clearTimeout(timer);
  const ms = performance.now() - started;
  if (result.isCanceled || (result.exitCode === undefined && result.signal === undefined)) throw result;
  // GNU time's own failure to start the command (exit 127 or 126), as if the command had no GNU time around it.
  const cannotRun = withTime ? /^\/usr\/bin\/time: cannot run .*$/m.exec(result.stderr) : null;
  if (cannotRun !== null && (result.exitCode === 127 || result.exitCode === 126))
    throw new Error(`${command} could not be started: ${cannotRun[0]}`);
  const m = withTime ? REPORT.exec(result.stderr) : null;
  return {
    command: result.command,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: m === null ? result.stderr : result.stderr.slice(0, m.index),
    ms,
    ...(m === null ? {} : { maxRssBytes: Number(m[3]) * 1024, cpuMs: (Number(m[4]) + Number(m[5])) * 1000 }),
  };
}
