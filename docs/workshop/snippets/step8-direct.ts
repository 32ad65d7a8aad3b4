// Step 8: no daemon. Segments go straight to the X-Ray API (PutTraceSegments) in batches.
// Run it with AWS credentials and AWS_REGION set: npx tsx step8-direct.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTracer, setDefaultTracer } from '@cruddur/middleware';
import { DirectXRayEmitter } from '@cruddur/middleware/aws';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { installShutdownFlush } from '@cruddur/middleware/logger';

const tracer = createTracer({ name: 'cruddur-backend', emitter: new DirectXRayEmitter() });
setDefaultTracer(tracer); // capture(), addAnnotation() and the integrations use it
// Documents wait up to a second for company: send them before the process exits.
installShutdownFlush({ flush: [tracer] });

const app = express();
app.use(xray());

app.get('/api/activities/home', (_req, res) => {
  res.json([]);
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
