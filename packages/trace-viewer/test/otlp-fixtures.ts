// OpenTelemetry SDK senders and raw OTLP/HTTP requests for the OTLP receiver tests.
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

/** Which OTLP exporter sends, and how spans are handed to it. */
export interface SenderOptions {
  url: string;
  protocol: 'protobuf' | 'json';
  gzip?: boolean;
  /** One export per span (simple) or one per flush (batch). */
  batch?: boolean;
  resource?: Record<string, string | number | boolean | string[]>;
}

/** A tracer provider exporting to the viewer; `flush()` waits until the viewer answered. */
export function sdkSender(options: SenderOptions): TracerProvider {
  const config: ExporterConfig = { url: options.url, compression: (options.gzip ? 'gzip' : 'none') as ExporterConfig['compression'] };
  const exporter = options.protocol === 'protobuf' ? new ProtoExporter(config) : new HttpJsonExporter(config);
  const processor = options.batch
    ? new BatchSpanProcessor({ exporter, scheduledDelayMillis: 60_000, maxExportBatchSize: 512 })
    : new SimpleSpanProcessor({ exporter });
  return new TracerProvider({
    resource: resourceFromAttributes(options.resource ?? { 'service.name': 'otel-service' }),
    spanProcessors: [processor],
  });
}

/** A raw POST, answering with the status, content type and body bytes. */
export async function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; body: Buffer }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: Buffer.from(await response.arrayBuffer()) };
}

/** POSTs an OTLP/JSON object, optionally gzip'd. */
export function postJson(url: string, value: unknown, gzip = false): ReturnType<typeof post> {
  const text = JSON.stringify(value);
  return gzip
    ? post(url, gzipSync(text), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    : post(url, text, { 'content-type': 'application/json' });
}

interface MessageType {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  fromObject(value: object): object;
  toObject(message: object, options: object): unknown;
}

const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } } } } };
};
const v1 = generated.opentelemetry.proto.collector.trace.v1;

/** Encodes a request given as protobufjs plain objects (ids as Buffers). */
export function encodeRequest(value: object): Uint8Array {
  return v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject(value)).finish();
}

/** Decodes a protobuf `ExportTraceServiceResponse` body into plain objects. */
export function decodeResponse(body: Uint8Array): unknown {
  return v1.ExportTraceServiceResponse.toObject(v1.ExportTraceServiceResponse.decode(body), { longs: Number });
}

/** Decodes a `google.rpc.Status { code = 1; message = 2 }` body (two fields, read by hand). */
export function decodeStatus(body: Buffer): { code: number; message: string } {
  let offset = 0;
  let code = 0;
  let message = '';
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = body[offset++]!;
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (offset < body.length) {
    const tag = varint();
    if (tag === 0x08) code = varint();
    else if (tag === 0x12) {
      const length = varint();
      message = body.toString('utf8', offset, offset + length);
      offset += length;
    } else throw new Error(`unexpected tag ${tag}`);
  }
  return { code, message };
}

/** One OTLP/JSON span with valid hex ids, times around now. */
export function jsonSpan(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: '5759e988bd862e3fe1be46a994272793',
    spanId: '53995c3f42cd8ad8',
    name: 'GET /',
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
    ...fields,
  };
}

/** An OTLP/JSON request holding `spans` under one resource. */
export function jsonRequest(spans: unknown[], resource: Record<string, string> = { 'service.name': 'json-service' }): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}
