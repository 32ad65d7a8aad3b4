// Metrics delivered the way a service ships them: EMF lines through the logger's CloudWatch Logs
// transport, in a stream of their own, to the CloudWatch Logs fake, which parses them.
import { startCloudWatchLogsServer, type CloudWatchLogsServer, type MetricDatumRecord } from '@cruddur/fakes';
import type { DiagnosticLogger } from '../../src/index.js';
import type { Logger } from '../../src/logger/index.js';
import { createMetrics, type Metrics, type MetricsOptions } from '../../src/metrics/index.js';
import { cloudWatchLogger } from './logger-cloudwatch-setup.js';

/** The log stream the EMF documents go to. */
export const METRICS_STREAM = 'test-stream/metrics';

/** A fake, a logger delivering to it, and metrics writing beside the logger's stream. */
export interface MetricsRig {
  server: CloudWatchLogsServer;
  logger: Logger;
  metrics: Metrics;
  /** Diagnostics the metrics reported. */
  problems: string[];
  close(): Promise<void>;
}

/** Starts a rig; `options` override the metrics' (the long interval keeps flushes in the test's hands). */
export async function startMetricsRig(options: MetricsOptions = {}): Promise<MetricsRig> {
  const server = await startCloudWatchLogsServer();
  const logger = cloudWatchLogger(server);
  const problems: string[] = [];
  const sink: DiagnosticLogger = { debug: () => undefined, info: () => undefined, warn: (m) => problems.push(m), error: (m) => problems.push(m) };
  const metrics = createMetrics({ namespace: 'CruddurTest', output: logger.cloudwatch!.withStream(METRICS_STREAM), flushIntervalMs: 3_600_000, diagnostics: sink, ...options }, {});
  return {
    server,
    logger,
    metrics,
    problems,
    async close() {
      await metrics.shutdown(2_000);
      await logger.shutdown(2_000);
      await server.close();
    },
  };
}

/** The metric data with this name whose dimensions include `dimensions`. */
export function datum(data: readonly MetricDatumRecord[], name: string, dimensions: Record<string, string>): MetricDatumRecord | undefined {
  const keys = Object.keys(dimensions);
  return data.find((d) => d.metricName === name && Object.keys(d.dimensions).length === keys.length && keys.every((k) => d.dimensions[k] === dimensions[k]));
}
