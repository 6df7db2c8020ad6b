// Validates a SARIF log against the OASIS SARIF 2.1.0 JSON schema (the copy Microsoft's
// @microsoft/jest-sarif ships; a draft-04 schema, hence ajv-draft-04), formats included: a
// helpUri must be an absolute URI, an artifact location a URI reference.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

// RFC 3986: an absolute URI has a scheme; a reference has no spaces or other characters that need escaping.
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
const URI_REFERENCE = /^[^\s<>"{}|\\^`]*$/;

function makeValidator() {
  // The schema has a pattern (language tags) that is invalid as a Unicode regular expression.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', ABSOLUTE_URI);
  ajv.addFormat('uri-reference', URI_REFERENCE);
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s));
  const schema: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  return ajv.compile(schema as object);
}

let validate: ReturnType<typeof makeValidator> | undefined;

/** Parses `text` and asserts it is a valid SARIF 2.1.0 log; returns it parsed. */
export function assertSarif(text: string): SarifDoc {
  validate ??= makeValidator();
  const doc: unknown = JSON.parse(text);
  const ok = validate(doc);
  expect(ok ? [] : validate.errors, 'valid against the SARIF 2.1.0 schema').toEqual([]);
  return doc as SarifDoc;
}

/** The parts of a SARIF log the tests read. */
export interface SarifDoc {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        informationUri?: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string };
          helpUri?: string;
          defaultConfiguration: { level: string };
        }[];
      };
    };
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { level: string; message: { text: string } }[] }[];
    results: {
      ruleId: string;
      ruleIndex?: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
        logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
      }[];
    }[];
  }[];
}
