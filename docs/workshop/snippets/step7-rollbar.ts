// Step 7: errors and messages to Rollbar, each linked to its trace.
// Run it with ROLLBAR_ACCESS_TOKEN set: npx tsx step7-rollbar.ts
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { installShutdownFlush } from '@cruddur/middleware/logger';
import { createErrorReporter, rollbarErrorHandler } from '@cruddur/middleware/rollbar';

// Created at start-up, not on the first request. Off (a no-op) without ROLLBAR_ACCESS_TOKEN.
const errors = createErrorReporter();
installShutdownFlush({ flush: [errors] });

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.get('/rollbar/test', (_req, res) => {
  errors.reportMessage('Hello World!', 'warning');
  res.type('text').send('Hello World!');
});

app.get('/api/activities/notifications', () => {
  throw new Error('notifications are not implemented yet');
});

app.use(xrayErrorHandler()); // 1. the error becomes the cause of the segment
app.use(rollbarErrorHandler({ reporter: errors })); // 2. one Rollbar item, with the trace id
const answer: ErrorRequestHandler = (_err, req, res, _next) => {
  res.status(500).json({ error: 'internal_error', trace_id: req.segment?.traceId }); // 3. your answer
};
app.use(answer);

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
