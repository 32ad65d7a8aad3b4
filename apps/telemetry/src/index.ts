import { createTracer, detectEnvironment, setDefaultTracer, type Tracer } from '@cruddur/middleware';
import { instrumentClients, type AwsClient } from '@cruddur/middleware/aws';
import { instrumentHttp } from '@cruddur/middleware/http';
import { createLogger, installShutdownFlush, type Logger } from '@cruddur/middleware/logger';
import { createMetrics, type Metrics } from '@cruddur/middleware/metrics';
import { createErrorReporter, type ErrorReporter } from '@cruddur/middleware/rollbar';

/** The three pillars of one service, configured from the environment. */
export interface Telemetry {
  tracer: Tracer;
  logger: Logger;
  reporter: ErrorReporter;
  metrics: Metrics;
}

/**
 * What a user of `@cruddur/middleware` writes once per service: a tracer (daemon address,
 * sampling and name from the X-Ray environment variables), traced outgoing HTTP and DynamoDB
 * calls, a winston logger that stamps every line with the trace id (and ships to CloudWatch Logs
 * when `CRUDDUR_LOG_GROUP` is set), a Rollbar reporter (on when `ROLLBAR_ACCESS_TOKEN` is), and
 * EMF metrics (request and call metrics, plus the business metrics the service records).
 */
export function createTelemetry(service: string, awsClients: AwsClient[]): Telemetry {
  const tracer = createTracer({ name: service });
  setDefaultTracer(tracer);
  // On AWS, CRUDDUR_XRAY_PLUGINS=ec2,ecs,… fills aws.ec2/ecs/eks and origin, without delaying the
  // first request. Off elsewhere: probing the instance metadata address off AWS only wastes time.
  if (process.env.CRUDDUR_XRAY_PLUGINS) void detectEnvironment(tracer).catch(() => undefined);
  instrumentHttp({ tracer });
  instrumentClients(...awsClients);
  const logger = createLogger({ service, tracer });
  const reporter = createErrorReporter({ captureUncaught: true, captureUnhandledRejections: true });
  // Request, call and business metrics as EMF: beside the log entries, in a stream of their own,
  // when the logs go to CloudWatch; on stdout otherwise (CRUDDUR_METRICS_OUTPUT=off silences them).
  const metrics = createMetrics({ service, output: logger.cloudwatch?.withStream(`${logger.cloudwatch.logStream}/metrics`) });
  return { tracer, logger, reporter, metrics };
}

/** On SIGTERM/SIGINT: stop accepting requests, then flush metrics, segments, logs and error reports. */
export function flushOnShutdown(telemetry: Telemetry, close: () => Promise<void>): void {
  installShutdownFlush({
    flush: [telemetry.metrics, telemetry.logger, telemetry.reporter, telemetry.tracer],
    exitCode: 0,
    beforeExit: close,
  });
}
