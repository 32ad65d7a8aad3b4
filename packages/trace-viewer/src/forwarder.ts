// Relay to a real daemon or collector, so the local view can sit in front of the real pipeline.
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A UDP destination. */
export interface HostPort {
  host: string;
  port: number;
}

/** What the relay did. */
export interface ForwarderStats {
  target: string;
  sent: number;
  errors: number;
  /** Datagrams not sent because too many were still queued in the socket. */
  dropped: number;
}

/** A running relay. */
export interface Forwarder {
  /** Sends the datagram unchanged; never throws, never waits. */
  send(datagram: Buffer): void;
  stats(): ForwarderStats;
  close(): Promise<void>;
}

/** Sends queued in libuv beyond this are dropped rather than letting memory grow. */
const MAX_IN_FLIGHT = 1024;

/**
 * Parses `host:port` (`[v6]:port` for IPv6 literals). Throws a RangeError naming the value
 * when it is not one.
 */
export function parseHostPort(text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new RangeError(`expected host:port (e.g. 127.0.0.1:2000), got ${JSON.stringify(text)}`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

/**
 * Resolves the target once (a host name is looked up at start, not per datagram) and opens an
 * unbound UDP socket to it. Rejects when the host does not resolve.
 */
export async function startForwarder(target: HostPort): Promise<Forwarder> {
  const address = isIP(target.host) ? target.host : (await lookup(target.host)).address;
  const socket: Socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  const stats: ForwarderStats = {
    target: `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`,
    sent: 0,
    errors: 0,
    dropped: 0,
  };
  let inFlight = 0;
  let closed = false;
  // Asynchronous send errors (ICMP port unreachable, EMSGSIZE) arrive here or in the callback.
  socket.on('error', () => {
    stats.errors++;
  });
  return {
    send(datagram) {
      if (closed) return;
      if (inFlight >= MAX_IN_FLIGHT) {
        stats.dropped++;
        return;
      }
      inFlight++;
      try {
        socket.send(datagram, target.port, address, (error) => {
          inFlight--;
          if (error) stats.errors++;
          else stats.sent++;
        });
      } catch {
        inFlight--;
        stats.errors++;
      }
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      }),
  };
}
