import { ConfigError } from '../config-error.js';
import type { JsonValue } from '../document.js';
import { envReader, oneOf, type Env } from '../env.js';
import type { Tracer } from '../tracer.js';
import { detectEc2, type Ec2PluginOptions } from './ec2.js';
import { detectEcs, type EcsPluginOptions } from './ecs.js';
import { detectEks, type EksPluginOptions } from './eks.js';
import { detectElasticBeanstalk, type ElasticBeanstalkPluginOptions } from './elastic-beanstalk.js';
import { ALL_PLUGINS, type PluginName, type PluginResult } from './plugin.js';

/** Environment variable listing the plugins to run, comma separated (e.g. `ec2,ecs`). */
export const PLUGINS_ENV = 'CRUDDUR_XRAY_PLUGINS';

/** Options of {@link detectEnvironment}. */
export interface DetectEnvironmentOptions {
  /** Which plugins run. Env: `CRUDDUR_XRAY_PLUGINS` (comma separated). Default: all four. */
  plugins?: readonly PluginName[];
  /** Read instead of `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** IMDS endpoint and timeout. */
  ec2?: Ec2PluginOptions;
  /** Task metadata endpoint, timeout and container host name. */
  ecs?: EcsPluginOptions;
  /** Cluster name, pod name and where the token and cgroup files are. */
  eks?: EksPluginOptions;
  /** Where Beanstalk's `environment.conf` is. */
  elasticBeanstalk?: ElasticBeanstalkPluginOptions;
}

/** What the plugins found. */
export interface DetectedEnvironment {
  /** The most specific origin found (Elastic Beanstalk, then EKS, ECS, EC2), if any plugin applied. */
  origin: string | undefined;
  /** Keys for the segments' `aws` block, e.g. `{ ec2: {…}, ecs: {…} }`. */
  aws: Record<string, JsonValue>;
  /** The plugins that applied, least specific first. */
  found: PluginName[];
}

/** A plugin name that is not one of the plugins this package knows (`ec2`, `ecs`, `eks`, `elastic_beanstalk`). */
export class UnknownPluginError extends ConfigError {
  /** Always `'UnknownPluginError'`, to tell the error apart after serialisation. */
  override name = 'UnknownPluginError';
}

/**
 * Runs the plugins side by side and merges what they found. Never rejects: a plugin that fails
 * or times out simply finds nothing. Throws synchronously (a start-up configuration error) for an
 * unknown plugin name.
 */
export function resolveEnvironment(options: DetectEnvironmentOptions = {}): Promise<DetectedEnvironment> {
  const env = options.env ?? process.env;
  const plugins = pluginList(options.plugins, env);
  const run = (name: PluginName): Promise<PluginResult | undefined> => {
    switch (name) {
      case 'ec2':
        return detectEc2(options.ec2, env);
      case 'ecs':
        return detectEcs(options.ecs, env);
      case 'eks':
        return detectEks(options.eks, env);
      case 'elastic_beanstalk':
        return detectElasticBeanstalk(options.elasticBeanstalk);
    }
  };
  return Promise.allSettled(plugins.map(run)).then((settled) => {
    const results = settled
      .map((s) => (s.status === 'fulfilled' ? s.value : undefined))
      .filter((r): r is PluginResult => r !== undefined)
      .sort((a, b) => ALL_PLUGINS.indexOf(a.key) - ALL_PLUGINS.indexOf(b.key));
    const aws: Record<string, JsonValue> = {};
    for (const r of results) aws[r.key] = r.fields;
    return { origin: results.at(-1)?.origin, aws, found: results.map((r) => r.key) };
  });
}

/**
 * Finds out where the process runs (EC2, ECS, EKS, Elastic Beanstalk) and, once known, adds it to
 * every later segment of `tracer`: the `aws.ec2` / `aws.ecs` / `aws.eks` / `aws.elastic_beanstalk`
 * blocks and the most specific `origin` (which centralized rules match as `ServiceType`). Call it
 * once at start-up without awaiting: requests never wait for it, and segments begun before it
 * settles simply lack these fields.
 *
 * @example
 * ```ts
 * void detectEnvironment(tracer, { plugins: ['ec2', 'ecs'] });
 * ```
 */
export function detectEnvironment(tracer: Tracer, options: DetectEnvironmentOptions = {}): Promise<DetectedEnvironment> {
  return resolveEnvironment(options).then((found) => {
    if (found.found.length > 0) {
      tracer.addSegmentAws(found.aws);
      tracer.segmentDefaults.origin = found.origin;
      tracer.diagnostics.debug(`environment: ${found.origin ?? 'none'} (${found.found.join(', ')})`);
    }
    return found;
  });
}

function pluginList(given: readonly PluginName[] | undefined, env: Env): readonly PluginName[] {
  const names: readonly string[] = given ?? envReader(env).list(PLUGINS_ENV)?.map((name) => name.toLowerCase()) ?? ALL_PLUGINS;
  for (const name of names) {
    if (!(ALL_PLUGINS as readonly string[]).includes(name)) {
      throw new UnknownPluginError(given ? 'plugins' : PLUGINS_ENV, given ?? env[PLUGINS_ENV], `a comma list of ${oneOf(ALL_PLUGINS)} (${JSON.stringify(name)} is none of them)`);
    }
  }
  return names as readonly PluginName[];
}
