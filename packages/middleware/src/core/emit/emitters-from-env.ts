import { OtlpTraceExporter } from '../../export/otlp/otlp-exporter.js';
import { OtlpConfigError } from '../../export/otlp/options.js';
import type { Diagnostics } from '../diagnostics.js';
import { ConsoleEmitter } from './console-emitter.js';
import type { DaemonAddress } from './daemon-address.js';
import type { Emitter, EntityEmitter } from './emitter.js';
import { UdpEmitter } from './udp-emitter.js';

/** The names `OTEL_TRACES_EXPORTER` accepts here: OTel's own, plus `xray` for the X-Ray daemon. */
const KNOWN = ['otlp', 'xray', 'console', 'none'] as const;

/**
 * The emitters the environment asks for. `OTEL_TRACES_EXPORTER` (a comma list: `otlp`, `xray` —
 * the daemon over UDP —, `console`, `none`) wins when set; otherwise `CRUDDUR_XRAY_EMITTER`
 * (`udp`, `console`, `none`); otherwise the X-Ray daemon alone. Unlike OTel SDKs, which default
 * to `otlp`, the default stays the daemon: setting nothing keeps what existing services do.
 * @throws OtlpConfigError for a name this package does not provide, and for bad `OTEL_EXPORTER_OTLP_*` values.
 */
export function emittersFromEnv(env: NodeJS.ProcessEnv, address: DaemonAddress, diagnostics: Diagnostics): Array<Emitter | EntityEmitter> {
  const names = tracesExporterNames(env);
  if (names === undefined) {
    const kind = env.CRUDDUR_XRAY_EMITTER?.toLowerCase();
    if (kind === 'console') return [new ConsoleEmitter()];
    if (kind === 'none') return [];
    return [new UdpEmitter(address.udp, diagnostics)];
  }
  const out: Array<Emitter | EntityEmitter> = [];
  for (const name of new Set(names)) {
    if (name === 'none') continue;
    if (name === 'otlp') out.push(new OtlpTraceExporter({}, { diagnostics, env }));
    else if (name === 'xray') out.push(new UdpEmitter(address.udp, diagnostics));
    else if (name === 'console') out.push(new ConsoleEmitter());
  }
  return out;
}

/**
 * The names in `OTEL_TRACES_EXPORTER`, lower-cased; undefined when it is unset or empty.
 * @throws OtlpConfigError naming an exporter this package does not provide.
 */
export function tracesExporterNames(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.OTEL_TRACES_EXPORTER?.trim();
  if (!raw) return undefined;
  const names = raw
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  for (const name of names) {
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new OtlpConfigError(`OTEL_TRACES_EXPORTER names ${JSON.stringify(name)}; expected a comma list of ${KNOWN.join(', ')} (xray = the X-Ray daemon over UDP)`);
    }
  }
  if (names.includes('none') && names.length > 1) {
    throw new OtlpConfigError(`OTEL_TRACES_EXPORTER is ${JSON.stringify(raw)}: "none" cannot be combined with other exporters`);
  }
  return names;
}
