import type { Tracer } from '../core/tracer.js';

/** Options of {@link instrumentHttp}. */
export interface HttpInstrumentationOptions {
  /**
   * Record only calls made while a request of this tracer is current. By default every traced
   * request counts, whichever tracer made its segment.
   */
  tracer?: Tracer;
  /**
   * Leaves a call alone (no subsegment, no header) when this returns true. It receives the full
   * URL, query included, and runs only for calls made inside a traced request. A function that
   * throws counts as "not ignored".
   */
  ignore?: (url: URL) => boolean;
}

/** What {@link instrumentHttp} returns. */
export interface HttpInstrumentation {
  /**
   * Removes this installation. Channels are unsubscribed (and, on Node.js before 22.12, the
   * request functions restored) once every installation has been removed. Calling it again does
   * nothing.
   */
  uninstall(): void;
}
