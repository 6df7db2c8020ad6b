// Checks a JUnit document the way CI report readers read it: <testsuites> of <testsuite>s
// of <testcase>s, each testcase at most one of failure/error/skipped, and every count and
// time attribute equal to what the elements say.

import { expect } from 'vitest';
import { elements, parseXml, type XmlElement } from './xml.ts';

export interface JunitCase {
  suite: string;
  name: string;
  classname: string;
  outcome: 'passed' | 'failure' | 'error' | 'skipped';
  element: XmlElement;
}

const COUNTS = ['tests', 'failures', 'errors', 'skipped'] as const;

/** Parses `xml`, asserts its structure and counts, and returns the testcases. */
export function readJunit(xml: string): { root: XmlElement; suites: XmlElement[]; cases: JunitCase[] } {
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  expect(elements(root).every((e) => e.name === 'testsuite')).toBe(true);
  const suites = elements(root, 'testsuite');
  const cases: JunitCase[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const suite of suites) {
    const own = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    expect(elements(suite).every((e) => e.name === 'testcase' || e.name === 'properties')).toBe(true);
    for (const tc of elements(suite, 'testcase')) {
      const outcomes = elements(tc).filter((e) => e.name === 'failure' || e.name === 'error' || e.name === 'skipped');
      expect(outcomes.length).toBeLessThanOrEqual(1);
      const outcome = (outcomes[0]?.name ?? 'passed') as JunitCase['outcome'];
      own.tests++;
      if (outcome === 'failure') own.failures++;
      if (outcome === 'error') own.errors++;
      if (outcome === 'skipped') own.skipped++;
      expect(tc.attributes.time).toMatch(/^\d+\.\d{3}$/);
      cases.push({ suite: suite.attributes.name!, name: tc.attributes.name!, classname: tc.attributes.classname!, outcome, element: tc });
    }
    for (const key of COUNTS) {
      expect(suite.attributes[key], `${key} of testsuite ${suite.attributes.name}`).toBe(String(own[key]));
      totals[key] += own[key];
    }
    expect(suite.attributes.time).toMatch(/^\d+\.\d{3}$/);
    totals.time += Number(suite.attributes.time);
  }
  for (const key of COUNTS) expect(root.attributes[key], `${key} of testsuites`).toBe(String(totals[key]));
  expect(Number(root.attributes.time)).toBeCloseTo(totals.time, 3);
  return { root, suites, cases };
}
