// Span attributes → the segment's `http` block, after the OpenTelemetry collector's X-Ray exporter
// (translator/http.go): current semantic conventions and the older `http.*`/`net.*` ones alike.
import { isIP } from 'node:net';
import { attrInt, attrString } from './otlp-attributes.js';
import { SpanKind, type OtlpAttributes, type OtlpSpan } from './otlp-model.js';
import type { JsonObject } from './types.js';

/** Attributes whose presence makes a span an HTTP span. */
const HTTP_KEYS = [
  'http.method',
  'http.request.method',
  'http.client_ip',
  'http.user_agent',
  'user_agent.original',
  'http.status_code',
  'http.response.status_code',
  'http.url',
  'url.full',
  'http.scheme',
  'url.scheme',
  'http.host',
  'http.target',
  'http.server_name',
  'net.host.port',
  'url.path',
  'url.query',
];

/** Attributes that only help to build the URL or the client address. */
const URL_KEYS = [
  'host.name',
  'net.host.name',
  'net.peer.name',
  'net.peer.port',
  'net.peer.ip',
  'network.peer.address',
  'client.address',
  'server.address',
  'server.port',
];

/** Response sizes: the exporter reads only message events; the HTTP conventions name it directly. */
const CONTENT_LENGTH_KEYS = ['http.response.body.size', 'http.response_content_length'];

function first(attributes: OtlpAttributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attrString(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

function withoutDefaultPort(scheme: string, port: string | undefined): string {
  if (port === undefined || port === '') return '';
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) return '';
  return `:${port}`;
}

function pathAndQuery(attributes: OtlpAttributes): string {
  const target = attrString(attributes, 'http.target');
  if (target !== undefined) return target;
  const path = attrString(attributes, 'url.path') ?? '/';
  const query = attrString(attributes, 'url.query');
  return query === undefined ? path : `${path}${query.startsWith('?') ? '' : '?'}${query}`;
}

/** The URL a server received or a client called, assembled like the exporter when no full URL is given. */
function buildUrl(kind: number, attributes: OtlpAttributes): string | undefined {
  const full = first(attributes, 'http.url', 'url.full');
  if (full !== undefined) return full;
  const scheme = first(attributes, 'http.scheme', 'url.scheme') ?? 'http';
  let host: string | undefined;
  let port: string | undefined;
  if (kind === SpanKind.SERVER) {
    host = first(attributes, 'http.host', 'http.server_name', 'net.host.name', 'host.name', 'server.address');
    port = attributes.has('http.host') ? undefined : first(attributes, 'net.host.port', 'server.port');
  } else {
    host = first(attributes, 'http.host', 'net.peer.name', 'net.peer.ip', 'server.address');
    port = attributes.has('http.host') ? undefined : first(attributes, 'net.peer.port', 'server.port', 'network.peer.port');
  }
  return `${scheme}://${host ?? ''}${withoutDefaultPort(scheme, port)}${pathAndQuery(attributes)}`;
}

function hasUrlParts(attributes: OtlpAttributes): boolean {
  return ['http.url', 'url.full', 'http.host', 'http.server_name', 'host.name', 'net.host.name', 'server.address'].some((key) =>
    attributes.has(key),
  ) || peerIp(attributes) !== undefined;
}

function peerIp(attributes: OtlpAttributes): string | undefined {
  const legacy = attrString(attributes, 'net.peer.ip');
  if (legacy !== undefined) return legacy;
  const address = attrString(attributes, 'network.peer.address');
  return address !== undefined && isIP(address) !== 0 ? address : undefined;
}

/**
 * Builds the `http` block and removes the attributes it used from `attributes`, so they do not
 * show up again as metadata. Returns undefined for a span without HTTP attributes.
 */
export function takeHttp(span: OtlpSpan, attributes: OtlpAttributes): JsonObject | undefined {
  if (!HTTP_KEYS.some((key) => attributes.has(key))) return undefined;
  const request: JsonObject = {};
  const response: JsonObject = {};

  const method = first(attributes, 'http.request.method', 'http.method');
  if (method !== undefined) request['method'] = method;
  const url = hasUrlParts(attributes) ? buildUrl(span.kind, attributes) : undefined;
  if (url !== undefined) request['url'] = url;
  const userAgent = first(attributes, 'user_agent.original', 'http.user_agent');
  if (userAgent !== undefined) request['user_agent'] = userAgent;

  // client.address only when it is an IP (it may be a host name); the forwarded address wins over the peer's.
  const clientAddress = attrString(attributes, 'client.address');
  const forwarded = clientAddress !== undefined && isIP(clientAddress) !== 0 ? clientAddress : attrString(attributes, 'http.client_ip');
  const peer = peerIp(attributes);
  const clientIp = forwarded ?? peer;
  if (clientIp !== undefined) request['client_ip'] = clientIp;
  // A client address that did not come from the socket's peer came from X-Forwarded-For.
  if (clientIp !== undefined && peer === undefined) request['x_forwarded_for'] = true;

  const status = attrInt(attributes, 'http.response.status_code') ?? attrInt(attributes, 'http.status_code');
  if (status !== undefined) response['status'] = status;
  const contentLength = CONTENT_LENGTH_KEYS.map((key) => attrInt(attributes, key)).find((value) => value !== undefined) ?? messageSize(span);
  if (contentLength !== undefined) response['content_length'] = contentLength;

  for (const key of [...HTTP_KEYS, ...URL_KEYS, ...CONTENT_LENGTH_KEYS]) attributes.delete(key);
  const http: JsonObject = {};
  if (Object.keys(request).length > 0) http['request'] = request;
  if (Object.keys(response).length > 0) http['response'] = response;
  return http;
}

/** The exporter's other source of a response size: a `message` event of type RECEIVED. */
function messageSize(span: OtlpSpan): number | undefined {
  for (const source of [span.attributes, ...span.events.map((event) => event.attributes)]) {
    if (attrString(source, 'message.type') !== 'RECEIVED') continue;
    const size = attrInt(source, 'messaging.message_payload_size_bytes') ?? attrInt(source, 'messaging.message.body.size');
    if (size !== undefined && size !== 0) return size;
  }
  return undefined;
}
