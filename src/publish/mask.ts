// Masks secret-looking values before results are recorded or published. A recorded result
// goes into the repository and onto a static host, so anything that looks like credential
// material is replaced: by what its key says (password, token, tls.key …) or by what the
// value looks like (PEM blocks, JWTs, bearer tokens, long opaque strings). Names of secrets
// (`credentialName`, `secretName`) and file paths stay: they are what the reader needs.

/** What a masked value is replaced with. */
export const MASK = '[masked]';

// Key words that name secret material. Matched against the last segment of a field path.
const SECRET_KEY =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?key|credential|bearer|authorization|cookie|session|kubeconfig|(^|[._-])key$|^(crt|pem|p12|pfx|jks)$|\.crt$|\.pem$|cert(ificate)?s?(-data|[-_]?data)?$|^ca$|signing)/i;

// Suffixes that make a secret-sounding key a reference to a secret, not the secret itself.
const REFERENCE_KEY = /(name|names|ref|path|paths|file|files|mode|count|type|namespace|ttl|expir(y|es|ation)|age|kind|present|exists|selector)$/i;

// Values that are secret material whatever their key says.
const SECRET_VALUE: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*-----[\s\S]*?(-----END [A-Z0-9 ]*-----|$)/g, // PEM blocks (certificates, keys)
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWTs (service-account tokens)
  /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}/g, // HTTP bearer credentials
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /(?<=:\/\/[^\s/:@]+:)[^\s/@]+(?=@)/g, // the password in scheme://user:password@host
  // Long opaque strings: base64 (upper, lower and digits mixed) or bare hex keys. DNS names
  // (pod names are long too) are lower-case; image digests keep their `sha256:` prefix.
  /(?<![A-Za-z0-9+/=_:-])(?=[A-Za-z0-9+/=_-]*\d)(?=[A-Za-z0-9+/=_-]*[a-z])(?=[A-Za-z0-9+/=_-]*[A-Z])[A-Za-z0-9+/=_-]{32,}(?![A-Za-z0-9+/=_-])/g,
  /(?<![A-Za-z0-9+/=_:-])[0-9a-f]{40,}(?![A-Za-z0-9+/=_-])/g,
];

/** True when a field path names secret material (`data.password`, `tls.key`), not a reference to it (`credentialName`). */
export function isSecretKey(key: string): boolean {
  const last = key.split(/[.[\]/]/).filter((part) => part !== '').at(-1) ?? key;
  if (REFERENCE_KEY.test(last)) return false;
  return SECRET_KEY.test(last);
}

/** True when a value looks like credential material on its own. */
export function looksSecret(value: string): boolean {
  return SECRET_VALUE.some((pattern) => {
    pattern.lastIndex = 0;
    return pattern.test(value);
  });
}

/** Free text with every secret-looking span replaced by the mask; the rest of the sentence stays. */
export function maskText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUE) out = out.replace(pattern, MASK);
  return out;
}

/** Evidence with secret values masked: whole values under secret keys, secret-looking spans elsewhere. */
export function maskEvidence(evidence: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(evidence)) {
    // An empty or placeholder value under a secret key says "missing", which is worth showing.
    const trivial = value === '' || /^\(.*\)$/.test(value);
    out[key] = isSecretKey(key) && !trivial ? MASK : maskText(value);
  }
  return out;
}
