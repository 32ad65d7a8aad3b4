import { xrayMiddleware } from './middleware.js';
import type { AwsClient, AwsInstrumentationOptions } from './types.js';

/** The name of the middleware in the client's stack (e.g. for `middlewareStack.remove`). */
export const MIDDLEWARE_NAME = 'cruddurXRay';

/**
 * Adds X-Ray tracing to an AWS SDK v3 client: each operation made inside a traced request becomes
 * one `aws` subsegment (named after the service, e.g. `DynamoDB`; retries included) and sends the
 * trace header. Outside a request nothing is recorded or sent; unsampled requests send
 * `Sampled=0` and record nothing.
 *
 * Applying it twice keeps one middleware (same name, `override`). A `DynamoDBDocumentClient`
 * shares its client's middleware stack: instrumenting either one covers both.
 *
 * @returns the client, for `const db = instrument(new DynamoDBClient({}))`.
 */
export function instrument<C extends AwsClient>(client: C, options: AwsInstrumentationOptions = {}): C {
  client.middlewareStack.add(xrayMiddleware(client, options), {
    step: 'build',
    name: MIDDLEWARE_NAME,
    override: true,
    // Normal priority: before the SDK's recursionDetectionMiddleware (low), which then keeps our header.
    priority: 'normal',
    tags: ['X_RAY', 'TRACING'],
  });
  return client;
}

/**
 * Instruments several clients with the default options. There is deliberately no "every client
 * created from now on" switch: AWS SDK v3 has no public hook at client construction, so it would
 * need a runtime import of the SDK and a patched `Client.prototype.send`, which misses clients
 * that bring their own copy of the SDK core. One call per client, where it is created, always works.
 */
export function instrumentClients(...clients: AwsClient[]): void {
  for (const client of clients) instrument(client);
}
