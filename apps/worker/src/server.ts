import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createDocumentClient } from './db/client.js';
import { createConsoleLogger } from './logger.js';

const config = loadConfig();
const logger = createConsoleLogger('cruddur-worker');
const db = createDocumentClient(config);
const app = createApp({ db, tableName: config.tableName, backendUrl: config.backendUrl, logger });

async function shutdown(signal: string): Promise<void> {
  logger.info('shutting down', { signal });
  setTimeout(() => process.exit(0), 5000).unref();
  await app.close();
  db.destroy();
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

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
