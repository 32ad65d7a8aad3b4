import type { ClientRequest } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { Switch } from './subscriptions.js';

type RequestFunction = (...args: unknown[]) => ClientRequest;

/** The two functions of node:http / node:https that create client requests. */
interface RequestModule {
  request: RequestFunction;
  get: RequestFunction;
}

interface Installed {
  module: RequestModule;
  request: RequestFunction;
  get: RequestFunction;
  tracedRequest: RequestFunction;
  tracedGet: RequestFunction;
}

/**
 * For Node.js before 22.12, which has no channel published while a request's headers can still
 * change: wraps `request` and `get` of node:http and node:https (and updates ESM named imports of
 * them). There is no public hook to use instead; the wrappers do nothing but hand the new request
 * to `onCreated`, and are removed when switched off (or, when another library wrapped them in
 * turn, become pass-through).
 */
export function requestFunctionsSwitch(onCreated: (request: ClientRequest) => void): Switch {
  let installed: Installed[] = [];
  return {
    on() {
      installed = [wrap(http as unknown as RequestModule, onCreated), wrap(https as unknown as RequestModule, onCreated)];
      syncBuiltinESMExports();
    },
    off() {
      for (const item of installed) unwrap(item);
      installed = [];
      syncBuiltinESMExports();
    },
  };
}

const inert = new WeakSet<RequestFunction>();

function wrap(module: RequestModule, onCreated: (request: ClientRequest) => void): Installed {
  const request = module.request;
  const get = module.get;
  const tracedRequest: RequestFunction = function (this: unknown, ...args: unknown[]): ClientRequest {
    const req = Reflect.apply(request, this, args) as ClientRequest;
    if (!inert.has(tracedRequest)) onCreated(req);
    return req;
  };
  // Node's own get() calls its internal request(), which the wrapper would not see, then end(),
  // after which no header can be added: do the same through the wrapper.
  const tracedGet: RequestFunction = function (this: unknown, ...args: unknown[]): ClientRequest {
    if (inert.has(tracedGet)) return Reflect.apply(get, this, args) as ClientRequest;
    const req = Reflect.apply(tracedRequest, this, args) as ClientRequest;
    req.end();
    return req;
  };
  module.request = tracedRequest;
  module.get = tracedGet;
  return { module, request, get, tracedRequest, tracedGet };
}

function unwrap({ module, request, get, tracedRequest, tracedGet }: Installed): void {
  inert.add(tracedRequest);
  inert.add(tracedGet);
  if (module.request === tracedRequest) module.request = request;
  if (module.get === tracedGet) module.get = get;
}
