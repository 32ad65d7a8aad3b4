/**
 * @packageDocumentation
 * AWS SDK v3: operations made inside a traced request become `aws` subsegments (DynamoDB table
 * names, consumed capacity, request ids, retries) and carry the trace header to the service.
 *
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { instrument } from '@cruddur/middleware/aws';
 * const dynamo = instrument(new DynamoDBClient({}));
 * ```
 *
 * The package imports no AWS SDK code at run time; any v3 client fits the structural types.
 */
export { instrument, instrumentClients } from './instrument.js';
export type {
  AwsClient,
  AwsMiddlewareStack,
  AwsBuildMiddleware,
  AwsBuildHandler,
  AwsBuildArgs,
  AwsBuildOutput,
  AwsBuildStepOptions,
  AwsHandlerContext,
  AwsInstrumentationOptions,
} from './types.js';
export { DirectXRayEmitter, type DirectXRayEmitterStats } from './direct-emitter.js';
export type { DirectXRayEmitterOptions } from './direct-emitter-options.js';
export type { AwsSdkClient, AwsClientSettings, AwsCredentialIdentity, AwsCredentialsSetting } from '../core/aws-sdk-shapes.js';
