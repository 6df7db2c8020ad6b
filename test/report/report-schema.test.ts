import { describe, expect, it } from 'vitest';
import { checkResultSchema, findingSchema, runReportSchema } from '../../src/engine/result-schema.ts';
import { reportJsonSchema } from '../../src/report/report-schema.ts';
import { toJsonReport } from '../../src/report/format-json.ts';
import { mixedReport } from '../cli/helpers/sample-report.ts';

const check = reportJsonSchema.shape.checks.element;
const finding = check.shape.findings.element;
const dropped = (engine: object, contract: object): string[] => Object.keys(engine).filter((k) => !(k in contract));

describe('the JSON contract as a projection of the engine result', () => {
  it('drops only the engine-only fields, and keeps the engine order of the rest', () => {
    expect(dropped(runReportSchema.shape, reportJsonSchema.shape)).toEqual(['gatherMs']);
    expect(dropped(checkResultSchema.shape, check.shape)).toEqual([]);
    expect(dropped(findingSchema.shape, finding.shape)).toEqual(['params', 'fixCode', 'codeDocs']);
    expect(Object.keys(finding.shape)).toEqual(
      Object.keys(findingSchema.shape).filter((k) => !['params', 'fixCode', 'codeDocs'].includes(k)),
    );
    expect(Object.keys(check.shape)).toEqual(Object.keys(checkResultSchema.shape));
  });

  it('accepts what the renderer makes, and refuses a key the contract does not name at any depth', () => {
    const doc = toJsonReport(mixedReport());
    expect(reportJsonSchema.safeParse(doc).success).toBe(true);
    const withParams = structuredClone(doc) as unknown as { checks: { findings: Record<string, unknown>[] }[] };
    withParams.checks[3]!.findings[0]!.params = { ref: 'x' };
    expect(reportJsonSchema.safeParse(withParams).success).toBe(false);
    expect(reportJsonSchema.safeParse({ ...doc, gatherMs: 5 }).success).toBe(false);
  });

  it('leaves the engine-only fields out of the rendered object', () => {
    const doc = toJsonReport(mixedReport());
    expect('gatherMs' in doc).toBe(false);
    for (const f of doc.checks.flatMap((c) => c.findings))
      expect(['params' in f, 'codeDocs' in f, 'fixCode' in f]).toEqual([false, false, false]);
  });
});
