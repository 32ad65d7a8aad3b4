// Step 9: a small service traced with the OpenTelemetry JS SDK, called by the backend.
// Run it: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npx tsx step9-notifications.ts
import { tracer } from './step9-otel-setup.js'; // first: it must patch node:http before express loads it
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();

app.get('/api/notifications/:handle', async (req, res) => {
  // A span of its own, nested under the request's server span.
  const notifications = await tracer.startActiveSpan('load-notifications', async (span) => {
    span.setAttribute('cruddur.handle', req.params.handle);
    await new Promise((resolve) => setTimeout(resolve, 5)); // stands in for a database query
    span.end();
    return [{ uuid: '248959df-3079-4947-b847-9e0892d1bab4', handle: 'worf', message: 'I am out of prune juice', type: 'message' }];
  });
  res.json(notifications);
});

const server = app.listen(Number(process.env.PORT ?? 4569), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-notifications listening on http://localhost:${port}`);
});
