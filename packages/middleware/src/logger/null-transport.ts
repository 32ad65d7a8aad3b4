import winston from 'winston';

const TransportBase = (winston as unknown as { Transport: new (options?: winston.transport.TransportStreamOptions) => winston.transport }).Transport;

/**
 * Discards entries. Stands in when the console is off and CloudWatch is not configured, and after
 * the logger's shutdown: winston complains about a logger without transports (on stderr, once per
 * entry), and `silent` would also mute transports added later. `onEntry` sees each discarded entry.
 */
export class NullTransport extends TransportBase {
  readonly #onEntry: ((info: Record<string | symbol, unknown>) => void) | undefined;

  constructor(onEntry?: (info: Record<string | symbol, unknown>) => void) {
    super();
    this.#onEntry = onEntry;
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.#onEntry?.(info);
    next();
  }
}
