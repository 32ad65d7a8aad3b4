import { createTelemetry, flushOnShutdown } from '@cruddur/app-telemetry';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createDocumentClient } from './db/client.js';

const config = loadConfig();
const db = createDocumentClient(config);
const telemetry = createTelemetry('cruddur-worker', [db]);
const { logger, tracer, reporter } = telemetry;
const app = createApp({
  db,
  tableName: config.tableName,
  backendUrl: config.backendUrl,
  internalToken: config.internalToken,
  logger,
  tracer,
  reporter,
});
if (!config.internalToken) {
  // Safe only while nothing but this host can reach the worker (the default HOST is the loopback).
  logger.warn('CRUDDUR_INTERNAL_TOKEN is not set: the internal endpoints accept any caller that can reach them', {
    host: config.host,
  });
}

flushOnShutdown(telemetry, async () => {
  logger.info('shutting down');
  await app.close();
  db.destroy();
});

try {
  await app.listen({ port: config.port, host: config.host });
  logger.info('cruddur-worker listening', {
    port: config.port,
    table: config.tableName,
    backend: config.backendUrl,
    dynamodb: config.endpoint ?? 'aws',
  });
} catch (err) {
  logger.error('cannot listen', { port: config.port, error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
