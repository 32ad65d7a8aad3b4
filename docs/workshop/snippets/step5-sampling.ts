// Step 5: sampling rules in code. An explicit option wins over CRUDDUR_XRAY_SAMPLING_RULES.
// Run it: npx tsx step5-sampling.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTracer } from '@cruddur/middleware';
import { xray } from '@cruddur/middleware/express';

const tracer = createTracer({
  name: 'cruddur-backend',
  samplingRules: {
    version: 2,
    rules: [{ description: 'Health checks: never', host: '*', http_method: 'GET', url_path: '/api/health-check', fixed_target: 0, rate: 0 }],
    default: { fixed_target: 1, rate: 0.1 },
  },
});

const app = express();
app.use(xray({ tracer }));

app.get('/api/health-check', (_req, res) => {
  res.json({ success: true, ver: 1 });
});

app.get('/api/activities/home', (_req, res) => {
  res.json([]);
});

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
