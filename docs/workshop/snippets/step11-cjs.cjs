// Step 11, CommonJS: node step11-cjs.cjs
// A job outside any request (it warms the feed cache), traced as a segment of its own. In
// CommonJS the order of the require calls is the whole setup:
require('@cruddur/middleware/otel'); // 1. the bridge
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis');
registerInstrumentations({ instrumentations: [new IORedisInstrumentation()] }); // 2. the instrumentation
const { Redis } = require('ioredis'); // 3. only then the library: this require is what gets patched
const { getDefaultTracer } = require('@cruddur/middleware');

async function main() {
  const tracer = getDefaultTracer();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const segment = tracer.beginSegment({ name: 'cruddur-cache-warmer' });
  try {
    await tracer.run(segment, async () => {
      await redis.set('feed:home', JSON.stringify([]), 'PX', 5_000);
      await redis.pexpire('feed:home', 5_000);
    });
  } finally {
    segment.close();
    redis.disconnect();
    await tracer.shutdown(); // sends what is still buffered
  }
  console.log(`trace ${segment.traceId}`);
}
main();
