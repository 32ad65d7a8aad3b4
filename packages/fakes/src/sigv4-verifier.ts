/**
 * Server-side AWS Signature Version 4 checking, the way an AWS endpoint does it: parse the
 * `Authorization` header, check the credential scope and the request time, then sign the received
 * request again with the real `@smithy/signature-v4` signer and compare signatures.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The credentials, region and service requests must be signed for. */
export interface SigV4VerifierOptions {
  region: string;
  /** Signing name of the service. Default `xray` (the X-Ray OTLP endpoint). */
  service?: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A request as received, with its body exactly as it came off the wire (still compressed). */
export interface SignedRequest {
  method: string;
  /** The request target (`req.url`): path and optional query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

/** The outcome: valid, or the AWS error an endpoint would answer with (always HTTP 403). */
export type SigV4Verdict = { valid: true } | { valid: false; errorType: string; message: string };

/** AWS refuses signatures more than 15 minutes away from its own clock, in either direction. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Builds a verifier bound to one set of credentials; `now` is injectable for clock-skew tests. */
export function createSigV4Verifier(
  options: SigV4VerifierOptions,
  now: () => number = Date.now,
): (request: SignedRequest) => Promise<SigV4Verdict> {
  const service = options.service ?? 'xray';
  const { credentials, region } = options;
  // applyChecksum off: the verifier must sign exactly the headers the client signed, and never
  // invent an x-amz-content-sha256 the client did not send.
  const signer = new SignatureV4({ service, region, credentials, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });

  const reject = (errorType: string, message: string): SigV4Verdict => ({ valid: false, errorType, message });

  return async (request) => {
    const authorization = single(request.headers.authorization);
    if (authorization === undefined) return reject('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const parsed = parseAuthorization(authorization);
    if (typeof parsed === 'string') return reject('IncompleteSignatureException', parsed);

    const amzDate = single(request.headers['x-amz-date']);
    if (amzDate === undefined) {
      return reject('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    const signingDate = parseAmzDate(amzDate);
    if (signingDate === undefined) return reject('IncompleteSignatureException', `Invalid X-Amz-Date: ${amzDate}`);

    const [accessKeyId, shortDate, scopeRegion, scopeService, terminator, ...extra] = parsed.credential.split('/');
    if (extra.length > 0 || terminator !== 'aws4_request') {
      return reject('IncompleteSignatureException', `Credential should be scoped to a valid terminator: 'aws4_request', got '${parsed.credential}'.`);
    }
    if (accessKeyId !== credentials.accessKeyId) {
      return reject('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (shortDate !== amzDate.slice(0, 8)) {
      return reject('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate ?? ''}' != '${amzDate.slice(0, 8)}'.`);
    }
    if (scopeRegion !== region) {
      return reject('InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion ?? ''}'.`);
    }
    if (scopeService !== service) return reject('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);

    const skew = signingDate.getTime() - now();
    if (skew < -MAX_SKEW_MS) {
      return reject('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${amz(now() - MAX_SKEW_MS)} (${amz(now())} - 15 min.)`);
    }
    if (skew > MAX_SKEW_MS) {
      return reject('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${amz(now() + MAX_SKEW_MS)} (${amz(now())} + 15 min.)`);
    }

    if (credentials.sessionToken !== undefined && single(request.headers['x-amz-security-token']) !== credentials.sessionToken) {
      return reject('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }

    const headers: Record<string, string> = {};
    for (const name of parsed.signedHeaders) {
      const value = request.headers[name];
      if (value === undefined) return reject('InvalidSignatureException', `${MISMATCH} (signed header '${name}' is missing)`);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }

    // A client may sign the body's hash instead of letting the server hash it; the signer then
    // trusts the header, so the header itself must match the bytes received.
    const declaredHash = single(request.headers['x-amz-content-sha256']);
    if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD') {
      const actual = createHash('sha256').update(request.body).digest('hex');
      if (declaredHash !== actual) {
        return reject('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
    }

    const [rawPath = '/', rawQuery = ''] = splitOnce(request.url, '?');
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: (headers.host ?? '').split(':')[0] ?? '',
        // The signer escapes the path and the query itself, so hand it the decoded forms.
        path: decodePath(rawPath),
        query: parseQuery(rawQuery),
        headers,
        body: request.body,
      },
      // Headers the signer never signs on its own (user-agent, expect, ...) still count when the
      // client chose to sign them.
      { signingDate, signableHeaders: new Set(parsed.signedHeaders) },
    );
    const expected = parseAuthorization(String(signed.headers.authorization));
    if (typeof expected === 'string') return reject('InvalidSignatureException', MISMATCH);
    if (expected.signedHeaders.join(';') !== parsed.signedHeaders.join(';')) {
      return reject('InvalidSignatureException', `${MISMATCH} (signed headers must include ${expected.signedHeaders.join(';')})`);
    }
    const a = Buffer.from(expected.signature);
    const b = Buffer.from(parsed.signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return reject('InvalidSignatureException', MISMATCH);
    return { valid: true };
  };
}

interface ParsedAuthorization {
  credential: string;
  signedHeaders: string[];
  signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=a;b, Signature=hex`; a string describes what is wrong. */
function parseAuthorization(header: string): ParsedAuthorization | string {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return `Authorization header must use ${ALGORITHM}.`;
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length).split(',')) {
    const [key, value] = splitOnce(part.trim(), '=');
    if (key !== undefined && value !== undefined) fields.set(key, value);
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [
    credential === undefined ? 'Credential' : undefined,
    signedHeaders === undefined ? 'SignedHeaders' : undefined,
    signature === undefined ? 'Signature' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return `Authorization header requires ${missing.map((name) => `'${name}'`).join(', ')} parameter. Authorization=${header}`;
  }
  return { credential, signedHeaders: signedHeaders.split(';').map((name) => name.toLowerCase()), signature: signature.toLowerCase() };
}

function parseAmzDate(text: string): Date | undefined {
  const match = AMZ_DATE.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function amz(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + separator.length)];
}

function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function parseQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const previous = result[key];
    if (previous === undefined) result[key] = value;
    else result[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return result;
}
