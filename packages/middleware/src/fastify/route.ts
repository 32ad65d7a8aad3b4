import type { FastifyRequest } from 'fastify';

/** What the plugin needs to know about the route a request matched. */
export interface RouteInfo {
  /** The route template (`/activities/:id`); undefined for the 404 handler. */
  url: string | undefined;
  /** The route opted out with `config: { xray: false }`. */
  optedOut: boolean;
}

// Fastify 4 before `routeOptions` carried `url` and `config` exposed them under these names.
interface LegacyRequest {
  routeOptions?: { url?: string; config?: { xray?: boolean } };
  routerPath?: string;
  routeConfig?: { xray?: boolean };
}

/**
 * Reads the route's template and opt-out flag. `routeOptions` is a getter that builds a new
 * object on every read, so it is read once per request.
 */
export function routeInfo(request: FastifyRequest): RouteInfo {
  const legacy = request as unknown as LegacyRequest;
  const options = legacy.routeOptions;
  if (options !== undefined && 'url' in options) {
    return { url: options.url, optedOut: options.config?.xray === false };
  }
  return { url: legacy.routerPath, optedOut: legacy.routeConfig?.xray === false };
}
