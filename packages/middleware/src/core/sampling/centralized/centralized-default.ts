import type { TracerOptions } from '../../tracer-options.js';

/** Environment variable that turns centralized sampling on (`true`) or off (`false`). */
export const CENTRALIZED_SAMPLING_ENV = 'CRUDDUR_XRAY_CENTRALIZED_SAMPLING';

const TRUE = new Set(['true', '1', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'off', 'no']);

/**
 * Whether a tracer built with `options` polls centralized sampling rules. Precedence: a `sampler`
 * option (yours decides; never wrapped), then the `centralizedSampling` option, then
 * `CRUDDUR_XRAY_CENTRALIZED_SAMPLING`, then the default.
 *
 * The default is on, like the X-Ray SDKs, except where it cannot work:
 * - in AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` set): there is no daemon proxy and Lambda decides
 *   sampling before the function runs;
 * - when documents do not go to a daemon (an `emitter` option, `OTEL_TRACES_EXPORTER` without
 *   `xray`, or `CRUDDUR_XRAY_EMITTER` set to `console` or `none`): whoever chose that has no proxy to ask. Set the option to `true` to poll anyway.
 *
 * On with no daemon listening costs one refused connection per retry (5 s, backing off to 5 min),
 * one debug line, and nothing per request: the local rules decide.
 *
 * @throws Error when the environment variable holds something other than true/false (1/0, on/off, yes/no).
 */
export function centralizedSamplingEnabled(options: Pick<TracerOptions, 'sampler' | 'centralizedSampling' | 'emitter'>, env: NodeJS.ProcessEnv): boolean {
  if (options.sampler) return false;
  if (options.centralizedSampling !== undefined) return options.centralizedSampling;
  const raw = env[CENTRALIZED_SAMPLING_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const value = raw.trim().toLowerCase();
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    throw new Error(`${CENTRALIZED_SAMPLING_ENV}=${JSON.stringify(raw)}: expected true or false`);
  }
  if (env.AWS_LAMBDA_FUNCTION_NAME) return false;
  if (options.emitter) return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters) return exporters.toLowerCase().split(',').some((name) => name.trim() === 'xray');
  const emitter = env.CRUDDUR_XRAY_EMITTER?.toLowerCase();
  return emitter !== 'console' && emitter !== 'none';
}
