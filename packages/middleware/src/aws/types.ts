import type { Tracer } from '../core/tracer.js';

// Structural types for the parts of an AWS SDK v3 client this integration touches. They are
// written here instead of imported from @smithy/types so the published declarations do not depend
// on a package the user may not have hoisted; any v3 client (and DynamoDBDocumentClient) fits.

/** The arguments a build-step middleware receives. */
export interface AwsBuildArgs {
  /** The command's input (for DynamoDB document commands: already marshalled). */
  input: object;
  /** The serialised HTTP request; its headers can still change in the build step. */
  request: unknown;
}

/** What a build-step handler resolves with. */
export interface AwsBuildOutput {
  /** The command's output, with `$metadata`. */
  output: object;
  /** The raw HTTP response. */
  response: unknown;
}

/** The next handler of the stack. */
export type AwsBuildHandler = (args: AwsBuildArgs) => Promise<AwsBuildOutput>;

/** The parts of the SDK's handler execution context used for naming. */
export interface AwsHandlerContext {
  /** e.g. `DynamoDBClient`. */
  clientName?: string;
  /** e.g. `GetItemCommand`. */
  commandName?: string;
}

/** A build-step middleware. */
export type AwsBuildMiddleware = (next: AwsBuildHandler, context: AwsHandlerContext) => AwsBuildHandler;

/** Where and how the middleware goes into the stack. */
export interface AwsBuildStepOptions {
  /** The build step: after serialisation, before signing, so the header is signed too. */
  step: 'build';
  /** The middleware's name in the stack. */
  name: string;
  /** Replace a middleware of the same name (a client instrumented twice). */
  override: boolean;
  /** Position within the step. */
  priority: 'normal';
  /** Tags the SDK lists the middleware under. */
  tags: string[];
}

/** The middleware stack of a client. */
export interface AwsMiddlewareStack {
  /** Adds a middleware to the client's stack. */
  add(middleware: AwsBuildMiddleware, options: AwsBuildStepOptions): void;
}

/** Any AWS SDK v3 client: `DynamoDBClient`, `DynamoDBDocumentClient`, `SQSClient`, … */
export interface AwsClient {
  /** The client's resolved configuration (region, endpoint). */
  readonly config: object;
  /** Where {@link instrument} adds its middleware. */
  readonly middlewareStack: AwsMiddlewareStack;
}

/** Options of {@link instrument}. */
export interface AwsInstrumentationOptions {
  /**
   * Record only operations made while a request of this tracer is current. By default every
   * traced request counts, whichever tracer made its segment.
   */
  tracer?: Tracer;
}
