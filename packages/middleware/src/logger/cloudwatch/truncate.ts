import { MAX_MESSAGE_BYTES } from './limits.js';

/** A message cut to fit an event, with its size in UTF-8 bytes. */
export interface FittedMessage {
  message: string;
  bytes: number;
  /** Bytes removed (0 when the message fitted). */
  removed: number;
}

/**
 * Cuts `message` to at most `maxBytes` UTF-8 bytes, on a character boundary, ending with a marker
 * that says how much was removed. CloudWatch Logs rejects an over-long event outright; a cut line
 * that still carries its timestamp, level and trace id is worth far more than none.
 */
export function fitMessage(message: string, maxBytes: number = MAX_MESSAGE_BYTES): FittedMessage {
  // Fast path: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (message.length * 3 <= maxBytes) return { message, bytes: Buffer.byteLength(message, 'utf8'), removed: 0 };
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes <= maxBytes) return { message, bytes, removed: 0 };
  const buffer = Buffer.from(message, 'utf8');
  // Reserve room for the longest marker this message can need (removed count has at most as
  // many digits as the total length).
  const room = maxBytes - Buffer.byteLength(marker(bytes), 'utf8');
  let cut = Math.max(0, room);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && ((buffer[cut] as number) & 0xc0) === 0x80) cut--;
  const removed = bytes - cut;
  const head = buffer.toString('utf8', 0, cut);
  const fitted = head + marker(removed);
  return { message: fitted, bytes: cut + Buffer.byteLength(marker(removed), 'utf8'), removed };
}

function marker(removed: number): string {
  return `…[truncated ${removed} bytes]`;
}
