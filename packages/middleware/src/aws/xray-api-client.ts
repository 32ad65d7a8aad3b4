import type * as XRaySdk from '@aws-sdk/client-xray';
import type { PutTraceSegmentsCommandOutput, XRayClient } from '@aws-sdk/client-xray';
import type { AwsClientSettings, AwsSdkClient } from '../core/aws-sdk-shapes.js';

/** One entry of `UnprocessedTraceSegments`. */
export interface UnprocessedTraceSegment {
  Id?: string;
  ErrorCode?: string;
  Message?: string;
}

type XRayModule = typeof XRaySdk;

/**
 * Calls PutTraceSegments through `@aws-sdk/client-xray`, loading the SDK on the first call so that
 * importing this package never loads it. Uses the caller's client when given; otherwise creates
 * one from `config` with a single attempt per call, because the emitter does its own retrying and
 * two layers of retries would multiply.
 */
export class XRayApiSender {
  readonly #given: AwsSdkClient | undefined;
  readonly #config: AwsClientSettings;
  #loading: Promise<{ client: AwsSdkClient; sdk: XRayModule }> | undefined;
  #created: XRayClient | undefined;

  constructor(client: AwsSdkClient | undefined, config: AwsClientSettings = {}) {
    this.#given = client;
    this.#config = config;
  }

  /** Sends the documents in one call; resolves with the ones the service did not process. */
  async put(documents: string[]): Promise<UnprocessedTraceSegment[]> {
    const { client, sdk } = await this.#load();
    // Typed by the command: any X-Ray client answers PutTraceSegments with this output.
    const out = (await client.send(new sdk.PutTraceSegmentsCommand({ TraceSegmentDocuments: documents }))) as PutTraceSegmentsCommandOutput;
    return out.UnprocessedTraceSegments ?? [];
  }

  /** Releases the client this sender created (a client you passed in stays yours). */
  destroy(): void {
    this.#created?.destroy();
    this.#created = undefined;
  }

  #load(): Promise<{ client: AwsSdkClient; sdk: XRayModule }> {
    this.#loading ??= import('@aws-sdk/client-xray').then(
      (sdk) => {
        const client = this.#given ?? (this.#created = new sdk.XRayClient({ maxAttempts: 1, ...this.#config }));
        return { client, sdk };
      },
      (err: unknown) => {
        this.#loading = undefined;
        throw new XRaySdkMissingError(err);
      },
    );
    return this.#loading;
  }
}

/** `@aws-sdk/client-xray` could not be loaded: it is an optional peer dependency of this emitter. */
export class XRaySdkMissingError extends Error {
  override name = 'XRaySdkMissingError';
  constructor(cause: unknown) {
    super(`@aws-sdk/client-xray cannot be loaded (${cause instanceof Error ? cause.message : String(cause)}); install it to send segments with PutTraceSegments`);
  }
}
