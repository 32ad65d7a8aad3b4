export type ModerationKind = 'activity' | 'reply' | 'message';

export interface ModerationInput {
  kind: ModerationKind;
  message: string;
  handle: string;
}

export interface ModerationResult {
  allowed: boolean;
  reasons: string[];
}

export interface ModerationPolicy {
  /** Words or phrases refused anywhere in a message (case-insensitive, whole words). */
  blockedWords: string[];
  /** More links than this is treated as spam. */
  maxLinks: number;
  /** A character repeated this many times in a row is treated as spam. */
  maxRepeatedChars: number;
}

export const DEFAULT_POLICY: ModerationPolicy = {
  blockedWords: ['spam', 'scam', 'casino', 'crypto giveaway', 'free money'],
  maxLinks: 2,
  maxRepeatedChars: 12,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Pure and deterministic, so a retried request gets the same verdict. */
export function createModerator(policy: ModerationPolicy): (input: ModerationInput) => ModerationResult {
  const blocked = policy.blockedWords.length
    ? new RegExp(`\\b(?:${policy.blockedWords.map(escapeRegExp).join('|')})\\b`, 'i')
    : undefined;
  const repeated = new RegExp(`(.)\\1{${Math.max(1, policy.maxRepeatedChars - 1)},}`, 'u');
  return ({ message }) => {
    const reasons: string[] = [];
    if (blocked?.test(message)) reasons.push('blocked_word');
    const links = message.match(/\bhttps?:\/\/|\bwww\./gi)?.length ?? 0;
    if (links > policy.maxLinks) reasons.push('too_many_links');
    if (repeated.test(message)) reasons.push('repeated_characters');
    return { allowed: reasons.length === 0, reasons };
  };
}
