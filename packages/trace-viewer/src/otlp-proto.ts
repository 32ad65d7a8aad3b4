// The official OTLP protobuf definitions, as generated code shipped by
// @opentelemetry/otlp-transformer. Loaded on first use so a viewer that never receives protobuf
// never pays for it, and through createRequire because the generated module is CommonJS.
import { createRequire } from 'node:module';

/** The few static methods of a protobufjs generated message type the viewer uses. */
export interface ProtoMessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(value: object): object;
  toObject(message: object, options: ProtoConversionOptions): unknown;
}

/** protobufjs' `IConversionOptions`, as far as used here. */
export interface ProtoConversionOptions {
  longs?: StringConstructor | NumberConstructor;
  enums?: StringConstructor | NumberConstructor;
  bytes?: StringConstructor | ArrayConstructor;
  defaults?: boolean;
}

/** The trace service messages of `opentelemetry.proto.collector.trace.v1`. */
export interface TraceServiceTypes {
  ExportTraceServiceRequest: ProtoMessageType;
  ExportTraceServiceResponse: ProtoMessageType;
}

const GENERATED_ROOT = '@opentelemetry/otlp-transformer/build/src/generated/root.js';

let cached: TraceServiceTypes | undefined;

function isMessageType(value: unknown): value is ProtoMessageType {
  const candidate = value as Partial<Record<keyof ProtoMessageType, unknown>> | undefined;
  return typeof candidate?.decode === 'function' && typeof candidate.encode === 'function' && typeof candidate.toObject === 'function';
}

/** The generated request and response types; throws if the dependency is missing or changed shape. */
export function traceServiceTypes(): TraceServiceTypes {
  if (cached) return cached;
  const root = createRequire(import.meta.url)(GENERATED_ROOT) as {
    opentelemetry?: { proto?: { collector?: { trace?: { v1?: Record<string, unknown> } } } };
  };
  const v1 = root.opentelemetry?.proto?.collector?.trace?.v1;
  const request = v1?.['ExportTraceServiceRequest'];
  const response = v1?.['ExportTraceServiceResponse'];
  if (!isMessageType(request) || !isMessageType(response)) {
    throw new Error(`${GENERATED_ROOT} does not export opentelemetry.proto.collector.trace.v1 as expected`);
  }
  cached = { ExportTraceServiceRequest: request, ExportTraceServiceResponse: response };
  return cached;
}
