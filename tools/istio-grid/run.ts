// `npx tsx tools/istio-grid/run.ts [--analyzer NAME] [--strict] [--json]`: how many of istioctl's
// analyzer test cases Meshbook's checks agree with, per analyzer, then why each other case does not.
// Exit 0 when it ran (whatever the agreement), 2 on bad arguments or when istio's source is absent.

import { parseArgs } from 'node:util';
import { locateIstio } from './locate-istio.ts';
import { renderGrid, runGrid, tabulate } from './run-grid.ts';

const { values } = parseArgs({
  options: { analyzer: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help === true) {
  process.stdout.write('usage: npx tsx tools/istio-grid/run.ts [--analyzer <Metadata name or pkg.Type>] [--strict] [--json]\n');
  process.exit(0);
}
const where = locateIstio();
if ('missing' in where) {
  process.stderr.write(`istio-grid: ${where.missing}\n`);
  process.exit(2);
}
const results = await runGrid(where.dir, {
  ...(values.analyzer === undefined ? {} : { analyzer: values.analyzer }),
  strict: values.strict === true,
});
if (results.length === 0) {
  process.stderr.write(`istio-grid: no case of analyzer ${JSON.stringify(values.analyzer)} in the grid\n`);
  process.exit(2);
}
if (values.json === true) process.stdout.write(`${JSON.stringify({ istio: where, ...tabulate(results), cases: results }, null, 2)}\n`);
else process.stdout.write(renderGrid(results, where.dir));
