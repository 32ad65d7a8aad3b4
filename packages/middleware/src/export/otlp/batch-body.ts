import { constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Entity } from '../../core/entity.js';
import { VERSION } from '../../core/version.js';
import { encodeTraceRequestJson } from './encode-json.js';
import { writeTraceRequestProtobuf } from './encode-protobuf.js';
import type { OtlpProtocol } from './options.js';
import { ProtobufWriter } from './protobuf-writer.js';
import type { ResourceBuilder } from './resource.js';
import { entityToSpan } from './segment-to-span.js';
import type { OtlpAttribute, OtlpResourceSpans, OtlpSpan } from './span-model.js';

const SCOPE = { name: '@cruddur/middleware', version: VERSION };

// gzip, measured on batches of 512 Fastify server spans (bench/src/micro/otlp-encoding.bench.ts): level 1
// (deflate's fast path) brings OTLP protobuf to ~9 % of its size at a fraction of level 6's CPU;
// other strategies, window and memory levels changed the instruction count by ±2 % (callgrind).
// One synchronous call costs about a third of the CPU of zlib's asynchronous API, which hands the
// input to the libuv threadpool in 16 KiB chunks, each a round trip between threads
// (process.cpuUsage counts both). The event loop is held for one batch's compression: a fraction
// of a millisecond for 512 spans, less than their encoding.
const GZIP_OPTIONS = { level: zlibConstants.Z_BEST_SPEED } as const;

/**
 * Turns a batch of closed segments and subsegments into the body of one OTLP/HTTP request: spans
 * grouped by resource, encoded (protobuf or JSON), gzipped when asked. One per exporter: the
 * protobuf output buffer is reused from batch to batch and compressed in place, so a batch costs
 * no output copy and no buffer growth once warm.
 */
export class BatchBodyEncoder {
  readonly #resources: ResourceBuilder;
  readonly #protocol: OtlpProtocol;
  readonly #gzip: boolean;
  readonly #writer = new ProtobufWriter();

  constructor(resources: ResourceBuilder, protocol: OtlpProtocol, gzip: boolean) {
    this.#resources = resources;
    this.#protocol = protocol;
    this.#gzip = gzip;
  }

  /**
   * The request body for `batch` (a new buffer the caller owns).
   * @param now - epoch seconds, the end time of entities still open (exported in progress).
   * @throws only for a bug (an entity the mapping cannot read); the exporter counts the batch as failed.
   */
  encode(batch: readonly Entity[], now = Date.now() / 1000): Uint8Array {
    const request = this.group(batch, now);
    if (this.#protocol === 'http/json') {
      const text = Buffer.from(encodeTraceRequestJson(request));
      return this.#gzip ? gzipSync(text, GZIP_OPTIONS) : text;
    }
    const w = this.#writer;
    w.reset();
    writeTraceRequestProtobuf(w, request);
    // gzip reads the writer's buffer in place; without it the bytes are copied out, since the
    // writer is reused for the next batch while this one may still be retried.
    const body = this.#gzip ? gzipSync(w.buf.subarray(0, w.pos), GZIP_OPTIONS) : w.finish();
    w.reset();
    return body;
  }

  /** Spans grouped by resource (segments of one service share one resource array). */
  group(batch: readonly Entity[], now: number): OtlpResourceSpans[] {
    const first = batch[0];
    if (first === undefined) return [];
    // Usually one service: one resource for the whole batch, no map.
    let resource = this.#resources.attributesFor(first.segment);
    let spans: OtlpSpan[] = [];
    let groups: Map<readonly OtlpAttribute[], OtlpSpan[]> | undefined;
    for (let i = 0; i < batch.length; i++) {
      const entity = batch[i] as Entity;
      const own = this.#resources.attributesFor(entity.segment);
      if (own !== resource) {
        groups ??= new Map([[resource, spans]]);
        resource = own;
        spans = groups.get(own) ?? [];
        if (spans.length === 0) groups.set(own, spans);
      }
      spans.push(entityToSpan(entity, now));
    }
    if (groups === undefined) return [{ resource, scope: SCOPE, spans }];
    return Array.from(groups, ([r, s]) => ({ resource: r, scope: SCOPE, spans: s }));
  }
}
