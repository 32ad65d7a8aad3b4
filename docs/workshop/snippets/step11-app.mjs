// Step 11: a Redis cache in front of the home feed, every Redis command a subsegment of the
// request. Start it with the bridge and the instrumentations loaded first (step11-register.mjs):
// node --import ./step11-register.mjs step11-app.mjs
import express from 'express';
import { Redis } from 'ioredis';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

// Stands in for the DynamoDB query of step 4.
async function queryHomeFeed() {
  return [{ uuid: '68f126b0-1ceb-4a33-88be-d90fa7109eee', handle: 'andrewbrown', message: 'Cloud is fun!' }];
}

const app = express();
app.use(xray({ name: 'cruddur-backend' }));

app.get('/api/activities/home', async (_req, res) => {
  const cached = await redis.get('feed:home'); // → subsegment redis@127.0.0.1
  if (cached) return res.json(JSON.parse(cached));
  const feed = await queryHomeFeed();
  await redis.set('feed:home', JSON.stringify(feed), 'PX', 5_000); // → subsegment redis@127.0.0.1
  res.json(feed);
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  console.log(`cruddur-backend listening on http://localhost:${server.address().port}`);
});
