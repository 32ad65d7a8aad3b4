import { nodeHttpSubscriptions } from './node-http.js';
import { addRegistration, removeRegistration } from './registry.js';
import type { HttpInstrumentation, HttpInstrumentationOptions } from './types.js';
import type { Switch } from './subscriptions.js';
import { undiciSubscriptions } from './undici.js';

// The channel subscriptions of this copy of the package; used unless another copy's came first.
const tracing: Switch = {
  on() {
    undiciSubscriptions.on();
    nodeHttpSubscriptions.on();
  },
  off() {
    undiciSubscriptions.off();
    nodeHttpSubscriptions.off();
  },
};

/**
 * Records outgoing HTTP calls made inside traced requests — the global `fetch` (and the undici
 * package) and node:http / node:https — as `remote` subsegments, and sends
 * `X-Amzn-Trace-Id: Root=…;Parent=<subsegment id>;Sampled=1|0` with each. Outside a request nothing
 * is recorded or sent; a trace header the caller set is kept; unsampled requests send `Sampled=0`
 * and record nothing.
 *
 * Installing more than once records each call once; the instrumentation stays until every
 * returned handle was uninstalled.
 */
export function instrumentHttp(options: HttpInstrumentationOptions = {}): HttpInstrumentation {
  // A copy: the caller's object may change later, and each call is its own registration.
  const registration: HttpInstrumentationOptions = { tracer: options.tracer, ignore: options.ignore };
  addRegistration(registration, tracing);
  let installed = true;
  return {
    uninstall() {
      if (!installed) return;
      installed = false;
      removeRegistration(registration);
    },
  };
}
