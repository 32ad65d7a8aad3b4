import type { OtlpAwsCredentials } from './options.js';

/** Signs one request: returns the headers to send (the given ones plus the SigV4 ones). */
export type RequestSigner = (url: URL, headers: Readonly<Record<string, string>>, body: Uint8Array) => Promise<Record<string, string>>;

/** A SigV4 set-up that could not be completed (missing peer packages, no credentials). */
export class SigV4SetupError extends Error {
  /** Always `'SigV4SetupError'`, to tell the error apart after serialisation. */
  override name = 'SigV4SetupError';
}

const PEERS = '@smithy/signature-v4, @smithy/hash-node and @aws-sdk/credential-provider-node';

/**
 * A signer for the X-Ray OTLP endpoint (service `xray`) built from the AWS SDK's own signer and
 * credential chain — loaded only when an exporter needs them, so users of other endpoints install
 * nothing. Credentials are resolved once up front (so a missing chain is reported at start-up)
 * and then by the chain's own caching provider, which refreshes expiring role credentials.
 */
export async function createSigV4Signer(region: string, credentials?: () => Promise<OtlpAwsCredentials>): Promise<RequestSigner> {
  let modules;
  try {
    modules = await Promise.all([import('@smithy/signature-v4'), import('@smithy/hash-node'), credentials ? undefined : import('@aws-sdk/credential-provider-node')]);
  } catch (err) {
    throw new SigV4SetupError(`SigV4 signing needs the packages ${PEERS} (npm install them): ${errorText(err)}`);
  }
  const [{ SignatureV4 }, { Hash }, chain] = modules;
  const provider = credentials ?? chain!.defaultProvider();
  try {
    await provider();
  } catch (err) {
    throw new SigV4SetupError(`no AWS credentials for SigV4 signing were found (${errorText(err)}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an IAM role`);
  }
  const signer = new SignatureV4({ service: 'xray', region, credentials: provider, sha256: Hash.bind(null, 'sha256'), applyChecksum: true });
  return async (url, headers, body) => {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    return signed.headers;
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
