// The HTTP side of the X-Ray API and the page's group form: JSON bodies only. Requiring a JSON
// content type keeps other web pages out: a browser cannot send one across origins without a
// CORS preflight, which this server never grants.
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '../types.js';
import { XRayApiError } from './errors.js';

/** Largest request body accepted; X-Ray's read requests are tiny. */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/** True for `application/json` and the AWS JSON types (`application/x-amz-json-1.1`). */
export function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/x-amz-json-1\.[01]$/.test(type);
}

/** Reads and parses a JSON object body; an empty body is `{}`. Throws {@link XRayApiError} (400/413/415). */
export async function readJsonObject(req: IncomingMessage): Promise<JsonObject> {
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new XRayApiError('UnsupportedMediaTypeException', 'the body must be JSON (Content-Type: application/json)', 415);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_API_BODY_BYTES) throw new XRayApiError('InvalidRequestException', `request body over ${MAX_API_BODY_BYTES} bytes`, 413);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new XRayApiError('SerializationException', 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new XRayApiError('SerializationException', 'the body must be a JSON object');
  return parsed as JsonObject;
}
