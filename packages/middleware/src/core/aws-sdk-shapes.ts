// Structural types for the AWS SDK v3 clients you may hand to this package (X-Ray for the direct
// emitter, CloudWatch Logs for the logger's transport). They are written here instead of imported
// from `@aws-sdk/client-*` so the published declarations never name a client package: `/aws` and
// `/logger` type-check without those optional peers installed, and the SDK's own clients still fit.

/** AWS credentials, as the SDK's credential providers resolve them. */
export interface AwsCredentialIdentity {
  /** The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones). */
  readonly accessKeyId: string;
  /** The secret key that signs requests; never recorded by this package. */
  readonly secretAccessKey: string;
  /** Present for temporary credentials (roles, SSO, STS). */
  readonly sessionToken?: string;
  /** When temporary credentials stop working; the SDK refreshes them before. */
  readonly expiration?: Date;
}

/** Credentials, or a provider of them (e.g. `fromIni()` of `@aws-sdk/credential-providers`). */
export type AwsCredentialsSetting = AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>);

/**
 * Any AWS SDK v3 client (`XRayClient`, `CloudWatchLogsClient`, …): the one method this package
 * calls on a client you pass in. A client you pass in stays yours: it is never destroyed.
 */
export interface AwsSdkClient {
  /** Sends one SDK command (`new PutTraceSegmentsCommand(…)`, …) and resolves with its output. */
  send(command: object): Promise<unknown>;
}

/**
 * Settings of an AWS SDK v3 client (its `…ClientConfig`), used to create one when you pass none.
 * The common ones are named; any other setting the SDK takes (`endpoint`, `retryMode`,
 * `requestHandler`, …) passes through unchanged. With an SDK `…ClientConfig` value in hand, pass
 * the client built from it instead.
 */
export interface AwsClientSettings {
  /** e.g. `us-east-1`; the SDK's own resolution (`AWS_REGION`, profile) when absent. */
  region?: string | (() => Promise<string>);
  /** The SDK's default credential chain when absent. */
  credentials?: AwsCredentialsSetting;
  /** Any other setting of the SDK client, passed through unchanged. */
  [setting: string]: unknown;
}
