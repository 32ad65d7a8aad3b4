// Step 11, ESM: node --import ./step11-register.mjs step11-app.mjs
// Runs before the app's first import. An ES module's imports are all evaluated before its first
// line runs, so the instrumentations must be enabled here, by a file node loads first.
import { register } from 'node:module';

// The instrumentations' loader (import-in-the-middle): it lets them patch ES modules and the
// CommonJS packages an ES module imports, such as ioredis.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

// 1. The bridge: our tracer becomes OpenTelemetry's global TracerProvider.
await import('@cruddur/middleware/otel');

// 2. The instrumentations, enabled before the app imports what they patch.
const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
// Loaded on purpose beside our Express integration: see "Ours or theirs" on the page.
const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
registerInstrumentations({ instrumentations: [new IORedisInstrumentation(), new HttpInstrumentation()] });
