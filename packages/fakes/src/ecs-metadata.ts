/**
 * The ECS task metadata endpoint version 4 (`ECS_CONTAINER_METADATA_URI_V4`):
 * `GET ${uri}` answers the container's metadata, `GET ${uri}/task` the task's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type HttpFakeHandle,
  listenHttp,
  type ListenOptions,
  readBody,
  requestPath,
  sendJson,
  withListener,
} from './http-json.js';

/** `LogOptions` of a container using the `awslogs` driver. */
export interface EcsLogOptions {
  'awslogs-create-group'?: string;
  'awslogs-group': string;
  'awslogs-region': string;
  'awslogs-stream': string;
}

/** One network attachment of a container. */
export interface EcsContainerNetwork {
  NetworkMode: string;
  IPv4Addresses: string[];
  AttachmentIndex?: number;
  MACAddress?: string;
  IPv4SubnetCIDRBlock?: string;
  PrivateDNSName?: string;
  SubnetGatewayIpv4Address?: string;
}

/** Container metadata (response of `GET ${ECS_CONTAINER_METADATA_URI_V4}`). */
export interface EcsContainerMetadata {
  DockerId: string;
  Name: string;
  DockerName: string;
  Image: string;
  ImageID: string;
  Labels: Record<string, string>;
  DesiredStatus: string;
  KnownStatus: string;
  Limits: { CPU: number; Memory: number };
  CreatedAt: string;
  StartedAt: string;
  Type: string;
  LogDriver: string;
  LogOptions: EcsLogOptions;
  ContainerARN: string;
  Networks: EcsContainerNetwork[];
}

/** Task metadata (response of `GET ${ECS_CONTAINER_METADATA_URI_V4}/task`). */
export interface EcsTaskMetadata {
  Cluster: string;
  TaskARN: string;
  Family: string;
  Revision: string;
  DesiredStatus: string;
  KnownStatus: string;
  Limits: { CPU: number; Memory: number };
  PullStartedAt: string;
  PullStoppedAt: string;
  AvailabilityZone: string;
  LaunchType: string;
  Containers: EcsContainerMetadata[];
}

/** `ok` answers normally; `500` answers 500; `hang` never answers. */
export type EcsMetadataMode = 'ok' | '500' | 'hang';

/** Options of {@link startEcsMetadataServer}. */
export interface EcsMetadataServerOptions extends ListenOptions {
  /** Container fields that differ from the defaults (a Fargate task in us-east-1 with the awslogs driver). */
  container?: Partial<EcsContainerMetadata>;
  /** Task fields that differ from the defaults (`Containers` always holds the container above). */
  task?: Partial<Omit<EcsTaskMetadata, 'Containers'>>;
  /** Path of the metadata URI, e.g. `/v4/abc`; the container is served there and the task at `${pathPrefix}/task`. Default `""`. */
  pathPrefix?: string;
  /** Initial mode. Default `ok`. */
  mode?: EcsMetadataMode;
}

/** One request as received, with the answer given. */
export interface EcsMetadataRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** HTTP status answered; `0` while hanging. */
  status: number;
}

/** Handle of a running ECS metadata fake. */
export interface EcsMetadataServer extends HttpFakeHandle {
  /** The value for `ECS_CONTAINER_METADATA_URI_V4`. */
  readonly metadataUri: string;
  /** Container metadata served. */
  readonly container: EcsContainerMetadata;
  /** Task metadata served. */
  readonly task: EcsTaskMetadata;
  /** Every request, in arrival order. */
  readonly requests: readonly EcsMetadataRequestRecord[];
  /** Current mode. */
  readonly mode: EcsMetadataMode;
  /** Switches mode; takes effect for the next request. */
  setMode(mode: EcsMetadataMode): void;
  /** Forgets requests. */
  clear(): void;
}

/** Starts an ECS task metadata v4 fake. Set `ECS_CONTAINER_METADATA_URI_V4=server.metadataUri` for the code under test. */
export async function startEcsMetadataServer(options: EcsMetadataServerOptions = {}): Promise<EcsMetadataServer> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  let mode: EcsMetadataMode = options.mode ?? 'ok';
  const region = 'us-east-1';
  const account = '123456789012';
  const clusterName = 'default';
  const taskId = randomBytes(16).toString('hex');
  const family = options.task?.Family ?? 'cruddur-backend';
  const revision = options.task?.Revision ?? '1';
  const taskArn = options.task?.TaskARN ?? `arn:aws:ecs:${region}:${account}:task/${clusterName}/${taskId}`;
  const containerName = options.container?.Name ?? 'backend';
  const container: EcsContainerMetadata = {
    DockerId: `${taskId}-${String(randomBytes(4).readUInt32BE())}`,
    Name: containerName,
    DockerName: containerName,
    Image: `${account}.dkr.ecr.${region}.amazonaws.com/${family}:latest`,
    ImageID: `sha256:${randomBytes(32).toString('hex')}`,
    Labels: {
      'com.amazonaws.ecs.cluster': `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`,
      'com.amazonaws.ecs.container-name': containerName,
      'com.amazonaws.ecs.task-arn': taskArn,
      'com.amazonaws.ecs.task-definition-family': family,
      'com.amazonaws.ecs.task-definition-version': revision,
    },
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    Limits: { CPU: 2, Memory: 0 },
    CreatedAt: '2026-01-01T00:00:00.000000000Z',
    StartedAt: '2026-01-01T00:00:01.000000000Z',
    Type: 'NORMAL',
    LogDriver: 'awslogs',
    LogOptions: {
      'awslogs-create-group': 'true',
      'awslogs-group': `/ecs/${family}`,
      'awslogs-region': region,
      'awslogs-stream': `ecs/${containerName}/${taskId}`,
    },
    ContainerARN: `arn:aws:ecs:${region}:${account}:container/${clusterName}/${taskId}/${randomUUID()}`,
    Networks: [
      {
        NetworkMode: 'awsvpc',
        IPv4Addresses: ['10.0.1.23'],
        AttachmentIndex: 0,
        IPv4SubnetCIDRBlock: '10.0.1.0/24',
        PrivateDNSName: 'ip-10-0-1-23.ec2.internal',
        SubnetGatewayIpv4Address: '10.0.1.1/24',
      },
    ],
    ...options.container,
  };
  const task: EcsTaskMetadata = {
    Cluster: `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`,
    TaskARN: taskArn,
    Family: family,
    Revision: revision,
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    Limits: { CPU: 0.25, Memory: 512 },
    PullStartedAt: '2026-01-01T00:00:00.000000000Z',
    PullStoppedAt: '2026-01-01T00:00:00.500000000Z',
    AvailabilityZone: `${region}a`,
    LaunchType: 'FARGATE',
    ...options.task,
    Containers: [container],
  };
  const requests: EcsMetadataRequestRecord[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    const record: EcsMetadataRequestRecord = { method: req.method ?? '', path, headers: req.headers, status: 0 };
    requests.push(record);
    await readBody(req, 64 * 1024).catch(() => undefined);
    if (mode === 'hang') return;
    const answer = (status: number, body: unknown): void => {
      record.status = status;
      sendJson(res, status, body);
    };
    if (mode === '500') {
      answer(500, { message: 'internal error' });
      return;
    }
    if (req.method !== 'GET') {
      answer(405, { message: 'method not allowed' });
      return;
    }
    const relative = path.startsWith(prefix) ? path.slice(prefix.length).replace(/\/+$/, '') : undefined;
    if (relative === '') answer(200, container);
    else if (relative === '/task') answer(200, task);
    else answer(404, { message: `no metadata at ${path}` });
  };

  const listener = await listenHttp(handle, options);

  return withListener<Omit<EcsMetadataServer, keyof HttpFakeHandle>>(listener, {
    get metadataUri() {
      return `${listener.url}${prefix}`;
    },
    container,
    task,
    requests,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
    },
    clear() {
      requests.length = 0;
    },
  });
}
