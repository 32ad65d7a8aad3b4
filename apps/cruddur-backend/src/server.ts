import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createDocumentClient, createDynamoClient } from './db/client.js';
import { createTelemetry, flushOnShutdown } from '@cruddur/app-telemetry';

const config = loadConfig();
const dynamo = createDynamoClient(config);
const telemetry = createTelemetry('cruddur-backend', [dynamo]);
const { logger, tracer, reporter, metrics } = telemetry;
// Only with CRUDDUR_REDIS_URL: without it no Redis or OpenTelemetry code is even loaded.
const redis = config.redisUrl
  ? (await import('./cache/traced-redis.js')).connectTracedRedis(config.redisUrl, { tracer, logger })
  : undefined;
const app = createApp({
  db: createDocumentClient(dynamo),
  tableName: config.tableName,
  workerUrl: config.workerUrl,
  internalToken: config.internalToken,
  demoRoutes: config.demoRoutes,
  logger,
  tracer,
  reporter,
  metrics,
  redis,
});

const server = app.listen(config.port, config.host, (err?: Error) => {
  if (err) {
    logger.error('cannot listen', { port: config.port, error: err.message });
    process.exit(1);
  }
  logger.info('cruddur-backend listening', {
    port: config.port,
    table: config.tableName,
    worker: config.workerUrl,
    dynamodb: config.endpoint ?? 'aws',
    home_feed_cache: redis ? 'redis' : 'off',
  });
});

flushOnShutdown(telemetry, async () => {
  logger.info('shutting down');
  // Stop accepting; requests in flight finish. close() closes only the keep-alive connections idle
  // at that moment: the busy ones are closed once their response is out, not at the keep-alive timeout.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 20);
  await closed;
  clearInterval(sweep);
  dynamo.destroy();
  redis?.disconnect();
});
