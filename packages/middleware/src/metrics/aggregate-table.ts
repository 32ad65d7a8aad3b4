/** The dimension value of the aggregate that takes everything beyond the cap. */
export const OTHER = 'Other';

/**
 * Aggregates keyed by up to three dimension values, at most `max` of them; beyond that, values go
 * to one overflow aggregate (every dimension `Other`) and are counted. Nested maps rather than a
 * joined string key: the values are usually strings V8 already hashed (route templates, method
 * names), so a lookup costs three hash probes and allocates nothing.
 */
export class AggregateTable<T> {
  readonly #root = new Map<string, Map<string, Map<string, T>>>();
  readonly #max: number;
  readonly #create: (a: string, b: string, c: string) => T;
  #size = 0;
  #other: T | undefined;
  /** Values recorded into the overflow aggregate. */
  overflowed = 0;

  constructor(max: number, create: (a: string, b: string, c: string) => T) {
    this.#max = max;
    this.#create = create;
  }

  /** Distinct aggregates held (the overflow one included). */
  get size(): number {
    return this.#size + (this.#other === undefined ? 0 : 1);
  }

  /** The aggregate of these values, created on first use. */
  get(a: string, b: string, c: string): T {
    const found = this.#root.get(a)?.get(b)?.get(c);
    return found === undefined ? this.#add(a, b, c) : found;
  }

  /** Every aggregate, the overflow one last. */
  values(): T[] {
    const all: T[] = [];
    for (const level1 of this.#root.values()) for (const level2 of level1.values()) for (const value of level2.values()) all.push(value);
    if (this.#other !== undefined) all.push(this.#other);
    return all;
  }

  #add(a: string, b: string, c: string): T {
    if (this.#size >= this.#max) {
      this.overflowed++;
      return (this.#other ??= this.#create(OTHER, OTHER, OTHER));
    }
    let level1 = this.#root.get(a);
    if (level1 === undefined) this.#root.set(a, (level1 = new Map()));
    let level2 = level1.get(b);
    if (level2 === undefined) level1.set(b, (level2 = new Map()));
    const value = this.#create(a, b, c);
    level2.set(c, value);
    this.#size++;
    return value;
  }
}
