// Step 9: traces to X-Ray's OTLP endpoint, signed with SigV4; no daemon.
// Needs the signer's packages (npm install @smithy/signature-v4 @smithy/hash-node
// @aws-sdk/credential-provider-node), AWS credentials, AWS_REGION and CloudWatch Transaction Search.
// Run it: npx tsx step9-xray-otlp.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTracer, OtlpTraceExporter, setDefaultTracer } from '@cruddur/middleware';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { installShutdownFlush } from '@cruddur/middleware/logger';

const region = process.env.AWS_REGION ?? 'us-east-1';
const exporter = new OtlpTraceExporter({
  endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `https://xray.${region}.amazonaws.com/v1/traces`,
  region,
  // On by itself for xray.<region>.amazonaws.com; said here so a VPC endpoint's name is signed too.
  sigv4: true,
});
// Fail at start-up rather than drop the first batch: rejects without the packages or credentials.
await exporter.ready();

const tracer = createTracer({ name: 'cruddur-backend', emitter: exporter });
setDefaultTracer(tracer);
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
