// Step 9: the backend calls a service traced with the OpenTelemetry SDK. Where its traces go is
// set by the environment alone (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*), as for any OTel SDK.
// Run it: OTEL_TRACES_EXPORTER=otlp npx tsx step9-backend.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { getDefaultTracer } from '@cruddur/middleware';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { instrumentHttp } from '@cruddur/middleware/http';
import { installShutdownFlush } from '@cruddur/middleware/logger';

const notificationsUrl = process.env.NOTIFICATIONS_URL ?? 'http://localhost:4569';

// Calls made in a request become `remote` subsegments and carry the trace in two headers:
// X-Amzn-Trace-Id for X-Ray services, W3C `traceparent` for OpenTelemetry ones.
instrumentHttp();
// OTLP spans leave in batches: send what is queued before the process exits.
installShutdownFlush({ flush: [getDefaultTracer()] });

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.get('/api/activities/notifications', async (_req, res) => {
  const answer = await fetch(`${notificationsUrl}/api/notifications/andrewbrown`);
  res.status(answer.status).json(await answer.json());
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
