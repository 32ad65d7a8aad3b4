import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type winston from 'winston';
import { REQUEST_END_CHANNEL, type RequestEndEvent } from '../core/incoming.js';

/** The fields of an access-log entry. */
export interface AccessLogEntry {
  log_type: 'access';
  method: string;
  route: string | undefined;
  path: string;
  status: number;
  duration_ms: number;
  content_length: number | undefined;
  user_agent: string | undefined;
  client_ip: string | undefined;
  trace_id: string;
  segment_id: string;
  sampled: boolean;
  aborted?: true;
}

/** Maps a finished request to its access-log entry. */
export function accessLogEntry(event: RequestEndEvent): AccessLogEntry {
  const entry: AccessLogEntry = {
    log_type: 'access',
    method: event.method,
    route: event.route,
    path: event.path,
    status: event.status,
    duration_ms: event.durationMs,
    content_length: event.contentLength,
    user_agent: event.userAgent,
    client_ip: event.clientIp,
    // From the event, not the async context: the end of a response may run outside the request's.
    trace_id: event.segment.traceId,
    segment_id: event.segment.id,
    sampled: event.segment.isSampled,
  };
  if (event.aborted) entry.aborted = true;
  return entry;
}

/**
 * Writes one `info` entry per request the Express or Fastify integration finishes (they publish
 * on {@link REQUEST_END_CHANNEL}). Returns the function that stops it.
 */
export function subscribeAccessLog(logger: winston.Logger): () => void {
  const onEnd = (message: unknown): void => {
    try {
      const event = message as RequestEndEvent;
      const entry = accessLogEntry(event);
      logger.log({ level: 'info', message: `${event.method} ${event.path} ${event.status} ${event.durationMs} ms`, ...entry });
    } catch {
      // the access log must never break the response that just finished
    }
  };
  subscribe(REQUEST_END_CHANNEL, onEnd);
  return () => {
    unsubscribe(REQUEST_END_CHANNEL, onEnd);
  };
}
