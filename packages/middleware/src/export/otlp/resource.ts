import type { JsonValue } from '../../core/document.js';
import type { Segment } from '../../core/segment.js';
import { VERSION } from '../../core/version.js';
import type { OtlpAttribute, OtlpValue } from './span-model.js';

// What the segment's `origin` becomes: `cloud.platform` (and `aws.ecs.launchtype`), the values the
// OpenTelemetry collector's X-Ray exporter turns back into the same origin.
const PLATFORMS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'aws_ec2',
  'AWS::ECS::Container': 'aws_ecs',
  'AWS::ECS::EC2': 'aws_ecs',
  'AWS::ECS::Fargate': 'aws_ecs',
  'AWS::EKS::Container': 'aws_eks',
  'AWS::ElasticBeanstalk::Environment': 'aws_elastic_beanstalk',
  'AWS::AppRunner::Service': 'aws_app_runner',
};

// Plugin fields → resource attributes (semantic conventions `host.*`, `container.*`, `aws.ecs.*`,
// `k8s.*`, `service.*`): the keys the collector's X-Ray exporter reads to rebuild the same blocks.
const PLUGIN_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ec2: { instance_id: 'host.id', availability_zone: 'cloud.availability_zone', instance_size: 'host.type', ami_id: 'host.image.id' },
  ecs: {
    container: 'container.name',
    container_id: 'container.id',
    container_arn: 'aws.ecs.container.arn',
    cluster_arn: 'aws.ecs.cluster.arn',
    task_arn: 'aws.ecs.task.arn',
    task_family: 'aws.ecs.task.family',
    launch_type: 'aws.ecs.launchtype',
  },
  eks: { cluster_name: 'k8s.cluster.name', pod: 'k8s.pod.name', container_id: 'container.id' },
  elastic_beanstalk: { environment_name: 'service.namespace', deployment_id: 'service.instance.id', version_label: 'service.version' },
};

/** Resource attributes that do not come from a segment: `OTEL_RESOURCE_ATTRIBUTES` and the options. */
export type ResourceOverrides = readonly OtlpAttribute[];

interface CacheEntry {
  readonly aws: object | undefined;
  readonly service: object | undefined;
  readonly origin: string | undefined;
  readonly attributes: readonly OtlpAttribute[];
}

/**
 * Builds the OTLP resource of a segment: `service.name` (the segment name, so the X-Ray console
 * names the node as the UDP path does), `service.version`, the runtime, `telemetry.sdk.*`, and
 * what the environment plugins and the logger put in the segment's `aws` block and `origin`.
 * Segments of one service share their `aws` and `service` objects, so the result is cached per
 * name and compared by identity: no work per request.
 */
export class ResourceBuilder {
  readonly #overrides: ResourceOverrides;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(overrides: ResourceOverrides = []) {
    this.#overrides = overrides;
  }

  /** The resource attributes for `segment` (the same array for segments of the same service). */
  attributesFor(segment: Segment): readonly OtlpAttribute[] {
    const aws = segment.aws;
    const cached = this.#cache.get(segment.name);
    if (cached && cached.aws === aws && cached.service === segment.service && cached.origin === segment.origin) return cached.attributes;
    // A segment with a sampling rule name carries a copy of the shared block: compare its parts.
    if (cached && aws && cached.aws && sameEnvironment(cached.aws as Record<string, JsonValue>, aws) && cached.service === segment.service && cached.origin === segment.origin) {
      return cached.attributes;
    }
    const attributes = this.#build(segment);
    if (this.#cache.size > 1000) this.#cache.clear(); // dynamic naming must not grow this forever
    this.#cache.set(segment.name, { aws, service: segment.service, origin: segment.origin, attributes });
    return attributes;
  }

  #build(segment: Segment): readonly OtlpAttribute[] {
    const out = new Map<string, OtlpValue>();
    out.set('service.name', segment.name);
    const service = segment.service;
    if (service) {
      if (typeof service.version === 'string') out.set('service.version', service.version);
      if (typeof service.runtime === 'string') out.set('process.runtime.name', service.runtime);
      if (typeof service.runtime_version === 'string') out.set('process.runtime.version', service.runtime_version);
    }
    out.set('telemetry.sdk.name', '@cruddur/middleware');
    out.set('telemetry.sdk.language', 'nodejs');
    out.set('telemetry.sdk.version', VERSION);
    const aws = segment.aws;
    let onAws = false;
    if (aws) {
      for (const [block, fields] of Object.entries(PLUGIN_FIELDS)) {
        const found = aws[block];
        if (!isRecord(found)) continue;
        onAws = true;
        for (const [field, key] of Object.entries(fields)) {
          const value = found[field];
          if (typeof value === 'string' && value !== '') out.set(key, value);
        }
      }
      const logs = aws.cloudwatch_logs;
      const groups = Array.isArray(logs) ? logs : isRecord(logs) ? [logs] : [];
      const names = groups.flatMap((g) => (isRecord(g) && typeof g.log_group === 'string' ? [g.log_group] : []));
      const arns = groups.flatMap((g) => (isRecord(g) && typeof g.arn === 'string' ? [g.arn] : []));
      if (names.length > 0) out.set('aws.log.group.names', names);
      if (arns.length > 0) out.set('aws.log.group.arns', arns);
    }
    const platform = segment.origin ? PLATFORMS[segment.origin] : undefined;
    if (platform) {
      out.set('cloud.platform', platform);
      if (segment.origin === 'AWS::ECS::EC2') out.set('aws.ecs.launchtype', 'ec2');
      if (segment.origin === 'AWS::ECS::Fargate') out.set('aws.ecs.launchtype', 'fargate');
      onAws = true;
    }
    if (onAws) out.set('cloud.provider', 'aws');
    // Explicit resource attributes win over detected ones, except the service name, which must
    // stay the segment name for the X-Ray console to show the same node.
    for (const { key, value } of this.#overrides) if (key !== 'service.name') out.set(key, value);
    return Object.freeze(Array.from(out, ([key, value]) => ({ key, value })));
  }
}

function sameEnvironment(a: Record<string, JsonValue>, b: Record<string, JsonValue | undefined>): boolean {
  return a.ec2 === b.ec2 && a.ecs === b.ecs && a.eks === b.eks && a.elastic_beanstalk === b.elastic_beanstalk && a.cloudwatch_logs === b.cloudwatch_logs;
}

function isRecord(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
