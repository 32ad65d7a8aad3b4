import type { Redis } from 'ioredis';
import { type Instrumentation, type Logger, type TracedBlock } from '../deps.js';
import { type Activity } from '../model.js';

/** The Redis commands the cache sends (an ioredis client; `status` says whether it is connected). */
export type FeedCacheRedis = Pick<Redis, 'status' | 'mget' | 'set' | 'incr'>;

/** How long a cached home feed is served at most (an activity's expiry can shorten it). */
export const HOME_FEED_CACHE_TTL_MS = 5_000;

export const FEED_KEY = 'cruddur:feed:home';
/** Bumped by every write that changes the feed; an entry filled under an older generation is stale. */
export const GENERATION_KEY = 'cruddur:feed:home:generation';

/** The cache skipped Redis: the client is not connected. */
export class RedisNotConnectedError extends Error {
  constructor(status: string) {
    super(`Redis is not connected (status "${status}")`);
    this.name = 'RedisNotConnectedError';
  }
}

interface CachedFeed {
  generation: string;
  activities: Activity[];
}

function parse(value: string | null): CachedFeed | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<CachedFeed>;
    return typeof parsed.generation === 'string' && Array.isArray(parsed.activities) ? (parsed as CachedFeed) : undefined;
  } catch {
    return undefined; // not ours, or cut short: a miss, overwritten by the next fill
  }
}

/** Milliseconds until the first of the feed's activities expires (a cached copy must not outlive it). */
function untilFirstExpiry(activities: Activity[], now: number): number {
  let first = Infinity;
  for (const a of activities) first = Math.min(first, Date.parse(a.expires_at) - now);
  return first;
}

/**
 * Read-through Redis cache of the home feed, for a short TTL. Every write that changes the feed
 * bumps a generation counter, and an entry counts only under the generation read with it, so:
 * a user who has just posted never gets the feed from before the post — not even when another
 * request that read DynamoDB before the post stores its result after the bump (it stores it
 * under the old generation, which no reader accepts).
 *
 * Redis never fails a request: when it is unreachable, slow or answers garbage, the feed comes
 * from DynamoDB and the error is recorded on the `home-feed-cache` subsegment and logged.
 */
export class HomeFeedCache {
  constructor(
    private readonly redis: FeedCacheRedis,
    private readonly instrumentation: Instrumentation,
    private readonly logger: Logger,
    private readonly ttlMs = HOME_FEED_CACHE_TTL_MS,
  ) {}

  /** The feed from Redis, else from `load` (then stored in Redis). */
  read(load: () => Promise<Activity[]>): Promise<Activity[]> {
    return this.instrumentation.capture('home-feed-cache', async (block) => {
      let generation: string;
      try {
        this.assertConnected();
        const [current, cached] = await this.redis.mget(GENERATION_KEY, FEED_KEY);
        generation = current ?? '0';
        const entry = parse(cached ?? null);
        if (entry && entry.generation === generation) {
          block.addAnnotation('home_feed_cache', 'hit');
          return entry.activities;
        }
      } catch (err) {
        return this.fallBack(block, 'read', err, load);
      }
      block.addAnnotation('home_feed_cache', 'miss');
      const activities = await load();
      const ttl = Math.min(this.ttlMs, untilFirstExpiry(activities, Date.now()));
      if (ttl >= 1) {
        try {
          this.assertConnected();
          await this.redis.set(FEED_KEY, JSON.stringify({ generation, activities } satisfies CachedFeed), 'PX', Math.floor(ttl));
        } catch (err) {
          this.recordFailure(block, 'store', err);
        }
      }
      return activities;
    });
  }

  /** After a write that changes the feed: every entry cached so far is stale. */
  invalidate(): Promise<void> {
    return this.instrumentation.capture('home-feed-cache-invalidate', async (block) => {
      try {
        this.assertConnected();
        await this.redis.incr(GENERATION_KEY);
      } catch (err) {
        // Redis is failing: readers fall back to DynamoDB too; entries left expire within the TTL.
        this.recordFailure(block, 'invalidate', err);
      }
    });
  }

  /**
   * Commands are sent only on a ready connection: the client queues nothing while disconnected
   * (a down Redis must not hold requests), and it rejects such a command before its span can
   * record it, so the cache says why here instead.
   */
  private assertConnected(): void {
    if (this.redis.status !== 'ready') throw new RedisNotConnectedError(this.redis.status);
  }

  private async fallBack(block: TracedBlock, step: string, err: unknown, load: () => Promise<Activity[]>): Promise<Activity[]> {
    this.recordFailure(block, step, err);
    block.addAnnotation('home_feed_cache', 'error');
    return load();
  }

  private recordFailure(block: TracedBlock, step: string, err: unknown): void {
    block.addError(err);
    // An outage is logged once, by the connection (traced-redis.ts); a failed command every time.
    if (err instanceof RedisNotConnectedError) return;
    this.logger.warn('home feed cache unavailable, using DynamoDB', { step, error: err instanceof Error ? err.message : String(err) });
  }
}
