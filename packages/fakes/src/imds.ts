/**
 * The EC2 instance metadata service (IMDS) as clients on an instance see it at 169.254.169.254:
 * IMDSv2 session tokens, the instance identity document and a few `meta-data` paths.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  headerValue,
  type HttpFakeHandle,
  listenHttp,
  type ListenOptions,
  readBody,
  requestPath,
  sendText,
  withListener,
} from './http-json.js';

/**
 * - `v2`: tokens are issued and honoured but optional (instance setting `HttpTokens: optional`);
 * - `v2-only`: every GET needs a valid `X-aws-ec2-metadata-token` (`HttpTokens: required`), else 401;
 * - `v1-only`: `PUT /latest/api/token` answers {@link ImdsServerOptions.v1OnlyTokenStatus} (403 or 404), GETs need no token;
 * - `hang`: nothing is ever answered (clients must time out).
 */
export type ImdsMode = 'v2' | 'v2-only' | 'v1-only' | 'hang';

/** The instance identity document, with the field names IMDS uses. */
export interface InstanceIdentityDocument {
  accountId: string;
  architecture: string;
  availabilityZone: string;
  billingProducts: string[] | null;
  devpayProductCodes: string[] | null;
  marketplaceProductCodes: string[] | null;
  imageId: string;
  instanceId: string;
  instanceType: string;
  kernelId: string | null;
  pendingTime: string;
  privateIp: string;
  ramdiskId: string | null;
  region: string;
  version: string;
}

/** Options of {@link startImdsServer}. */
export interface ImdsServerOptions extends ListenOptions {
  /** Initial mode. Default `v2`. */
  mode?: ImdsMode;
  /** Fields of the identity document that differ from the defaults. */
  identity?: Partial<InstanceIdentityDocument>;
  /** Status of the token PUT in `v1-only` mode. Default 403. */
  v1OnlyTokenStatus?: 403 | 404;
}

/** One request as received, with the answer given. */
export interface ImdsRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Whether an `X-aws-ec2-metadata-token` header was sent. */
  readonly withToken: boolean;
  /** HTTP status answered; `0` while hanging. */
  status: number;
}

/** Handle of a running IMDS fake. */
export interface ImdsServer extends HttpFakeHandle {
  /** Current mode. */
  readonly mode: ImdsMode;
  /** The identity document served. */
  readonly identity: InstanceIdentityDocument;
  /** Every request, in arrival order. */
  readonly requests: readonly ImdsRequestRecord[];
  /** Number of session tokens issued. */
  readonly tokensIssued: number;
  /** Switches mode; takes effect for the next request. */
  setMode(mode: ImdsMode): void;
  /** Forgets requests. */
  clear(): void;
}

/** Paths under which IMDS serves the identity document and meta-data. */
export const IMDS_PATHS = {
  token: '/latest/api/token',
  identityDocument: '/latest/dynamic/instance-identity/document',
} as const;

const MAX_TOKEN_TTL_SECONDS = 21_600;

/**
 * Starts an IMDS fake. Point clients at `url` instead of `http://169.254.169.254`
 * (for the AWS SDK: `AWS_EC2_METADATA_SERVICE_ENDPOINT=url`).
 */
export async function startImdsServer(options: ImdsServerOptions = {}): Promise<ImdsServer> {
  let mode: ImdsMode = options.mode ?? 'v2';
  const v1OnlyTokenStatus = options.v1OnlyTokenStatus ?? 403;
  const identity: InstanceIdentityDocument = {
    accountId: '123456789012',
    architecture: 'x86_64',
    availabilityZone: 'us-east-1a',
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: 'ami-0abcdef1234567890',
    instanceId: 'i-0123456789abcdef0',
    instanceType: 't3.micro',
    kernelId: null,
    pendingTime: '2026-01-01T00:00:00Z',
    privateIp: '10.0.1.23',
    ramdiskId: null,
    region: 'us-east-1',
    version: '2017-09-30',
    ...options.identity,
  };
  const metaData: Record<string, string> = {
    'instance-id': identity.instanceId,
    'instance-type': identity.instanceType,
    'ami-id': identity.imageId,
    'local-ipv4': identity.privateIp,
    'local-hostname': `ip-${identity.privateIp.replaceAll('.', '-')}.ec2.internal`,
    'placement/availability-zone': identity.availabilityZone,
    'placement/region': identity.region,
  };
  const tokens = new Map<string, number>();
  const requests: ImdsRequestRecord[] = [];
  let tokensIssued = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    const token = headerValue(req, 'x-aws-ec2-metadata-token');
    const record: ImdsRequestRecord = { method: req.method ?? '', path, headers: req.headers, withToken: token !== undefined, status: 0 };
    requests.push(record);
    await readBody(req, 64 * 1024).catch(() => undefined);
    if (mode === 'hang') return;
    const answer = (status: number, text: string, headers: Record<string, string | number> = {}): void => {
      record.status = status;
      sendText(res, status, text, { 'Content-Type': 'text/plain', Server: 'EC2ws', ...headers });
    };

    if (path === IMDS_PATHS.token) {
      if (req.method !== 'PUT') {
        answer(405, 'Method Not Allowed', { Allow: 'OPTIONS, PUT' });
        return;
      }
      if (mode === 'v1-only') {
        answer(v1OnlyTokenStatus, v1OnlyTokenStatus === 403 ? 'Forbidden' : 'Not Found');
        return;
      }
      if (headerValue(req, 'x-forwarded-for') !== undefined) {
        answer(403, 'Forbidden');
        return;
      }
      const ttlText = headerValue(req, 'x-aws-ec2-metadata-token-ttl-seconds');
      const ttl = ttlText !== undefined && /^\d+$/.test(ttlText) ? Number(ttlText) : NaN;
      if (!(ttl >= 1 && ttl <= MAX_TOKEN_TTL_SECONDS)) {
        answer(400, 'Bad Request');
        return;
      }
      const issued = randomBytes(42).toString('base64');
      tokens.set(issued, Date.now() + ttl * 1000);
      tokensIssued += 1;
      answer(200, issued, { 'X-aws-ec2-metadata-token-ttl-seconds': ttl });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(405, 'Method Not Allowed', { Allow: 'OPTIONS, GET, HEAD' });
      return;
    }
    if (mode !== 'v1-only') {
      if (token !== undefined) {
        const expiresAt = tokens.get(token);
        if (expiresAt === undefined || expiresAt < Date.now()) {
          answer(401, 'Unauthorized');
          return;
        }
      } else if (mode === 'v2-only') {
        answer(401, 'Unauthorized');
        return;
      }
    }
    if (path === IMDS_PATHS.identityDocument) {
      answer(200, JSON.stringify(identity, null, 2));
      return;
    }
    const metaDataPrefix = '/latest/meta-data/';
    const value = path.startsWith(metaDataPrefix) ? metaData[path.slice(metaDataPrefix.length)] : undefined;
    if (value !== undefined) {
      answer(200, value);
      return;
    }
    answer(404, 'Not Found');
  };

  const listener = await listenHttp(handle, options);

  return withListener<Omit<ImdsServer, keyof HttpFakeHandle>>(listener, {
    get mode() {
      return mode;
    },
    identity,
    requests,
    get tokensIssued() {
      return tokensIssued;
    },
    setMode(next) {
      mode = next;
    },
    clear() {
      requests.length = 0;
    },
  });
}
