import type { JsonValue } from '../document.js';

/** The environment plugins, named like the X-Ray SDKs' (`EC2Plugin`, `ECSPlugin`, …). */
export type PluginName = 'ec2' | 'ecs' | 'eks' | 'elastic_beanstalk';

/** Every plugin, in the order of increasing specificity. */
export const ALL_PLUGINS: readonly PluginName[] = Object.freeze(['ec2', 'ecs', 'eks', 'elastic_beanstalk'] as const);

/** What one plugin found: a key of the segment's `aws` block and the matching `origin`. */
export interface PluginResult {
  /** The `aws` block key: `ec2`, `ecs`, `eks` or `elastic_beanstalk`. */
  key: PluginName;
  /** The key's fields, e.g. `{ instance_id, availability_zone }`. */
  fields: Record<string, JsonValue>;
  /** E.g. `AWS::EC2::Instance`. */
  origin: string;
}

/** Origins, most specific last; when several plugins apply the most specific wins. */
export const ORIGINS: Readonly<Record<PluginName, string>> = Object.freeze({
  ec2: 'AWS::EC2::Instance',
  ecs: 'AWS::ECS::Container',
  eks: 'AWS::EKS::Container',
  elastic_beanstalk: 'AWS::ElasticBeanstalk::Environment',
});

/** Drops undefined and empty-string fields so the `aws` block holds only what was found. */
export function definedFields(fields: Record<string, JsonValue | undefined>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** A string field of a parsed JSON object, if it is one. */
export function stringField(object: unknown, key: string): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const value = (object as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
