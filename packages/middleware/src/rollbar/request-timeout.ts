import type { ClientRequest } from 'node:http';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** Where rollbar sends items when no endpoint is configured. */
const DEFAULT_ENDPOINT = 'https://api.rollbar.com/api/1/item/';

/**
 * rollbar's Node transport sets no timeout on its requests: an endpoint that accepts the
 * connection and never answers would hold a socket and a pending report for the life of the
 * process, and once `maxPending` reports hang every later one is dropped. This bounds each of its
 * requests to the item endpoint: after `timeoutMs` without an answer the request is destroyed,
 * rollbar's callback receives the error, and the report counts as failed (retries are off).
 * Requests are recognised by protocol, `Host` and path as they start (`http.client.request.start`).
 * @returns the function that stops it.
 */
export function boundRollbarRequests(endpoint: string | undefined, timeoutMs: number): () => void {
  const target = new URL(endpoint ?? DEFAULT_ENDPOINT);
  const onStart = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    if (!request || request.protocol !== target.protocol || request.getHeader('host') !== target.host || !request.path.startsWith(target.pathname)) return;
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer from Rollbar within ${timeoutMs} ms`)));
  };
  subscribe('http.client.request.start', onStart);
  return () => void unsubscribe('http.client.request.start', onStart);
}
