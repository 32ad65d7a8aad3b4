import { OtlpTraceExporter } from '../../export/otlp/otlp-exporter.js';
import { Diagnostics } from '../diagnostics.js';
import { envReader, oneOf, type Env } from '../env.js';
import { ConsoleEmitter } from './console-emitter.js';
import type { DaemonAddress } from './daemon-address.js';
import type { Emitter, EntityEmitter } from './emitter.js';
import { UdpEmitter } from './udp-emitter.js';

/** The names `OTEL_TRACES_EXPORTER` accepts here: OTel's own, plus `xray` for the X-Ray daemon. */
const KNOWN = ['otlp', 'xray', 'console', 'none'] as const;

/** Where documents go: the X-Ray daemon over UDP, an OTLP receiver, or standard output. */
export type EnvironmentEmitter = 'xray' | 'otlp' | 'console';

/**
 * The emitters the environment asks for. `OTEL_TRACES_EXPORTER` (a comma list: `otlp`, `xray` —
 * the daemon over UDP —, `console`, `none`) wins when set; otherwise `CRUDDUR_XRAY_EMITTER`
 * (`udp`, `console`, `none`); otherwise the X-Ray daemon alone. Unlike OTel SDKs, which default
 * to `otlp`, the default stays the daemon: setting nothing keeps what existing services do.
 * `OTEL_*` values that cannot be used are warned about and the default applies (OpenTelemetry's
 * rule); a bad `CRUDDUR_XRAY_EMITTER` stops start-up.
 * @throws ConfigError for a `CRUDDUR_XRAY_EMITTER` other than udp, console or none.
 */
export function emittersFromEnv(env: Env, address: DaemonAddress, diagnostics: Diagnostics): Array<Emitter | EntityEmitter> {
  return environmentEmitters(env, (message) => diagnostics.warn(message)).map((kind) =>
    kind === 'otlp' ? new OtlpTraceExporter({}, { diagnostics, env }) : kind === 'console' ? new ConsoleEmitter() : new UdpEmitter(address.udp, diagnostics),
  );
}

/**
 * What {@link emittersFromEnv} builds, by kind, without building it (the tracer's default for
 * centralized sampling depends on whether documents go to a daemon).
 */
export function environmentEmitters(env: Env, warn: (message: string) => void): EnvironmentEmitter[] {
  const names = tracesExporterNames(env, warn);
  if (names !== undefined) return names.filter((name): name is EnvironmentEmitter => name !== 'none');
  const kind = envReader(env).choice('CRUDDUR_XRAY_EMITTER', ['udp', 'console', 'none'] as const) ?? 'udp';
  return kind === 'none' ? [] : [kind === 'udp' ? 'xray' : kind];
}

/**
 * The names in `OTEL_TRACES_EXPORTER`, lower-cased and each once; undefined when it is unset,
 * empty, or names nothing usable. Names this package does not provide are ignored with a warning,
 * and `none` beside other names makes the whole list unusable (a warning, then the default), as
 * OpenTelemetry asks of invalid values. `warn` defaults to the console.
 */
export function tracesExporterNames(env: Env, warn: (message: string) => void = (message) => new Diagnostics().warn(message)): string[] | undefined {
  const raw = envReader(env).list('OTEL_TRACES_EXPORTER');
  if (raw === undefined) return undefined;
  const names = [...new Set(raw.map((name) => name.toLowerCase()))];
  const unknown = names.filter((name) => !(KNOWN as readonly string[]).includes(name));
  const shown = JSON.stringify(env.OTEL_TRACES_EXPORTER);
  if (unknown.length > 0) {
    warn(`OTEL_TRACES_EXPORTER is ${shown}: ignoring ${unknown.map((name) => JSON.stringify(name)).join(', ')} (expected a comma list of ${oneOf(KNOWN)}; xray = the X-Ray daemon over UDP)`);
  }
  const known = names.filter((name) => !unknown.includes(name));
  if (known.includes('none') && known.length > 1) {
    warn(`OTEL_TRACES_EXPORTER is ${shown}: "none" cannot be combined with other exporters; using the default`);
    return undefined;
  }
  return known.length > 0 ? known : undefined;
}
