/** A small seeded PRNG (mulberry32): the same seed gives the same inputs on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG. */
export interface Fuzzer {
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** A string of `length` characters drawn from `alphabet`. */
  string(alphabet: string, length: number): string;
  /** One random edit: replace, insert or delete a character, cut, or repeat a slice. */
  mutate(value: string, alphabet: string): string;
}

export function fuzzer(seed: number): Fuzzer {
  const next = seededRandom(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const string = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
    return out;
  };
  const mutate = (value: string, alphabet: string): string => {
    const at = int(value.length + 1);
    switch (int(5)) {
      case 0:
        return value.slice(0, at) + string(alphabet, 1) + value.slice(at + 1);
      case 1:
        return value.slice(0, at) + string(alphabet, 1 + int(3)) + value.slice(at);
      case 2:
        return value.slice(0, at) + value.slice(at + 1 + int(3));
      case 3:
        return value.slice(0, at);
      default:
        return value + value.slice(at);
    }
  };
  return { int, pick, string, mutate };
}

/** Characters that must never reach an outgoing header. */
export const FORBIDDEN_IN_HEADERS = /[\r\n\0]/;
