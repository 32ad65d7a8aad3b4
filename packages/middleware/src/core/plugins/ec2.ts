import { jsonBody, metadataRequest } from './metadata-http.js';
import { definedFields, ORIGINS, stringField, type PluginResult } from './plugin.js';
import { envReader } from '../env.js';

/** Options of the EC2 plugin. */
export interface Ec2PluginOptions {
  /** The instance metadata service. Env: `AWS_EC2_METADATA_SERVICE_ENDPOINT`. Default `http://169.254.169.254`. */
  endpoint?: string;
  /** Per call. Default 1,000 ms. */
  timeoutMs?: number;
}

const TOKEN_PATH = '/latest/api/token';
const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';

/**
 * Reads the instance identity document from IMDSv2 (a session token from `PUT /latest/api/token`,
 * then the document), falling back to IMDSv1 when no token comes back — which also covers
 * containers whose PUT answers are dropped by a hop limit of 1. Fills `aws.ec2` with the
 * documented keys (`instance_size` is the instance type). Undefined when not on EC2.
 */
export async function detectEc2(options: Ec2PluginOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<PluginResult | undefined> {
  const read = envReader(env);
  if (read.boolean('AWS_EC2_METADATA_DISABLED') === true) return undefined;
  const endpoint = (options.endpoint ?? read.string('AWS_EC2_METADATA_SERVICE_ENDPOINT') ?? 'http://169.254.169.254').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 1_000;
  const tokenAnswer = await metadataRequest(endpoint + TOKEN_PATH, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
    timeoutMs,
  });
  const token = tokenAnswer?.status === 200 && tokenAnswer.body.length > 0 ? tokenAnswer.body.trim() : undefined;
  const identity = jsonBody(
    await metadataRequest(endpoint + IDENTITY_PATH, { headers: token ? { 'X-aws-ec2-metadata-token': token } : {}, timeoutMs }),
  );
  const instanceId = stringField(identity, 'instanceId');
  if (!instanceId) return undefined;
  return {
    key: 'ec2',
    origin: ORIGINS.ec2,
    fields: definedFields({
      instance_id: instanceId,
      instance_size: stringField(identity, 'instanceType'),
      ami_id: stringField(identity, 'imageId'),
      availability_zone: stringField(identity, 'availabilityZone'),
    }),
  };
}
