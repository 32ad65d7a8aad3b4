// Span and resource attributes → `aws`, `origin` and `service`, after the collector's X-Ray exporter
// (translator/aws.go, segment.go determineAwsOrigin, service.go).
import { attrInt, attrString, attrStrings } from './otlp-attributes.js';
import type { OtlpAttributes } from './otlp-model.js';
import type { JsonObject } from './types.js';

/** Span attributes that become `aws` fields, by field; the first present wins. */
const SPAN_FIELDS: ReadonlyArray<[field: string, keys: readonly string[]]> = [
  ['account_id', ['aws.account_id']],
  ['region', ['aws.region']],
  // aws.request.id is what the OTel JS AWS SDK instrumentation writes; the exporter knows two others.
  ['request_id', ['aws.request_id', 'aws.requestId', 'aws.request.id']],
  ['queue_url', ['aws.queue_url', 'aws.queue.url']],
  ['table_name', ['aws.table_name', 'aws.table.name']],
];

function put(target: JsonObject, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function compact(fields: JsonObject): JsonObject | undefined {
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** The origin X-Ray shows for a service, from `cloud.platform` (and the ECS launch type). */
export function awsOrigin(resource: OtlpAttributes): string | undefined {
  const provider = attrString(resource, 'cloud.provider');
  if (provider !== undefined && provider !== 'aws') return undefined;
  switch (attrString(resource, 'cloud.platform')) {
    case 'aws_app_runner':
      return 'AWS::AppRunner::Service';
    case 'aws_eks':
      return 'AWS::EKS::Container';
    case 'aws_elastic_beanstalk':
      return 'AWS::ElasticBeanstalk::Environment';
    case 'aws_ec2':
      return 'AWS::EC2::Instance';
    case 'aws_ecs': {
      const launchType = attrString(resource, 'aws.ecs.launchtype');
      if (launchType === 'ec2') return 'AWS::ECS::EC2';
      if (launchType === 'fargate') return 'AWS::ECS::Fargate';
      return 'AWS::ECS::Container';
    }
    default:
      return undefined;
  }
}

/** `service.version` (or the container image tag) as the segment's `service` block. */
export function serviceBlock(resource: OtlpAttributes): JsonObject | undefined {
  const service: JsonObject = {};
  const version = attrString(resource, 'service.version') ?? attrString(resource, 'container.image.tag');
  if (version !== undefined) service['version'] = version;
  // (viewer) The runtime, which X-Ray SDKs record in the same block; the collector keeps only the version.
  const runtime = attrString(resource, 'process.runtime.name');
  const runtimeVersion = attrString(resource, 'process.runtime.version');
  if (runtime !== undefined) service['runtime'] = runtime;
  if (runtimeVersion !== undefined) service['runtime_version'] = runtimeVersion;
  return Object.keys(service).length > 0 ? service : undefined;
}

function logGroups(resource: OtlpAttributes): JsonObject[] | undefined {
  const arns = attrStrings(resource, 'aws.log.group.arns', '&');
  if (arns && arns.length > 0) {
    // arn:aws:logs:<region>:<account>:log-group:<name>[:*] — the name is the seventh part.
    return arns.map((arn) => ({ log_group: arn.split(':')[6] ?? arn, arn }));
  }
  const names = attrStrings(resource, 'aws.log.group.names', '&');
  return names && names.length > 0 ? names.map((name) => ({ log_group: name })) : undefined;
}

/** The resource's part of `aws`: where the service runs and which SDK traced it. Segments only. */
function resourceFields(resource: OtlpAttributes, aws: JsonObject): void {
  const platform = attrString(resource, 'cloud.platform');
  const zone = attrString(resource, 'cloud.availability_zone');
  const hostId = attrString(resource, 'host.id');
  const containerId = attrString(resource, 'container.id');
  put(aws, 'account_id', attrString(resource, 'cloud.account.id'));
  if (platform === 'aws_ec2' || hostId !== undefined) {
    const ec2: JsonObject = {};
    put(ec2, 'instance_id', hostId);
    put(ec2, 'availability_zone', zone);
    put(ec2, 'instance_size', attrString(resource, 'host.type'));
    put(ec2, 'ami_id', attrString(resource, 'host.image.id'));
    aws['ec2'] = ec2;
  }
  if (platform === 'aws_ecs') {
    const ecs: JsonObject = {};
    put(ecs, 'container', attrString(resource, 'container.name'));
    put(ecs, 'container_id', containerId);
    put(ecs, 'availability_zone', zone);
    put(ecs, 'container_arn', attrString(resource, 'aws.ecs.container.arn'));
    put(ecs, 'cluster_arn', attrString(resource, 'aws.ecs.cluster.arn'));
    put(ecs, 'task_arn', attrString(resource, 'aws.ecs.task.arn'));
    put(ecs, 'task_family', attrString(resource, 'aws.ecs.task.family'));
    put(ecs, 'launch_type', attrString(resource, 'aws.ecs.launchtype'));
    aws['ecs'] = ecs;
  }
  const instance = attrString(resource, 'service.instance.id');
  if (platform === 'aws_elastic_beanstalk' && instance !== undefined) {
    const beanstalk: JsonObject = { deployment_id: /^\d+$/.test(instance) ? Number(instance) : 0 };
    put(beanstalk, 'environment_name', attrString(resource, 'service.namespace'));
    put(beanstalk, 'version_label', attrString(resource, 'service.version'));
    aws['elastic_beanstalk'] = beanstalk;
  }
  const cluster = attrString(resource, 'k8s.cluster.name');
  if (platform === 'aws_eks' || cluster !== undefined) {
    const eks: JsonObject = {};
    put(eks, 'cluster_name', cluster);
    put(eks, 'pod', attrString(resource, 'k8s.pod.name'));
    put(eks, 'container_id', containerId);
    aws['eks'] = eks;
  }
  const groups = logGroups(resource);
  if (groups) aws['cloudwatch_logs'] = groups;
  const sdkName = attrString(resource, 'telemetry.sdk.name');
  const sdkLanguage = attrString(resource, 'telemetry.sdk.language');
  if (sdkName !== undefined) {
    const xray: JsonObject = { sdk: sdkLanguage ? `${sdkName} for ${sdkLanguage}` : sdkName };
    put(xray, 'sdk_version', attrString(resource, 'telemetry.sdk.version'));
    xray['auto_instrumentation'] = attrString(resource, 'telemetry.auto.version') !== undefined;
    aws['xray'] = xray;
  }
}

/**
 * Builds the `aws` block and removes the span attributes it used. The operation comes from
 * `aws.operation`, else `rpc.method`; DynamoDB table names and the SQS queue URL of the current
 * conventions win over the older `aws.*` ones. A resource on another cloud gets no `aws` block.
 */
export function takeAws(attributes: OtlpAttributes, resource: OtlpAttributes, isSegment: boolean): JsonObject | undefined {
  const aws: JsonObject = {};
  if (isSegment) resourceFields(resource, aws);
  put(aws, 'operation', attrString(attributes, 'aws.operation') ?? attrString(attributes, 'rpc.method'));
  attributes.delete('aws.operation');
  attributes.delete('rpc.method');
  for (const [fieldName, keys] of SPAN_FIELDS) {
    const key = keys.find((candidate) => attributes.has(candidate));
    if (key === undefined) continue;
    put(aws, fieldName, attrString(attributes, key));
    for (const candidate of keys) attributes.delete(candidate);
  }
  const provider = attrString(resource, 'cloud.provider');
  if (provider !== undefined && provider !== 'aws') return undefined;

  put(aws, 'queue_url', attrString(attributes, 'messaging.url'));
  const tables = attrStrings(attributes, 'aws.dynamodb.table_names');
  if (tables?.length === 1) {
    aws['table_name'] = tables[0]!;
  } else if (tables && tables.length > 1) {
    delete aws['table_name'];
    aws['table_names'] = tables;
  }
  const retries = attrInt(attributes, 'aws.xray.retries');
  if (retries !== undefined) {
    aws['retries'] = retries;
    attributes.delete('aws.xray.retries');
  }
  return compact(aws);
}
