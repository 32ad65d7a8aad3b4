// Span status, HTTP status and exception events → `error`/`fault`/`throttle` and `cause`, after the
// collector's X-Ray exporter (translator/cause.go).
import { randomBytes } from 'node:crypto';
import { attrInt, attrString } from './otlp-attributes.js';
import { SpanKind, StatusCode, type OtlpAttributes, type OtlpSpan } from './otlp-model.js';
import type { JsonObject, JsonValue } from './types.js';

/** What {@link makeCause} decides. */
export interface CauseResult {
  error: boolean;
  fault: boolean;
  throttle: boolean;
  cause: JsonObject | undefined;
}

/** The languages whose stack traces have V8's `    at label (path:line:column)` form. */
const V8_LANGUAGES = new Set(['nodejs', 'javascript', 'webjs']);
/** AWS SDK instrumentations record each failed HTTP attempt as an event with this name. */
const AWS_HTTP_FAILURE_EVENT = 'HTTP request failure';
/** A stack is cut here: X-Ray shows frames, not whole dumps. */
const MAX_FRAMES = 100;

function exceptionId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Parses V8 frames (`    at fn (file:line:col)`, `    at file:line:col`, `    at async fn (…)`).
 * The first line (`Type: message`) is skipped. Paths keep their `file://` scheme and colons; the
 * line is the second-to-last `:number`.
 */
export function parseV8Stack(stacktrace: string): JsonObject[] {
  const frames: JsonObject[] = [];
  const lines = stacktrace.split(/\r?\n/);
  for (const line of lines.slice(1)) {
    if (frames.length >= MAX_FRAMES) break;
    const match = /^\s+at (.*)$/.exec(line);
    if (!match) continue;
    const rest = match[1]!.trim();
    let label = '';
    let location = rest;
    const paren = rest.lastIndexOf(' (');
    if (rest.endsWith(')') && paren >= 0) {
      label = rest.slice(0, paren);
      location = rest.slice(paren + 2, -1);
    }
    const position = /^(.*):(\d+):(\d+)$/.exec(location);
    const frame: JsonObject = {};
    if (position) {
      frame['path'] = position[1]!;
      frame['line'] = Number(position[2]);
    } else {
      frame['path'] = location.includes('native') ? 'native' : location;
    }
    if (label !== '') frame['label'] = label;
    frames.push(frame);
  }
  return frames;
}

function isAwsSdkSpan(span: OtlpSpan): boolean {
  return attrString(span.attributes, 'rpc.system') === 'aws-api';
}

function exceptionsOf(span: OtlpSpan, resource: OtlpAttributes): JsonObject[] {
  const language = attrString(resource, 'telemetry.sdk.language');
  const remote = span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER;
  const awsSdk = isAwsSdkSpan(span);
  const exceptions: JsonObject[] = [];
  for (const event of span.events) {
    if (event.name === 'exception') {
      const exception: JsonObject = { id: exceptionId() };
      const type = attrString(event.attributes, 'exception.type');
      const message = attrString(event.attributes, 'exception.message');
      if (type) exception['type'] = type;
      if (message) exception['message'] = message;
      exception['remote'] = remote;
      const stacktrace = attrString(event.attributes, 'exception.stacktrace');
      // The collector parses only when the SDK names its language; the OTel JS SDK's default
      // resource does, but a resource built by hand often does not, and V8 frames are unmistakable.
      if (stacktrace && (V8_LANGUAGES.has(language ?? '') || (language === undefined && /\n\s+at /.test(stacktrace)))) {
        const stack = parseV8Stack(stacktrace);
        if (stack.length > 0) exception['stack'] = stack;
      }
      exceptions.push(exception);
    } else if (awsSdk && event.name === AWS_HTTP_FAILURE_EVENT) {
      const code = attrString(event.attributes, 'http.response.status_code');
      const message = attrString(event.attributes, 'aws.http.error_message');
      if (code === undefined || message === undefined) continue;
      const seconds = (Number(event.timeUnixNano / 1000n) / 1e6).toFixed(6);
      exceptions.push({ id: exceptionId(), type: 'aws.http.error.event', remote: true, message: `${code}@${seconds}@${message}` });
    }
  }
  return exceptions;
}

/**
 * Decides the flags and the cause. Exception events become `cause.exceptions`; without them an
 * ERROR status with a message (or `http.status_text`, which is then consumed) becomes a single
 * exception. The HTTP status code wins over the span status: 4xx → error (429 also throttle),
 * 5xx → fault; without one, an ERROR status → fault.
 */
export function makeCause(span: OtlpSpan, attributes: OtlpAttributes, resource: OtlpAttributes): CauseResult {
  const hasExceptionEvents = span.events.some(
    (event) => event.name === 'exception' || (isAwsSdkSpan(span) && event.name === AWS_HTTP_FAILURE_EVENT),
  );
  let cause: JsonObject | undefined;
  if (hasExceptionEvents) {
    const exceptions = exceptionsOf(span, resource);
    if (exceptions.length > 0) cause = { exceptions };
  } else if (span.status.code === StatusCode.ERROR) {
    let message = span.status.message;
    const statusText = attrString(attributes, 'http.status_text');
    attributes.delete('http.status_text');
    if (message === '' && statusText !== undefined) message = statusText;
    if (message !== '') cause = { exceptions: [{ id: exceptionId(), message } satisfies JsonObject] as JsonValue[] };
  }

  const code = attrInt(span.attributes, 'http.status_code') ?? attrInt(span.attributes, 'http.response.status_code');
  const result: CauseResult = { error: false, fault: false, throttle: false, cause };
  if (code === undefined || code < 400 || code > 599) {
    result.fault = span.status.code === StatusCode.ERROR;
  } else if (code <= 499) {
    result.error = true;
    result.throttle = code === 429;
  } else {
    result.fault = true;
  }
  return result;
}
