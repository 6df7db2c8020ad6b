// The values Istio's sidecar injector accepts for the annotations it validates
// (pkg/kube/inject/validate.go, AnnotationValidation). An invalid value makes the injector refuse
// the pod; istioctl's annotations.K8sAnalyzer reports it as IST0125 with the validator's error,
// whose wording (Go's strconv and netip errors included) is kept so messages read the same.

import yaml from 'js-yaml';

/** Why a value is invalid, or undefined when it is fine. */
type Validator = (value: string) => string | undefined;

// Go's %q for the plain-ASCII values annotations hold.
const q = (s: string): string => JSON.stringify(s);

// strconv.ParseUint(s, 10, bits): digits only, no sign, no spaces.
function parseUint(value: string, bits: number): string | undefined {
  if (!/^[0-9]+$/.test(value)) return `strconv.ParseUint: parsing ${q(value)}: invalid syntax`;
  if (BigInt(value) >= 2n ** BigInt(bits)) return `strconv.ParseUint: parsing ${q(value)}: value out of range`;
  return undefined;
}

function parsePort(port: string): string | undefined {
  const err = parseUint(port.trim(), 16);
  return err === undefined ? undefined : `failed parsing port '${port}': ${err}`;
}

// parsePorts wraps parsePort's error once more, so the port is named twice, as in Go.
function portList(parameter: string): Validator {
  return (ports) => {
    const trimmed = ports.trim();
    if (trimmed === '') return undefined;
    for (const p of trimmed.split(',')) {
      const err = parsePort(p);
      if (err !== undefined) return `${parameter} invalid: failed parsing port '${p}': ${err}`;
    }
    return undefined;
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

// netip.ParsePrefix: an address, '/', decimal bits within the family's length (no zone, no spaces).
function prefixError(cidr: string): string | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash === -1) return "no '/'";
  const addr = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const v4 = IPV4.test(addr);
  const v6 = !v4 && addr.includes(':') && !addr.includes('%') && isIPv6(addr);
  if (!v4 && !v6) return `ParseAddr(${q(addr)}): unable to parse IP`;
  const max = v4 ? 32 : 128;
  if (!/^(0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > max) return `bad bits after slash: ${q(bits)}`;
  return undefined;
}

function isIPv6(addr: string): boolean {
  try {
    return new URL(`http://[${addr}]/`).hostname !== '';
  } catch {
    return false;
  }
}

function cidrList(parameter: string, star: boolean): Validator {
  return (ranges) => {
    if (star && ranges === '*') return undefined;
    if (ranges === '') return undefined;
    for (const cidr of ranges.split(',')) {
      const err = prefixError(cidr);
      if (err !== undefined) return `${parameter} invalid: failed parsing cidr '${cidr}': netip.ParsePrefix(${q(cidr)}): ${err}`;
    }
    return undefined;
  };
}

const INTERFACE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;

function interfaceNames(value: string): string | undefined {
  if (value === '') return undefined;
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') return 'empty interface name';
    if (name.length > 15) return `interface name ${q(name)} too long (max 15 chars)`;
    if (!INTERFACE_NAME.test(name)) return `interface name ${q(name)} contains invalid characters`;
  }
  return undefined;
}

const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

// resource.ParseQuantity: a signed decimal number, then a binary (Ki…Ei), decimal (n…E) or exponent suffix.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

function quantity(value: string): string | undefined {
  // Go's unicode.IsControl: C0 and C1 control characters.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'value contains control characters';
  return QUANTITY.test(value) ? undefined : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
}

// Only the shape is checked: the value must be YAML for a ProxyConfig (a mapping). istiod's
// field-by-field ProxyConfig validation is not mirrored, so a mapping with bad fields passes here.
function proxyConfig(value: string): string | undefined {
  try {
    const doc: unknown = yaml.load(value);
    if (doc === undefined || doc === null || (typeof doc === 'object' && !Array.isArray(doc))) return undefined;
    return 'failed to convert to apply proxy config: the value is not a YAML mapping';
  } catch (err) {
    return `failed to convert to apply proxy config: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
}

const VALIDATORS: Readonly<Record<string, Validator>> = {
  'sidecar.istio.io/interceptionMode': (mode) =>
    ['REDIRECT', 'TPROXY', 'NONE'].includes(mode) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${mode}`,
  // The status port's error names excludeInboundPorts: the injector's own wording.
  'status.sidecar.istio.io/port': (port) => {
    const err = parsePort(port);
    return err === undefined ? undefined : `excludeInboundPorts invalid: ${err}`;
  },
  'readiness.status.sidecar.istio.io/initialDelaySeconds': (v) => parseUint(v, 32),
  'readiness.status.sidecar.istio.io/periodSeconds': (v) => parseUint(v, 32),
  'readiness.status.sidecar.istio.io/failureThreshold': (v) => parseUint(v, 32),
  'traffic.sidecar.istio.io/includeOutboundIPRanges': cidrList('includeIPRanges', true),
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrList('excludeIPRanges', false),
  'traffic.sidecar.istio.io/includeInboundPorts': (ports) => (ports === '*' ? undefined : portList('includeInboundPorts')(ports)),
  'traffic.sidecar.istio.io/excludeInboundPorts': portList('excludeInboundPorts'),
  'traffic.sidecar.istio.io/excludeOutboundPorts': portList('excludeOutboundPorts'),
  'traffic.sidecar.istio.io/excludeInterfaces': interfaceNames,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaceNames,
  'istio.io/reroute-virtual-interfaces': interfaceNames,
  'prometheus.istio.io/merge-metrics': (v) => (GO_BOOLS.has(v) ? undefined : `strconv.ParseBool: parsing ${q(v)}: invalid syntax`),
  'proxy.istio.io/config': proxyConfig,
  'sidecar.istio.io/proxyCPU': quantity,
  'sidecar.istio.io/proxyMemory': quantity,
  'sidecar.istio.io/proxyCPULimit': quantity,
  'sidecar.istio.io/proxyMemoryLimit': quantity,
};

/** The injector's complaint about an annotation's value; undefined when it is valid or not validated. */
export function annotationValueProblem(name: string, value: string): string | undefined {
  return Object.hasOwn(VALIDATORS, name) ? VALIDATORS[name]?.(value) : undefined;
}
