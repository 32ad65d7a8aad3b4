import type { ContextMissingStrategy } from './context-missing.js';
import type { DiagnosticLevel, DiagnosticLogger } from './diagnostics.js';
import type { JsonValue } from './document.js';
import type { Emitter, EntityEmitter } from './emit/emitter.js';
import type { MessageScrubber } from './exception.js';
import type { LocalSamplingRules } from './sampling/local-rules.js';
import type { Sampler } from './sampling/sampler.js';
import type { PropagatorName } from '../propagation/config.js';

/**
 * Options of {@link createTracer}. Each has an environment variable; an explicit option wins over
 * the variable, except `name`, which `AWS_XRAY_TRACING_NAME` overrides (as in every X-Ray SDK).
 */
export interface TracerOptions {
  /** Default segment name for the framework integrations. Env: `AWS_XRAY_TRACING_NAME` (wins over the option), `OTEL_SERVICE_NAME` (used when no option names the service). */
  name?: string;
  /**
   * Where traces go: one emitter or several (e.g. the daemon and an `OtlpTraceExporter`, to feed
   * X-Ray and Honeycomb at once). Default: from `OTEL_TRACES_EXPORTER` (`otlp`, `xray`, `console`,
   * `none`, comma-separated), else `CRUDDUR_XRAY_EMITTER` = `udp` | `console` | `none`, else UDP to the daemon.
   */
  emitter?: Emitter | EntityEmitter | ReadonlyArray<Emitter | EntityEmitter>;
  /** `host:port` or `tcp:host:port udp:host:port`. Env: `AWS_XRAY_DAEMON_ADDRESS`. Default `127.0.0.1:2000`. */
  daemonAddress?: string;
  /** A sampler of your own (e.g. centralized rules). Takes precedence over `samplingRules`. */
  sampler?: Sampler;
  /** Local rules: a file path or a rules object. Env: `CRUDDUR_XRAY_SAMPLING_RULES` (a path). Default: 1/s then 5 %. */
  samplingRules?: string | LocalSamplingRules;
  /**
   * Poll the sampling rules defined in X-Ray through the daemon's TCP proxy; `samplingRules` then
   * decide only until rules arrive, when the proxy has been gone for an hour, or when no rule
   * matches. Ignored when `sampler` is given. Env: `CRUDDUR_XRAY_CENTRALIZED_SAMPLING` = `true` |
   * `false`. Default: on, except in AWS Lambda and when documents do not go to a daemon (an
   * `emitter` option, or `CRUDDUR_XRAY_EMITTER` = `console` | `none`).
   */
  centralizedSampling?: boolean;
  /** Behaviour outside a request. Env: `AWS_XRAY_CONTEXT_MISSING`. Default `LOG_ERROR`. */
  contextMissing?: ContextMissingStrategy;
  /** Receives the tracer's own diagnostics. Default: the console. */
  logger?: DiagnosticLogger;
  /** Env: `AWS_XRAY_LOG_LEVEL` (`AWS_XRAY_DEBUG_MODE` forces `debug`). Default `warn`. */
  logLevel?: DiagnosticLevel;
  /** Attached subsegments beyond which finished ones stream out early. Default 100. */
  streamingThreshold?: number;
  /** Largest datagram, header included: 1,024 to 65,507 (the largest UDP payload; more throws). Default 64,000 bytes. */
  maxDatagramBytes?: number;
  /**
   * `service.version` of every segment. Default: `npm_package_version` (set by `npm start`), else
   * the `version` of the app's package.json, the nearest one above the entry script
   * (`process.argv[1]`), read once when the tracer is created. `service.runtime` and
   * `service.runtime_version` are always recorded.
   */
  serviceVersion?: string;
  /** Cleans exception messages before they are recorded. Default: the package's scrubbing policy (connection-string passwords, tokens). */
  scrubMessage?: MessageScrubber;
  /** Turns tracing off entirely (ids still propagate). Env: `AWS_XRAY_SDK_ENABLED=false`. */
  enabled?: boolean;
  /**
   * Trace-context formats read from incoming requests and written on outgoing calls: `xray`
   * (`X-Amzn-Trace-Id`) and `tracecontext` (W3C `traceparent` + `tracestate`). The order is the
   * precedence when both headers carry a parent of different traces; `[]` propagates nothing.
   * Another name throws. Env: `OTEL_PROPAGATORS` (comma list; `none` = nothing; names this package
   * does not speak, e.g. `baggage` or `b3`, are ignored with a warning). Default
   * `['xray', 'tracecontext']`. See README-propagation.md.
   */
  propagators?: ReadonlyArray<PropagatorName>;
}

/** Fields every new sampled segment starts with (plugins and the logger add to them). */
export interface SegmentDefaults {
  /** Merged into each segment's `aws` block (e.g. `ec2`, `ecs`, `cloudwatch_logs`). */
  aws?: Record<string, JsonValue>;
  /** The segment's `origin`, e.g. `AWS::ECS::Container`. */
  origin?: string;
}
