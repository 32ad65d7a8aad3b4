import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEcsMetadataServer, startImdsServer, type EcsMetadataServer, type ImdsServer } from '@cruddur/fakes';
import {
  detectEc2,
  detectEcs,
  detectEks,
  detectElasticBeanstalk,
  detectEnvironment,
  InMemoryEmitter,
  readContainerId,
  resolveEnvironment,
  Tracer,
  UnknownPluginError,
  type DetectEnvironmentOptions,
} from '../src/internal.js';

const CONTAINER_ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);
const dir = mkdtempSync(join(tmpdir(), 'cruddur-plugins-'));
const missing = join(dir, 'missing');
const ebConf = join(dir, 'environment.conf');
writeFileSync(ebConf, JSON.stringify({ deployment_id: 23, version_label: 'app-v7', environment_name: 'cruddur-prod' }));
const cgroupV1 = join(dir, 'cgroup-v1');
writeFileSync(cgroupV1, `12:pids:/kubepods/burstable/pod1f2e/${CONTAINER_ID}\n11:memory:/kubepods/burstable/pod1f2e/${CONTAINER_ID}\n`);
const cgroupV2 = join(dir, 'cgroup-v2');
writeFileSync(cgroupV2, '0::/\n');
const mountinfo = join(dir, 'mountinfo');
writeFileSync(
  mountinfo,
  `1210 1190 259:1 /var/lib/docker/containers/${CONTAINER_ID}/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p1 rw\n`,
);
const token = join(dir, 'token');
writeFileSync(token, 'eyJhbGciOi');

/** A regression that loops or hangs fails the test instead of stalling the run. */
const LIMIT = { timeout: 10_000 };

let imds: ImdsServer;
let ecs: EcsMetadataServer;

before(async () => {
  imds = await startImdsServer({ identity: { instanceId: 'i-0cruddur000000001', instanceType: 'm5.large', imageId: 'ami-0cruddur', availabilityZone: 'us-east-1b' } });
  ecs = await startEcsMetadataServer({ pathPrefix: '/v4/3f2a' });
});

after(async () => {
  await imds.close();
  await ecs.close();
});

const EC2_FIELDS = { instance_id: 'i-0cruddur000000001', instance_size: 'm5.large', ami_id: 'ami-0cruddur', availability_zone: 'us-east-1b' };

/** Options under which only the given plugins can find anything. */
function only(env: NodeJS.ProcessEnv, extra: DetectEnvironmentOptions = {}): DetectEnvironmentOptions {
  return {
    env,
    ec2: { endpoint: imds.url, timeoutMs: 300 },
    eks: { tokenPath: missing, cgroupPath: missing, mountinfoPath: missing },
    elasticBeanstalk: { configPath: missing },
    ...extra,
  };
}

void test('EC2 over IMDSv2: a token first, then the identity document with it', LIMIT, async () => {
  imds.setMode('v2-only');
  imds.clear();
  const found = await detectEc2({ endpoint: imds.url, timeoutMs: 500 }, {});
  assert.deepEqual(found, { key: 'ec2', origin: 'AWS::EC2::Instance', fields: EC2_FIELDS });
  assert.deepEqual(
    imds.requests.map((r) => [r.method, r.path, r.withToken]),
    [
      ['PUT', '/latest/api/token', false],
      ['GET', '/latest/dynamic/instance-identity/document', true],
    ],
  );
  assert.equal(imds.requests[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds'], '60');
});

void test('EC2 falls back to IMDSv1 when the token is refused', LIMIT, async () => {
  imds.setMode('v1-only');
  imds.clear();
  const found = await detectEc2({ endpoint: imds.url, timeoutMs: 500 }, {});
  assert.deepEqual(found?.fields, EC2_FIELDS);
  assert.deepEqual(
    imds.requests.map((r) => [r.method, r.withToken]),
    [
      ['PUT', false],
      ['GET', false],
    ],
  );
});

void test('EC2: a hanging IMDS times out into "not EC2"; AWS_EC2_METADATA_DISABLED skips it', LIMIT, async () => {
  imds.setMode('hang');
  assert.equal(await detectEc2({ endpoint: imds.url, timeoutMs: 100 }, {}), undefined);
  imds.setMode('v2');
  imds.clear();
  assert.equal(await detectEc2({ endpoint: imds.url }, { AWS_EC2_METADATA_DISABLED: 'true' }), undefined);
  assert.equal(imds.requests.length, 0);
});

void test('ECS from the task metadata endpoint v4: container and task', LIMIT, async () => {
  ecs.setMode('ok');
  const found = await detectEcs({ hostname: 'ip-10-0-1-23' }, { ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri });
  assert.deepEqual(found, {
    key: 'ecs',
    origin: 'AWS::ECS::Container',
    fields: {
      container: 'ip-10-0-1-23',
      container_id: ecs.container.DockerId,
      container_arn: ecs.container.ContainerARN,
      task_arn: ecs.task.TaskARN,
      task_family: 'cruddur-backend',
      cluster_arn: ecs.task.Cluster,
      availability_zone: 'us-east-1a',
      launch_type: 'FARGATE',
    },
  });
  assert.deepEqual(ecs.requests.map((r) => r.path).sort(), ['/v4/3f2a', '/v4/3f2a/task']);
  assert.equal(await detectEcs({}, {}), undefined, 'no endpoint variable: not ECS');
});

void test('ECS whose endpoint fails or hangs still says ECS, with the host name only', LIMIT, async () => {
  for (const mode of ['500', 'hang'] as const) {
    ecs.setMode(mode);
    const found = await detectEcs({ hostname: 'h', timeoutMs: 100 }, { ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri });
    assert.deepEqual(found?.fields, { container: 'h' }, mode);
  }
  ecs.setMode('ok');
});

void test('EKS from the service account token or KUBERNETES_SERVICE_HOST, container id from cgroups', LIMIT, async () => {
  const viaToken = await detectEks({ tokenPath: token, cgroupPath: cgroupV1, mountinfoPath: missing, pod: 'backend-7d9f-x2' }, { EKS_CLUSTER_NAME: 'cruddur' });
  assert.deepEqual(viaToken, { key: 'eks', origin: 'AWS::EKS::Container', fields: { pod: 'backend-7d9f-x2', cluster_name: 'cruddur', container_id: CONTAINER_ID } });
  const viaEnv = await detectEks({ tokenPath: missing, cgroupPath: cgroupV2, mountinfoPath: mountinfo, pod: 'p', clusterName: 'from-option' }, { KUBERNETES_SERVICE_HOST: '10.100.0.1', EKS_CLUSTER_NAME: 'env' });
  assert.deepEqual(viaEnv?.fields, { pod: 'p', cluster_name: 'from-option', container_id: CONTAINER_ID }, 'cgroup v2: from mountinfo; the option wins');
  assert.equal(await detectEks({ tokenPath: missing }, {}), undefined, 'not in a pod');
  assert.equal(await readContainerId({ cgroupPath: cgroupV2, mountinfoPath: missing }), undefined);
});

void test('Elastic Beanstalk from its environment file, with the documented keys', LIMIT, async () => {
  assert.deepEqual(await detectElasticBeanstalk({ configPath: ebConf }), {
    key: 'elastic_beanstalk',
    origin: 'AWS::ElasticBeanstalk::Environment',
    fields: { environment_name: 'cruddur-prod', version_label: 'app-v7', deployment_id: 23 },
  });
  assert.equal(await detectElasticBeanstalk({ configPath: missing }), undefined);
});

void test('several plugins: every block is kept and the most specific origin wins', LIMIT, async () => {
  imds.setMode('v2');
  const ecsOnEc2 = await resolveEnvironment(only({ ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri }, { plugins: ['ecs', 'ec2'] }));
  assert.equal(ecsOnEc2.origin, 'AWS::ECS::Container', 'ECS beats EC2 whatever the list order');
  assert.deepEqual(Object.keys(ecsOnEc2.aws), ['ec2', 'ecs']);
  assert.deepEqual(ecsOnEc2.found, ['ec2', 'ecs']);

  const beanstalk = await resolveEnvironment(only({}, { elasticBeanstalk: { configPath: ebConf } }));
  assert.equal(beanstalk.origin, 'AWS::ElasticBeanstalk::Environment', 'EB beats EC2');
  assert.deepEqual(beanstalk.found, ['ec2', 'elastic_beanstalk']);

  const eks = await resolveEnvironment(only({ KUBERNETES_SERVICE_HOST: '10.0.0.1', ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri }));
  assert.equal(eks.origin, 'AWS::EKS::Container', 'EKS beats ECS and EC2');

  const onlyEc2 = await resolveEnvironment(only({ CRUDDUR_XRAY_PLUGINS: 'ec2', ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri }));
  assert.deepEqual(onlyEc2.found, ['ec2'], 'CRUDDUR_XRAY_PLUGINS chooses the plugins');

  assert.throws(() => resolveEnvironment({ plugins: ['ec2', 'lambda' as 'ec2'] }), UnknownPluginError);
  assert.throws(() => resolveEnvironment({ env: { CRUDDUR_XRAY_PLUGINS: 'ec2,gce' } }), /CRUDDUR_XRAY_PLUGINS is "ec2,gce"; expected a comma list of .*\("gce" is none of them\)/);
});

void test('detectEnvironment never delays a request; later segments carry the aws blocks and origin', LIMIT, async () => {
  const emitter = new InMemoryEmitter();
  const tracer = new Tracer({ emitter, logLevel: 'silent', samplingRules: { version: 2, rules: [], default: { fixed_target: 0, rate: 1 } } }, {});
  imds.setMode('hang');
  let settled = false;
  const detection = detectEnvironment(tracer, only({ ECS_CONTAINER_METADATA_URI_V4: ecs.metadataUri }, { ec2: { endpoint: imds.url, timeoutMs: 300 } })).then((r) => {
    settled = true;
    return r;
  });
  const early = tracer.beginSegment({ name: 'cruddur-backend' });
  early.close();
  assert.equal(settled, false, 'the segment opened and closed while detection was still under way');
  assert.equal(emitter.segments[0]?.origin, undefined);

  const found = await detection;
  assert.deepEqual(found.found, ['ecs'], 'the hanging IMDS timed out; ECS answered');
  assert.equal(tracer.segmentDefaults.origin, 'AWS::ECS::Container');
  const later = tracer.beginSegment({ name: 'cruddur-backend' });
  later.close();
  const doc = emitter.segments[1];
  assert.equal(doc?.origin, 'AWS::ECS::Container');
  assert.equal((doc?.aws?.ecs as Record<string, unknown> | undefined)?.container_id, ecs.container.DockerId);
  assert.match(String((doc?.aws?.xray as Record<string, unknown> | undefined)?.sdk), /^@cruddur\/middleware/, 'the aws.xray block stays');
  imds.setMode('v2');
});
