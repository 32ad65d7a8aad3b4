/** Where an outgoing request goes, the same for fetch and node:http. */
export interface OutgoingTarget {
  /** `http:` or `https:`. */
  protocol: string;
  /** Host name or IP address, without brackets. */
  hostname: string;
  /** Host name and port as a URL writes them (no default port; IPv6 in brackets). */
  host: string;
  /** The port the connection goes to. */
  port: number;
}

const MAX_CACHED_ORIGINS = 256;
// A service calls the same few origins over and over: parse each once instead of once per call.
const origins = new Map<string, OutgoingTarget | null>();

/** Parses an origin (`http://host:port`), from a small cache; undefined when it is not a URL. */
export function targetFromOrigin(origin: string): OutgoingTarget | undefined {
  let target = origins.get(origin);
  if (target === undefined) {
    target = parseOrigin(origin);
    if (origins.size >= MAX_CACHED_ORIGINS) origins.clear();
    origins.set(origin, target);
  }
  return target ?? undefined;
}

function parseOrigin(origin: string): OutgoingTarget | null {
  try {
    const url = new URL(origin);
    const port = url.port ? Number(url.port) : defaultPort(url.protocol);
    return { protocol: url.protocol, hostname: unbracket(url.hostname), host: url.host, port };
  } catch {
    return null;
  }
}

/**
 * The target of a node:http request, from its protocol, connect host and `Host` header (which
 * carries the port when it is not the default one).
 */
export function targetFromHostHeader(protocol: string, hostname: string, hostHeader: string | undefined): OutgoingTarget {
  const host = hostHeader && hostHeader.length > 0 ? hostHeader : hostname.includes(':') ? `[${hostname}]` : hostname;
  const colon = host.lastIndexOf(':');
  const port = colon > host.lastIndexOf(']') ? Number(host.slice(colon + 1)) : defaultPort(protocol);
  return { protocol, hostname: unbracket(hostname), host, port: Number.isFinite(port) ? port : defaultPort(protocol) };
}

/** `scheme://host[:port]/path` without query string or fragment: queries carry secrets. */
export function recordedUrl(target: OutgoingTarget, path: string): string {
  let end = path.length;
  const q = path.indexOf('?');
  if (q >= 0) end = q;
  const h = path.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const clean = end === path.length ? path : path.slice(0, end);
  // Through an HTTP proxy the path is already an absolute URL.
  return clean.startsWith('/') ? `${target.protocol}//${target.host}${clean}` : clean;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
