import { readFile } from 'node:fs/promises';
import { definedFields, ORIGINS, stringField, type PluginResult } from './plugin.js';

/** Options of the Elastic Beanstalk plugin. */
export interface ElasticBeanstalkPluginOptions {
  /** The file Beanstalk writes for X-Ray. Default `/var/elasticbeanstalk/xray/environment.conf` (`C:\Program Files\Amazon\XRay\environment.conf` on Windows). */
  configPath?: string;
}

/** Where Elastic Beanstalk writes the environment description for X-Ray on this platform. */
export const ELASTIC_BEANSTALK_CONFIG =
  process.platform === 'win32' ? 'C:\\Program Files\\Amazon\\XRay\\environment.conf' : '/var/elasticbeanstalk/xray/environment.conf';

/**
 * Reads Beanstalk's `environment.conf` (`{"deployment_id": 3, "version_label": "v1",
 * "environment_name": "cruddur-prod"}`) into `aws.elastic_beanstalk` with the documented keys
 * (`environment_name`, not the key one SDK invented) and `deployment_id` as a number.
 */
export async function detectElasticBeanstalk(options: ElasticBeanstalkPluginOptions = {}): Promise<PluginResult | undefined> {
  let conf: unknown;
  try {
    conf = JSON.parse(await readFile(options.configPath ?? ELASTIC_BEANSTALK_CONFIG, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
  const environmentName = stringField(conf, 'environment_name');
  if (!environmentName) return undefined;
  const rawDeployment = (conf as Record<string, unknown>).deployment_id;
  const deploymentId = typeof rawDeployment === 'number' ? rawDeployment : typeof rawDeployment === 'string' && /^\d+$/.test(rawDeployment) ? Number(rawDeployment) : undefined;
  return {
    key: 'elastic_beanstalk',
    origin: ORIGINS.elastic_beanstalk,
    fields: definedFields({
      environment_name: environmentName,
      version_label: stringField(conf, 'version_label'),
      deployment_id: deploymentId,
    }),
  };
}
