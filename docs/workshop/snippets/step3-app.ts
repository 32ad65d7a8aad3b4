// Step 3: the backend with custom subsegments, annotations, metadata and the user.
// Run it: npx tsx step3-app.ts
import type { AddressInfo } from 'node:net';
import express from 'express';
import { capture, setUser } from '@cruddur/middleware';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { homeActivities } from './step3-home-activities.js';
import { userActivities } from './step3-user-activities.js';

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.get('/api/activities/home', (req, res) => {
  setUser(req.header('x-cruddur-user') ?? 'andrewbrown'); // the segment's `user`, searchable
  res.json(homeActivities());
});

app.get('/api/activities/@:handle', async (req, res) => {
  // The route's own subsegment, like the seeds' @xray_recorder.capture('activities_users').
  const activities = await capture('activities_users', () => userActivities(req.params.handle));
  res.json(activities);
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
