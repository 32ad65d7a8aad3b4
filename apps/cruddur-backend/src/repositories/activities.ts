import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ActivityItem } from '../model.js';
import { HOME_FEED_PK, REPLY_SK_PREFIX, keys } from './keys.js';
import { type Table } from './table.js';

/** Pointer row of the home feed, a user's feed or an activity's reply list. */
interface EntryItem {
  activity_uuid: string;
}

export class ActivityRepository {
  constructor(private readonly table: Table) {}

  get(uuid: string): Promise<ActivityItem | undefined> {
    return this.table.get<ActivityItem>(keys.activity(uuid));
  }

  /**
   * Step 1 of every activity / reply write: the META item, put-if-absent. A
   * retry with the same uuid gets the stored item back (with its original
   * `created_at`, so every derived key is the same as in the first attempt).
   */
  claim(item: ActivityItem): Promise<{ item: ActivityItem; created: boolean }> {
    return this.table.claim<ActivityItem>({ ...item, ...keys.activity(item.uuid) });
  }

  /** Step 2 (activity): home-feed and user-feed pointer rows, each put-if-absent. */
  async indexActivity(item: ActivityItem): Promise<void> {
    const entry = { activity_uuid: item.uuid, expires_at: item.expires_at, ttl: item.ttl };
    await Promise.all([
      this.table.putIfAbsent({ ...keys.homeFeedEntry(item.created_at, item.uuid), ...entry }),
      this.table.putIfAbsent({ ...keys.userFeedEntry(item.handle, item.created_at, item.uuid), ...entry }),
    ]);
  }

  /** Step 2 (reply): the pointer row under the parent, put-if-absent. */
  async indexReply(item: ActivityItem): Promise<void> {
    const parent = item.reply_to_activity_uuid;
    if (!parent) throw new Error(`activity ${item.uuid} is not a reply`);
    await this.table.putIfAbsent({
      ...keys.replyEntry(parent, item.created_at, item.uuid),
      activity_uuid: item.uuid,
      ttl: item.ttl,
    });
  }

  /** Step 3 (reply): derive `replies_count` from the reply rows; never an increment. */
  async refreshRepliesCount(parentUuid: string): Promise<number> {
    const count = await this.table.count(keys.activityPk(parentUuid), REPLY_SK_PREFIX);
    await this.table.raiseCounter(keys.activity(parentUuid), 'replies_count', count);
    return count;
  }

  /** Newest first, unexpired, at most `limit`. */
  homeFeed(now: string, limit: number): Promise<ActivityItem[]> {
    return this.feed(HOME_FEED_PK, now, limit);
  }

  userFeed(handle: string, now: string, limit: number): Promise<ActivityItem[]> {
    return this.feed(keys.userFeedPk(handle), now, limit);
  }

  /** Replies of an activity, oldest first. */
  async replies(parentUuid: string): Promise<ActivityItem[]> {
    const entries = await this.table.query<EntryItem>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.activityPk(parentUuid), ':prefix': REPLY_SK_PREFIX },
      ScanIndexForward: true,
    });
    return this.hydrate(entries);
  }

  /** Demo-grade search: Scan with a filter (fine for a reference app, not for a large table). */
  async search(term: string, now: string, limit: number): Promise<ActivityItem[]> {
    const found: ActivityItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new ScanCommand({
          TableName: this.table.name,
          FilterExpression:
            'begins_with(pk, :act) AND sk = :meta AND attribute_not_exists(reply_to_activity_uuid) ' +
            'AND expires_at > :now AND contains(#message, :term)',
          ExpressionAttributeNames: { '#message': 'message' },
          ExpressionAttributeValues: { ':act': 'ACT#', ':meta': 'META', ':now': now, ':term': term },
          ExclusiveStartKey: start,
        }),
      );
      found.push(...((out.Items ?? []) as ActivityItem[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return found.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, limit);
  }

  private async feed(pk: string, now: string, limit: number): Promise<ActivityItem[]> {
    const entries = await this.table.query<EntryItem>(
      {
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'expires_at > :now',
        ExpressionAttributeValues: { ':pk': pk, ':now': now },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    return this.hydrate(entries);
  }

  /** Pointer rows → META items (one BatchGetItem), keeping the order. */
  private hydrate(entries: EntryItem[]): Promise<ActivityItem[]> {
    return this.table.batchGet<ActivityItem>(entries.map((e) => keys.activity(e.activity_uuid)));
  }
}
