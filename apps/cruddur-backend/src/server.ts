import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createDocumentClient, createDynamoClient } from './db/client.js';
import { createConsoleLogger } from './logger.js';

const config = loadConfig();
const logger = createConsoleLogger('cruddur-backend');
const dynamo = createDynamoClient(config);
const app = createApp({
  db: createDocumentClient(dynamo),
  tableName: config.tableName,
  workerUrl: config.workerUrl,
  logger,
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
  });
});

function shutdown(signal: string): void {
  logger.info('shutting down', { signal });
  server.close(() => {
    dynamo.destroy();
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}

process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
