import { context, diag, trace, type ContextManager, type TracerProvider } from '@opentelemetry/api';
import { getDefaultTracer } from '../core/default-tracer.js';
import { processGlobal } from '../core/process-global.js';
import { BridgeContextManager } from './context-manager.js';
import { resolveConfig, type OtelBridgeOptions } from './options.js';
import { BridgeState } from './state.js';
import { BridgeTracerProvider } from './tracer.js';

/** A registered bridge. */
export interface OtelBridge {
  /** The global `TracerProvider` now answering `trace.getTracer()`. */
  readonly tracerProvider: TracerProvider;
  /** The global `ContextManager`, over the package's context store. */
  readonly contextManager: ContextManager;
  /** False when another provider or context manager was registered first (the bridge then does nothing). */
  readonly registered: boolean;
  /** Removes the global provider and context manager (for tests); later spans are no-ops. */
  unregister(): void;
}

// One bridge per process, whichever build registers it (process-global.ts): a CJS `require` of
// the subpath after an ESM `import` reconfigures the existing bridge instead of failing to register.
const slot = processGlobal<{ bridge: (OtelBridge & { state: BridgeState }) | undefined }>('otel-bridge.v1', () => ({ bridge: undefined }));

/**
 * Registers the package's tracer as the global OpenTelemetry `TracerProvider`, with a
 * `ContextManager` sharing the package's context, so spans that OpenTelemetry instrumentations
 * start become subsegments of the current request. Calling it again replaces the options of the
 * registered bridge. `import '@cruddur/middleware/otel'` calls it with no options.
 */
export function registerOtelBridge(options: OtelBridgeOptions = {}): OtelBridge {
  const config = resolveConfig(options);
  const existing = slot.bridge;
  if (existing !== undefined) {
    existing.state.config = config;
    return existing;
  }
  const state = new BridgeState(config);
  const tracerProvider = new BridgeTracerProvider(state);
  const contextManager = new BridgeContextManager(state);
  const contextOk = context.setGlobalContextManager(contextManager);
  const traceOk = trace.setGlobalTracerProvider(tracerProvider);
  const registered = contextOk && traceOk;
  if (!registered) {
    const message =
      'the OpenTelemetry bridge is not registered: another ' +
      (contextOk ? 'TracerProvider' : 'ContextManager') +
      ' (an OpenTelemetry SDK?) was registered first. Use one or the other, or register the bridge first.';
    (config.tracer ?? getDefaultTracer()).diagnostics.once('error', 'otel-bridge', message);
    diag.error(message);
    // Keep the process-wide state as it was: release what this call did register.
    if (contextOk) context.disable();
    if (traceOk) trace.disable();
  }
  const bridge = {
    state,
    tracerProvider,
    contextManager,
    registered,
    unregister(): void {
      if (slot.bridge !== bridge) return;
      slot.bridge = undefined;
      if (registered) {
        trace.disable();
        context.disable();
      }
    },
  };
  if (registered) slot.bridge = bridge;
  return bridge;
}
