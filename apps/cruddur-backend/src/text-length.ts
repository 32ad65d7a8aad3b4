// Grapheme clusters are what a person sees as one character: "👍🏽" or "é" written with a combining
// accent is one, although it is several UTF-16 code units. String#length counts code units, so
// 150 emoji would be "too long" for a 280-character limit.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The number of user-perceived characters (extended grapheme clusters) in `text`: the unit of
 * every length limit of the API.
 */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}
