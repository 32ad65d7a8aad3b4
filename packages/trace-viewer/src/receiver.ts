// The UDP side: one socket bound like the X-Ray daemon's, handing every datagram to a callback.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  host: string;
  port: number;
  /** Kernel receive buffer: bursts of segments must queue while the event loop is busy. */
  recvBufferSize: number;
  onDatagram: (datagram: Buffer) => void;
  onError: (error: Error) => void;
}

/** A bound receiver. */
export interface Receiver {
  /** The port actually bound (useful after asking for port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Binds the socket and resolves once it listens. Binding errors (port in use, bad address)
 * reject; errors after that go to `onError` and never close the socket.
 */
export function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const socket: Socket = createSocket({
    type: isIP(options.host) === 6 ? 'udp6' : 'udp4',
    recvBufferSize: options.recvBufferSize,
  });
  return new Promise<Receiver>((resolve, reject) => {
    const onBindError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onBindError);
    socket.on('message', (datagram) => {
      try {
        options.onDatagram(datagram);
      } catch (error) {
        // Parsing never throws, but a subscriber might: the socket must keep reading.
        options.onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.bind(options.port, options.host, () => {
      socket.off('error', onBindError);
      socket.on('error', options.onError);
      let closed = false;
      resolve({
        port: socket.address().port,
        close: () =>
          new Promise<void>((done) => {
            if (closed) return done();
            closed = true;
            socket.close(() => done());
          }),
      });
    });
  });
}
