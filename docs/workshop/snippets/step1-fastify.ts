// Step 1: a Fastify service traced by @cruddur/middleware.
// Run it: npx tsx step1-fastify.ts
import Fastify from 'fastify';
import xray from '@cruddur/middleware/fastify';

const app = Fastify();

// Before the routes: every request becomes a segment named cruddur-worker.
await app.register(xray, { name: 'cruddur-worker' });

// `config: { xray: false }` leaves a route untraced: no segment, no response header.
app.get('/health', { config: { xray: false } }, async () => ({ success: true }));

app.post<{ Body: { message: string } }>('/internal/moderate', async (request) => {
  const allowed = !/buy now/i.test(request.body.message);
  return { allowed, reasons: allowed ? [] : ['blocked_word'] };
});

const address = await app.listen({ port: Number(process.env.PORT ?? 4568) });
console.log(`cruddur-worker listening on ${address}`);
