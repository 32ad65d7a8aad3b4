// Step 7: the same reporting in a Fastify service.
// Run it with ROLLBAR_ACCESS_TOKEN set: npx tsx step7-fastify.ts
import Fastify from 'fastify';
import xray from '@cruddur/middleware/fastify';
import { installShutdownFlush } from '@cruddur/middleware/logger';
import { createErrorReporter, rollbarFastify } from '@cruddur/middleware/rollbar';

const errors = createErrorReporter();
installShutdownFlush({ flush: [errors] });

const app = Fastify();
await app.register(xray, { name: 'cruddur-worker' });
await app.register(rollbarFastify, { reporter: errors }); // after the tracing plugin

app.post('/internal/notifications', async () => {
  throw new Error('the notification store is down');
});

// Fastify's error handler still answers; the report has already left.
app.setErrorHandler((_err, request, reply) => reply.status(500).send({ error: 'internal_error', trace_id: request.segment?.traceId }));

const address = await app.listen({ port: Number(process.env.PORT ?? 4568) });
console.log(`cruddur-worker listening on ${address}`);
