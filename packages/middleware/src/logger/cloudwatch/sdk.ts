import type * as CloudWatchLogs from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClient, CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';

/** The CloudWatch Logs SDK module. */
export type CloudWatchLogsSdk = typeof CloudWatchLogs;

let loading: Promise<CloudWatchLogsSdk> | undefined;

/**
 * Loads `@aws-sdk/client-cloudwatch-logs` on first use, so a logger that only writes to the
 * console never needs the SDK installed (it is an optional peer dependency).
 */
export function loadSdk(): Promise<CloudWatchLogsSdk> {
  loading ??= import('@aws-sdk/client-cloudwatch-logs');
  return loading;
}

/** How the transport builds its own client when none is given. */
export interface ClientSettings {
  region: string | undefined;
  endpoint: string | undefined;
  credentials: CloudWatchLogsClientConfig['credentials'] | undefined;
  requestTimeoutMs: number;
}

/**
 * A client with the SDK's own retries off (the transport retries with its own back-off and never
 * lets one request stall the queue behind SDK retries) and a request timeout, so a silent
 * endpoint cannot hold a batch forever.
 */
export function createClient(sdk: CloudWatchLogsSdk, settings: ClientSettings): CloudWatchLogsClient {
  const config: CloudWatchLogsClientConfig = {
    maxAttempts: 1,
    requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: Math.min(settings.requestTimeoutMs, 5_000) },
  };
  if (settings.region !== undefined) config.region = settings.region;
  if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
  // A copy: the SDK marks where credentials came from by writing onto the object, which fails
  // on a frozen one.
  const credentials = settings.credentials;
  if (credentials !== undefined) config.credentials = typeof credentials === 'function' ? credentials : { ...credentials };
  return new sdk.CloudWatchLogsClient(config);
}
