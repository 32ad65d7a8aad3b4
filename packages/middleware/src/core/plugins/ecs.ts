import { hostname } from 'node:os';
import { jsonBody, metadataRequest } from './metadata-http.js';
import { definedFields, ORIGINS, stringField, type PluginResult } from './plugin.js';
import { envReader } from '../env.js';

/** Options of the ECS plugin. */
export interface EcsPluginOptions {
  /** The container's task metadata endpoint. Env: `ECS_CONTAINER_METADATA_URI_V4` (then `ECS_CONTAINER_METADATA_URI`). */
  metadataUri?: string;
  /** Per call. Default 1,000 ms. */
  timeoutMs?: number;
  /** `aws.ecs.container`. Default: the host name, which ECS sets to the container's. */
  hostname?: string;
}

/**
 * Detects ECS by its task metadata endpoint variable and reads the container (`${uri}`) and task
 * (`${uri}/task`) metadata: `aws.ecs.container` (host name), `container_id` (Docker id),
 * `container_arn`, plus the task fields the OpenTelemetry X-Ray receiver knows (`task_arn`,
 * `task_family`, `cluster_arn`, `availability_zone`, `launch_type`). When the endpoint does not
 * answer, the variable alone still proves ECS and the host name is recorded.
 */
export async function detectEcs(options: EcsPluginOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<PluginResult | undefined> {
  const read = envReader(env);
  const uri = (options.metadataUri ?? read.string('ECS_CONTAINER_METADATA_URI_V4') ?? read.string('ECS_CONTAINER_METADATA_URI'))?.replace(/\/+$/, '');
  if (!uri) return undefined;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const [container, task] = await Promise.all([
    metadataRequest(uri, { timeoutMs }).then(jsonBody),
    metadataRequest(`${uri}/task`, { timeoutMs }).then(jsonBody),
  ]);
  const cluster = stringField(task, 'Cluster');
  return {
    key: 'ecs',
    origin: ORIGINS.ecs,
    fields: definedFields({
      container: options.hostname ?? hostname(),
      container_id: stringField(container, 'DockerId'),
      container_arn: stringField(container, 'ContainerARN'),
      task_arn: stringField(task, 'TaskARN'),
      task_family: stringField(task, 'Family'),
      cluster_arn: cluster?.startsWith('arn:') ? cluster : undefined,
      availability_zone: stringField(task, 'AvailabilityZone'),
      launch_type: stringField(task, 'LaunchType'),
    }),
  };
}
