// Step 9: the OpenTelemetry JS SDK set-up of a service that does not use @cruddur/middleware.
// step9-notifications.ts imports it before anything else, the way `node --import` would load it.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

// Spans leave over OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, in batches
// at most a second old (the default is 5 s: a workshop trace would show up in two goes).
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'cruddur-notifications' }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 1000 })],
});
trace.setGlobalTracerProvider(provider);
// The active span follows async code, so spans started in a request nest under it.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// W3C Trace Context: read `traceparent` from requests, write it on calls.
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
// A server span for every request, a client span for every call. It patches node:http when a
// module requires it, which is why this file is imported before express.
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

// Send the last batch before the process exits.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void provider.shutdown().finally(() => process.exit(0));
  });
}

export const tracer = trace.getTracer('cruddur-notifications');
