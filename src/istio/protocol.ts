// How Istio decides the protocol of a Kubernetes Service port, the way istiod and
// `istioctl analyze` do it (kube.ConvertProtocol in pkg/config/kube/conversion.go and
// protocol.Parse in pkg/config/protocol/instance.go). A port whose protocol comes out
// Unsupported gets protocol sniffing instead of explicit L7 handling.

/** Istio's protocol names, spelled as Istio prints them. */
export type IstioProtocol =
  | 'GRPC'
  | 'GRPC-Web'
  | 'HTTP'
  | 'HTTP_PROXY'
  | 'HTTP2'
  | 'HTTPS'
  | 'TCP'
  | 'TLS'
  | 'UDP'
  | 'Mongo'
  | 'Redis'
  | 'MySQL'
  | 'UnsupportedProtocol';

export const UNSUPPORTED: IstioProtocol = 'UnsupportedProtocol';

// The names protocol.Parse accepts, lower-cased. (Its "DoubleHBONE" case can never match a
// lower-cased input, so it is left out here too.)
const BY_NAME: ReadonlyMap<string, IstioProtocol> = new Map([
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['grpc', 'GRPC'],
  ['grpc-web', 'GRPC-Web'],
  ['http', 'HTTP'],
  ['http_proxy', 'HTTP_PROXY'],
  ['http2', 'HTTP2'],
  ['https', 'HTTPS'],
  ['tls', 'TLS'],
  ['mongo', 'Mongo'],
  ['redis', 'Redis'],
  ['mysql', 'MySQL'],
]);

// Kubernetes' standard appProtocol values; Istio honours them only as appProtocol, never as a port name.
const KUBERNETES_APP_PROTOCOLS: ReadonlyMap<string, IstioProtocol> = new Map([
  ['kubernetes.io/h2c', 'HTTP2'],
  ['kubernetes.io/ws', 'HTTP'],
  ['kubernetes.io/wss', 'HTTPS'],
]);

/** Ports where an unrecognised name still means TCP (SMTP, DNS, MySQL, MongoDB): sniffing would break them. */
export const WELL_KNOWN_TCP_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/** Istio's protocol for a name, case-insensitively, or Unsupported (protocol.Parse). */
export function parseProtocol(name: string): IstioProtocol {
  return BY_NAME.get(name.toLowerCase()) ?? UNSUPPORTED;
}

/** How a protocol was decided, for evidence: from which field, and the text looked at. */
export interface ProtocolDecision {
  protocol: IstioProtocol;
  /** 'protocol' (UDP), 'appProtocol', 'name', or 'well-known port'. */
  from: 'protocol' | 'appProtocol' | 'name' | 'well-known port';
  /** The prefix (or whole value) that was looked up. */
  looked: string;
}

/**
 * The protocol Istio gives a Service port (kube.ConvertProtocol): UDP wins; then appProtocol,
 * when present (even if empty), replaces the name; a `grpc-web` prefix is GRPC-Web; otherwise the
 * text before the first `-` is parsed; an unknown result on a well-known port is TCP.
 */
export function decideProtocol(
  port: number,
  name: string | undefined,
  protocol: string | undefined,
  appProtocol: string | undefined,
): ProtocolDecision {
  if (protocol === 'UDP') return { protocol: 'UDP', from: 'protocol', looked: protocol };
  let text = name ?? '';
  let from: ProtocolDecision['from'] = 'name';
  if (appProtocol !== undefined) {
    text = appProtocol;
    from = 'appProtocol';
    const standard = KUBERNETES_APP_PROTOCOLS.get(text);
    if (standard !== undefined) return { protocol: standard, from, looked: text };
  }
  if (text.length >= 'grpc-web'.length && text.slice(0, 'grpc-web'.length).toLowerCase() === 'grpc-web') {
    return { protocol: 'GRPC-Web', from, looked: text.slice(0, 'grpc-web'.length) };
  }
  const dash = text.indexOf('-');
  const prefix = dash >= 0 ? text.slice(0, dash) : text;
  const parsed = parseProtocol(prefix);
  if (parsed === UNSUPPORTED && WELL_KNOWN_TCP_PORTS.has(port)) return { protocol: 'TCP', from: 'well-known port', looked: prefix };
  return { protocol: parsed, from, looked: prefix };
}

/** Just the protocol of {@link decideProtocol}. */
export function convertProtocol(
  port: number,
  name: string | undefined,
  protocol: string | undefined,
  appProtocol: string | undefined,
): IstioProtocol {
  return decideProtocol(port, name, protocol, appProtocol).protocol;
}
