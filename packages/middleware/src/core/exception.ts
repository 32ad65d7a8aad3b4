import { newEntityId } from './ids.js';
import type { ExceptionDocument } from './document.js';
import { parseStack } from './stack-frames.js';

const MAX_FRAMES = 50;
const MAX_MESSAGE = 1024;

// The V8 frame lines (`    at label (path:line:column)`) each exception was parsed from, kept
// beside the document rather than in it: the X-Ray document has no columns, while the OTLP
// `exception.stacktrace` is the text form every OpenTelemetry backend expects, columns included.
const frameLines = new WeakMap<ExceptionDocument, string>();
const FRAME_LINE = /^\s+at /;

/** The V8 frame lines of an exception recorded here (at most 50, as the document's frames), if any. */
export function stackFrameLines(exception: ExceptionDocument): string | undefined {
  return frameLines.get(exception);
}

/** A message scrubber applied to exception messages (connection strings can hide in them). */
export type MessageScrubber = (message: string) => string;

/** Turns anything thrown into an exception document with a fresh 16-hex id. Never throws. */
export function toExceptionDocument(thrown: unknown, remote: boolean, scrub?: MessageScrubber): ExceptionDocument {
  const { type, message, stack } = describe(thrown);
  const doc: ExceptionDocument = {
    id: newEntityId(),
    message: truncate(scrub ? safeScrub(scrub, message) : message),
    type: truncate(type),
  };
  if (remote) doc.remote = true;
  const frames = stack ? parseStack(stack) : [];
  if (frames.length > 0) {
    doc.stack = frames.slice(0, MAX_FRAMES);
    if (frames.length > MAX_FRAMES) doc.truncated = frames.length - MAX_FRAMES;
    const lines = (stack as string).split('\n').filter((line) => FRAME_LINE.test(line)).slice(0, MAX_FRAMES);
    if (lines.length > 0) frameLines.set(doc, lines.join('\n'));
  }
  return doc;
}

function describe(thrown: unknown): { type: string; message: string; stack?: string } {
  try {
    if (thrown instanceof Error) {
      const type = typeof thrown.name === 'string' && thrown.name ? thrown.name : 'Error';
      return { type, message: String(thrown.message ?? ''), stack: typeof thrown.stack === 'string' ? thrown.stack : undefined };
    }
    if (thrown !== null && typeof thrown === 'object') {
      const o = thrown as { name?: unknown; message?: unknown; stack?: unknown };
      return {
        type: typeof o.name === 'string' && o.name ? o.name : 'Error',
        message: typeof o.message === 'string' ? o.message : '',
        stack: typeof o.stack === 'string' ? o.stack : undefined,
      };
    }
    return { type: typeof thrown === 'string' ? 'Error' : typeof thrown, message: String(thrown) };
  } catch {
    // a getter that throws, a Proxy that refuses: the exception still gets recorded
    return { type: 'Error', message: '' };
  }
}

function safeScrub(scrub: MessageScrubber, message: string): string {
  try {
    return scrub(message);
  } catch {
    return '';
  }
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}
