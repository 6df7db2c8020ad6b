// Validates a gateway TLS credential the way istiod's credential reader and istioctl's
// gateway.SecretAnalyzer do (pilot/pkg/credentials/kube ExtractCertInfo, then
// xds.ValidateCertificate): the Secret needs non-empty `cert`+`key` or else `tls.crt`+`tls.key`;
// the first PEM block of that certificate must parse as X.509 and be valid now
// (a DER sequence of several certificates in one block, which Go also checks, is not). Like istioctl, the private key itself is not parsed and `ca.crt` is not required
// (a MUTUAL server may take its CA from a separate `<name>-cacert` Secret).
// What it returns is safe to show: key names, subject, issuer and dates, never a value.

import { X509Certificate } from 'node:crypto';

/** Why a credential is invalid, with evidence that holds no key material. */
export interface CredentialProblem {
  problem: string;
  evidence: Record<string, string>;
}

const PAIRS = [
  ['cert', 'key'],
  ['tls.crt', 'tls.key'],
] as const;

/** The problem istioctl would find with a Secret's `data` (base64 values), or undefined when it is usable. */
export function credentialProblem(data: Readonly<Record<string, string>>, now: Date = new Date()): CredentialProblem | undefined {
  const names = Object.keys(data).sort();
  const keysPresent = names.length === 0 ? '(none)' : names.join(', ');
  const bytes = (k: string): Buffer | undefined => (Object.hasOwn(data, k) ? Buffer.from(data[k]!, 'base64') : undefined);
  const hasValue = (...ks: string[]): boolean => ks.every((k) => (bytes(k)?.length ?? 0) > 0);
  const pair = PAIRS.find(([c, k]) => hasValue(c, k));
  if (pair === undefined) {
    const empty = PAIRS.find(([c, k]) => Object.hasOwn(data, c) && Object.hasOwn(data, k));
    const problem =
      empty !== undefined
        ? `found keys "${empty[0]}" and "${empty[1]}", but they were empty`
        : `found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: ${truncatedKeys(names)}`;
    return { problem, evidence: { 'keys present': keysPresent, problem } };
  }
  const certKey = pair[0];
  const der = firstPemBlock(bytes(certKey)!);
  if (der === undefined) {
    const problem = `${certKey} is not PEM (pem decode failed)`;
    return { problem, evidence: { 'keys present': keysPresent, problem } };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    // The parser's message is not shown: it could quote bytes of the input.
    const problem = `${certKey} does not hold a parsable X.509 certificate`;
    return { problem, evidence: { 'keys present': keysPresent, problem } };
  }
  const from = cert.validFromDate;
  const to = cert.validToDate;
  if (now > to || now < from) {
    const problem =
      now > to
        ? `the certificate in ${certKey} expired on ${to.toISOString()}`
        : `the certificate in ${certKey} is not valid before ${from.toISOString()}`;
    return {
      problem,
      evidence: {
        'keys present': keysPresent,
        problem,
        subject: oneLine(cert.subject),
        issuer: oneLine(cert.issuer),
        'not before': from.toISOString(),
        'not after': to.toISOString(),
      },
    };
  }
  return undefined;
}

// Go's pem.Decode: the first PEM block, whatever its type, skipping text before it.
function firstPemBlock(text: Buffer): Buffer | undefined {
  const m = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text.toString('latin1'));
  if (m === null) return undefined;
  const body = m[2]!
    .split(/\r?\n/)
    .filter((l) => !l.includes(':'))
    .join('');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(body)) return undefined;
  const der = Buffer.from(body, 'base64');
  return der.length === 0 ? undefined : der;
}

// istiod's truncatedKeysMessage: the first three key names, then a count.
function truncatedKeys(names: readonly string[]): string {
  return names.length < 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, and ${names.length - 3} more...`;
}

// X509Certificate joins RDNs with newlines.
function oneLine(dn: string): string {
  return dn
    .split('\n')
    .filter((p) => p !== '')
    .join(', ');
}
