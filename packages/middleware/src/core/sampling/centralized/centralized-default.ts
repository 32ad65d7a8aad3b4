import { environmentEmitters } from '../../emit/emitters-from-env.js';
import { envReader, type Env } from '../../env.js';
import type { TracerOptions } from '../../tracer-options.js';

/** Environment variable that turns centralized sampling on (`true`) or off (`false`). */
export const CENTRALIZED_SAMPLING_ENV = 'CRUDDUR_XRAY_CENTRALIZED_SAMPLING';

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
 * @throws ConfigError when the environment variable holds something other than true/false (1/0, yes/no, on/off).
 */
export function centralizedSamplingEnabled(options: Pick<TracerOptions, 'sampler' | 'centralizedSampling' | 'emitter'>, env: Env): boolean {
  if (options.sampler) return false;
  if (options.centralizedSampling !== undefined) return options.centralizedSampling;
  const read = envReader(env);
  const fromEnv = read.boolean(CENTRALIZED_SAMPLING_ENV);
  if (fromEnv !== undefined) return fromEnv;
  if (read.string('AWS_LAMBDA_FUNCTION_NAME')) return false;
  if (options.emitter) return false;
  // The same reading the emitters get, so this agrees with where documents actually go (the
  // emitters report unusable values; reporting them here too would say it twice).
  return environmentEmitters(env, () => {}).includes('xray');
}
