import winston from 'winston';

const TransportBase = (winston as unknown as { Transport: new (options?: winston.transport.TransportStreamOptions) => winston.transport }).Transport;

/**
 * Discards entries. Stands in when the console is off and CloudWatch is not configured: winston
 * complains about a logger without transports, and `silent` would also mute transports added later.
 */
export class NullTransport extends TransportBase {
  override log(_info: unknown, next: () => void): void {
    next();
  }
}
