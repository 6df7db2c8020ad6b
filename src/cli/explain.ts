// `meshbook explain --from NS/POD --to NS/SERVICE:PORT`: reads what the network model needs
// (pods, namespaces, NetworkPolicies, Services) from a snapshot or a live cluster, and prints
// the verdict chain. Exit 0 allowed, 1 blocked (or partly), 2 a name that does not exist.

import { InputError } from '../engine/source.ts';
import { EXPLAIN_KINDS, explainInput, explainQuery, type ExplainInput, type ExplainReport } from '../reachability/explain-query.ts';
import type { ExplainCommand } from './args.ts';
import { renderExplainText } from '../reachability/explain-text.ts';
import { pickSource } from './pick-source.ts';

export interface ExplainIo {
  env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  color: boolean;
}

/** Runs the explain command; returns the exit code. Unknown names throw InputError (exit 2) naming what exists nearby. */
export async function explainCommand(
  command: ExplainCommand,
  io: ExplainIo,
  signal: AbortSignal,
  until: <T>(work: Promise<T>) => Promise<T>,
): Promise<number> {
  const picked = pickSource(command.source, io.env);
  let report: ExplainReport;
  try {
    await until(picked.preflight());
    const snapshot = await until(picked.source.gather(EXPLAIN_KINDS, { signal }));
    let input: ExplainInput;
    try {
      input = explainInput(snapshot);
    } catch (cause) {
      throw new InputError((cause as Error).message, { cause });
    }
    const answer = explainQuery(input, { from: command.from, to: command.to });
    if (!answer.ok) throw new InputError(`${answer.message}${answer.nearby.length === 0 ? '' : ` Nearby: ${answer.nearby.join(', ')}.`}`);
    report = answer.report;
  } finally {
    picked.close();
  }
  io.out(command.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderExplainText(report, { color: io.color }));
  return report.verdict === 'allowed' ? 0 : 1;
}
