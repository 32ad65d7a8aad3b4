// Step 1: an Express service traced by @cruddur/middleware.
// Run it: npx tsx step1-express.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';

const app = express();

// First, before any route: every request becomes a segment named cruddur-backend.
app.use(xray({ name: 'cruddur-backend' }));

app.get('/api/health-check', (_req, res) => {
  res.json({ success: true, ver: 1 });
});

app.get('/api/activities/home', (_req, res) => {
  res.json([{ uuid: '68f126b0-1ceb-4a33-88be-d90fa7109eee', handle: 'andrewbrown', message: 'Cloud is fun!' }]);
});

// After the routes: a request that fails gets its error recorded, then Express answers as usual.
app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
