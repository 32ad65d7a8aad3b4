/**
 * One answer, for every AWS call this package makes on its own behalf (PutTraceSegments from the
 * direct emitter; PutLogEvents and the set-up calls of the CloudWatch Logs transport), to "is
 * another try worth it?": the AWS SDK's own classification, as its standard retry strategy applies
 * it. Throttling, transient trouble (timeouts, network errors, 500/502/503/504, a corrected clock
 * skew, a `$retryable` error) and other 5xx answers are retried; everything else is the caller's
 * error, which resending cannot fix. One addition: `CredentialsProviderError` (no credentials yet,
 * say while the instance metadata service is slow) is transient, since the client looks for
 * credentials again on the next call; the SDK never sees it as a retryable answer because it
 * happens before any request.
 *
 * The classification comes from `@smithy/service-error-classification` (an optional peer, present
 * beside most AWS SDK v3 installs) or, when that is absent, from `@smithy/core/retry`, where current
 * SDK clients carry the same functions. Both are loaded on first use, like the SDK clients.
 */

/** How the SDK sees a failed call. Only `client` is not worth another try. */
export type AwsFailureKind = 'throttling' | 'transient' | 'server' | 'client';

/** The functions of `@smithy/service-error-classification` used here. */
interface SmithyClassification {
  isThrottlingError(error: object): boolean;
  isTransientError(error: object): boolean;
  isServerError(error: object): boolean;
}

let loading: Promise<SmithyClassification | undefined> | undefined;

function loadClassification(): Promise<SmithyClassification | undefined> {
  loading ??= import('@smithy/service-error-classification').then(
    (module): SmithyClassification => module,
    async () => {
      // A variable specifier: the CommonJS build resolves types the Node 10 way, without subpaths.
      const bundled = '@smithy/core/retry';
      try {
        return (await import(bundled)) as SmithyClassification;
      } catch {
        return undefined;
      }
    },
  );
  return loading;
}

/**
 * Classifies an error thrown by an AWS SDK v3 client. Never throws. When neither classification
 * package can be loaded (an unusual install), every failure counts as `transient`: the callers'
 * retries are bounded, and giving up at once would lose data a recovering endpoint could take.
 */
export async function classifyAwsFailure(error: unknown): Promise<AwsFailureKind> {
  const classification = await loadClassification();
  if (!classification) return 'transient';
  // The SDK's functions read properties of whatever they get; a thrown string has none.
  const subject: object = typeof error === 'object' && error !== null ? error : { name: 'Error', message: String(error) };
  if ((subject as { name?: unknown }).name === 'CredentialsProviderError') return 'transient';
  try {
    if (classification.isThrottlingError(subject)) return 'throttling';
    if (classification.isTransientError(subject)) return 'transient';
    if (classification.isServerError(subject)) return 'server';
    return 'client';
  } catch {
    return 'transient';
  }
}
