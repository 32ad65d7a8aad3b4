import { callEndObserved, observeCall, publishSubsegmentCall } from '../core/call-end.js';
import { currentEntity, runWithEntity } from '../core/context.js';
import type { AwsDocument } from '../core/document.js';
import type { Entity } from '../core/entity.js';
import { Subsegment } from '../core/subsegment.js';
import { traceHeaderFor } from '../core/tracer.js';
import { TRACE_HEADER } from '../core/trace-header.js';
import { propagatorsOf } from '../propagation/propagator.js';
import { recordFailure, recordSuccess } from './outcome.js';
import { inputFields, outputFields } from './service-fields.js';
import type { AwsBuildMiddleware, AwsClient, AwsHandlerContext, AwsInstrumentationOptions } from './types.js';

interface ClientConfig {
  region?: unknown;
  serviceId?: unknown;
}

/**
 * The build-step middleware. The build step runs once per operation, after serialisation and
 * before the retry middleware (finalizeRequest step): one subsegment spans every attempt, and the
 * header set here on the HttpRequest goes out with each of them, like the official SDK's.
 *
 * Only `X-Amzn-Trace-Id` is sent (when the tracer's propagators include `xray`), never
 * `traceparent`/`tracestate`: AWS services read only the X-Ray header, and the build step runs
 * before SigV4 signing, so a `traceparent` added here would be signed, whereas the signer
 * deliberately leaves `X-Amzn-Trace-Id` unsigned so that load balancers and X-Ray can rewrite it
 * in transit. A proxy or service mesh that updates `traceparent` on the way (as W3C intermediaries
 * are expected to) would then break the signature: `SignatureDoesNotMatch` for no tracing gain.
 */
export function xrayMiddleware(client: AwsClient, options: AwsInstrumentationOptions): AwsBuildMiddleware {
  const config = client.config as ClientConfig;
  const tracer = options.tracer;
  return (next, context) => async (args) => {
    const entity = currentEntity();
    if (!entity || (tracer !== undefined && entity.segment.host !== tracer)) return next(args);
    const headers = propagatorsOf(entity).includes('xray') ? headersOf(args.request) : undefined;
    if (!entity.sampled) {
      // Nothing is recorded, but the service (and what it calls) must learn the decision.
      if (headers) setTraceHeader(headers, traceHeaderFor(entity));
      // Metrics count every call, sampled or not: time this one only when someone listens.
      if (callEndObserved()) return observeCall(entity, serviceName(context, config), context.commandName?.replace(/Command$/, '') || undefined, () => next(args));
      return next(args);
    }
    const service = serviceName(context, config);
    const operation = context.commandName?.replace(/Command$/, '') || undefined;
    const subsegment = new Subsegment(service, entity, 'aws');
    const aws: AwsDocument = {};
    if (headers) setTraceHeader(headers, traceHeaderFor(subsegment));
    const region = resolveRegion(config.region);
    try {
      // Current while the SDK works, so its own HTTP call (already carrying our header) and any
      // credential or endpoint lookups are not recorded again by the HTTP instrumentation.
      const result = await runWithEntity(subsegment, () => next(args));
      guard(subsegment, () => {
        recordSuccess(subsegment, aws, result.output, result.response);
        Object.assign(aws, outputFields(service, result.output));
      });
      return result;
    } catch (err) {
      guard(subsegment, () => recordFailure(subsegment, aws, err));
      throw err;
    } finally {
      const regionName = await region;
      guard(subsegment, () => {
        // Assembled at the end so the block reads in the documented order.
        subsegment.aws = {
          ...(operation !== undefined ? { operation } : {}),
          ...(regionName !== undefined ? { region: regionName } : {}),
          ...aws,
          ...inputFields(service, operation, args.input),
        };
      });
      subsegment.close();
      publishSubsegmentCall(subsegment);
    }
  };
}

function serviceName(context: AwsHandlerContext, config: ClientConfig): string {
  const fromClient = context.clientName?.replace(/Client$/, '');
  if (fromClient) return fromClient;
  return typeof config.serviceId === 'string' && config.serviceId ? config.serviceId : 'AWS';
}

async function resolveRegion(region: unknown): Promise<string | undefined> {
  try {
    // A provider function in every v3 client (memoised by the SDK); a plain string in hand-made configs.
    const value: unknown = typeof region === 'function' ? await (region as () => unknown)() : region;
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    return undefined;
  }
}

function headersOf(request: unknown): Record<string, string> | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const headers = (request as { headers?: unknown }).headers;
  return headers !== null && typeof headers === 'object' ? (headers as Record<string, string>) : undefined;
}

function setTraceHeader(headers: Record<string, string>, value: string): void {
  // One header whatever the case it was set in before (a retry of a cloned request, a user's middleware).
  for (const name of Object.keys(headers)) {
    if (name !== TRACE_HEADER && name.toLowerCase() === 'x-amzn-trace-id') delete headers[name];
  }
  headers[TRACE_HEADER] = value;
}

// Recording must never change what the SDK call returns or throws.
function guard(entity: Entity, record: () => void): void {
  try {
    record();
  } catch (err) {
    entity.segment.host.diagnostics.once('error', 'aws-instrumentation', `AWS SDK instrumentation failed: ${String(err)}`);
  }
}
