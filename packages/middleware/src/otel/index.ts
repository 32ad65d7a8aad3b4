// `@cruddur/middleware/otel`: the OpenTelemetry API bridge (README-otel-bridge.md). Importing
// the subpath registers the bridge with the default tracer (resolved lazily, so no socket opens
// here); `registerOtelBridge(options)` reconfigures it.
import { registerOtelBridge } from './register.js';

export { registerOtelBridge, type OtelBridge } from './register.js';
export { DEFAULT_DEFERRED_INSTRUMENTATIONS, type OtelBridgeOptions } from './options.js';

registerOtelBridge();
