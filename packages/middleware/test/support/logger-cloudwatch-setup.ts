// A logger pointed at the CloudWatch Logs fake, with fast retries so outages play out quickly.
import type { CloudWatchLogsServer } from '@cruddur/fakes';
import type { Tracer } from '../../src/index.js';
import { createLogger, type Logger, type LoggerCloudWatchOptions } from '../../src/logger/index.js';

/** Fake credentials: the fake does not check signatures, the SDK insists on having some. */
export const FAKE_CREDENTIALS = Object.freeze({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret-for-signing' });

/** A console-less logger delivering to `server`. */
export function cloudWatchLogger(
  server: CloudWatchLogsServer,
  options: { tracer?: Tracer; accessLog?: boolean; stream?: string; cloudwatch?: Partial<LoggerCloudWatchOptions> } = {},
): Logger {
  return createLogger(
    {
      service: 'backend',
      console: 'off',
      accessLog: options.accessLog ?? false,
      tracer: options.tracer,
      cloudwatch: {
        logGroup: '/cruddur/backend',
        logStream: options.stream ?? 'test-stream',
        endpoint: server.url,
        region: 'us-east-1',
        credentials: FAKE_CREDENTIALS,
        flushIntervalMs: 20,
        retryBaseMs: 20,
        maxRetryDelayMs: 100,
        requestTimeoutMs: 2_000,
        ...options.cloudwatch,
      },
    },
    {},
  );
}
