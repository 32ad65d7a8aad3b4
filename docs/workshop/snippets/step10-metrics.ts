// Step 10: request metrics and a business metric as CloudWatch EMF, linked to traces.
// Run it with CRUDDUR_LOG_GROUP=cruddur (metrics in the log group's own stream), or without it
// (metrics on stdout): npx tsx step10-metrics.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { createLogger, installShutdownFlush } from '@cruddur/middleware/logger';
import { createMetrics } from '@cruddur/middleware/metrics';

const logger = createLogger({ service: 'cruddur-backend' });
// Request metrics for every request (sampled or not), aggregated and written once a minute, beside
// the log entries in a stream of their own. The namespace comes from CRUDDUR_METRICS_NAMESPACE.
const metrics = createMetrics({
  service: 'cruddur-backend',
  output: logger.cloudwatch?.withStream(`${logger.cloudwatch.logStream}/metrics`), // stdout without CloudWatch
});
// On Ctrl-C or SIGTERM: write the interval's metrics and deliver them with the logs, then exit.
installShutdownFlush({ flush: [metrics, logger] });

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.post('/api/messages', (_req, res) => {
  metrics.addMetric('MessagesSent', 'Count', 1); // a business metric, aggregated like the rest
  res.json({ message_group_uuid: '5ae290ed-55d1-47a0-bc6d-fe2bc2700399' });
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  logger.info(`cruddur-backend listening on http://localhost:${port}`);
});
