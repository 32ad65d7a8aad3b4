import { isIP } from 'node:net';

/** A host and port. */
export interface HostPort {
  /** A host name or an IPv4/IPv6 address. */
  host: string;
  /** 1 to 65535. */
  port: number;
}

/** Where the daemon listens: UDP for documents, TCP for the sampling proxy. */
export interface DaemonAddress {
  /** Where segment documents go. */
  udp: HostPort;
  /** The sampling-rules proxy (centralized sampling). */
  tcp: HostPort;
}

/** 127.0.0.1:2000 for both. */
export const DEFAULT_DAEMON_ADDRESS: DaemonAddress = Object.freeze({
  udp: Object.freeze({ host: '127.0.0.1', port: 2000 }),
  tcp: Object.freeze({ host: '127.0.0.1', port: 2000 }),
});

/** Thrown at start-up for an unusable `AWS_XRAY_DAEMON_ADDRESS`. */
export class DaemonAddressError extends Error {
  /** Always `'DaemonAddressError'`, to tell the error apart after serialisation. */
  override name = 'DaemonAddressError';
}

/**
 * Parses `host:port` or `tcp:host:port udp:host:port` (either order). Hosts may be names, IPv4 or
 * bracketed IPv6 literals (`[::1]:2000`). Throws {@link DaemonAddressError} naming the value.
 */
export function parseDaemonAddress(value: string, source = 'AWS_XRAY_DAEMON_ADDRESS'): DaemonAddress {
  const text = value.trim();
  const parts = text.split(/\s+/);
  if (parts.length === 1 && !/^(tcp|udp):/i.test(text)) {
    const hp = parseHostPort(text, source, value);
    return { udp: hp, tcp: hp };
  }
  let udp: HostPort | undefined;
  let tcp: HostPort | undefined;
  for (const part of parts) {
    const m = /^(tcp|udp):(.+)$/i.exec(part);
    if (!m) throw new DaemonAddressError(`${source}=${JSON.stringify(value)}: expected "host:port" or "tcp:host:port udp:host:port", got the part ${JSON.stringify(part)}`);
    const hp = parseHostPort(m[2] as string, source, value);
    if ((m[1] as string).toLowerCase() === 'udp') udp = hp;
    else tcp = hp;
  }
  if (!udp || !tcp) {
    throw new DaemonAddressError(`${source}=${JSON.stringify(value)}: the two-part form needs both "tcp:host:port" and "udp:host:port"`);
  }
  return { udp, tcp };
}

function parseHostPort(text: string, source: string, whole: string): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') throw bad(source, whole, 'a bracketed IPv6 address followed by ":port"');
    host = text.slice(1, end);
    portText = text.slice(end + 2);
    if (isIP(host) !== 6) throw bad(source, whole, `a valid IPv6 address inside the brackets, got ${JSON.stringify(host)}`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw bad(source, whole, '"host:port"');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw bad(source, whole, 'IPv6 addresses in brackets, e.g. [::1]:2000');
    if (!/^[A-Za-z0-9.-]+$/.test(host)) throw bad(source, whole, `a host name or IP address, got ${JSON.stringify(host)}`);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw bad(source, whole, `a port between 1 and 65535, got ${JSON.stringify(portText)}`);
  }
  return { host, port };
}

function bad(source: string, value: string, expected: string): DaemonAddressError {
  return new DaemonAddressError(`${source}=${JSON.stringify(value)}: expected ${expected}`);
}
