// Step 6: log lines that carry the trace id, on the console and in CloudWatch Logs.
// Run it: CRUDDUR_LOG_GROUP=cruddur npx tsx step6-logs.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { createLogger, installShutdownFlush } from '@cruddur/middleware/logger';

// The console always; CloudWatch Logs as well when CRUDDUR_LOG_GROUP is set.
const logger = createLogger({ service: 'cruddur-backend' });
// On Ctrl-C or SIGTERM: deliver what is still buffered, then exit.
installShutdownFlush({ flush: [logger] });

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.get('/api/activities/home', (_req, res) => {
  const results = [{ uuid: '68f126b0-1ceb-4a33-88be-d90fa7109eee', handle: 'andrewbrown', message: 'Cloud is fun!' }];
  // Inside a request every entry carries trace_id, segment_id and sampled.
  logger.info('Hello Cloudwatch! from /api/activities/home', { results: results.length });
  res.json(results);
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  logger.info(`cruddur-backend listening on http://localhost:${port}`);
});
