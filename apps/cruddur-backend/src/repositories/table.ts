import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../errors.js';
import { type Key } from './keys.js';

type QueryParams = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Thin wrappers over the document client for the operations every repository needs. */
export class Table {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get<T>(key: Key): Promise<T | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
    return out.Item as T | undefined;
  }

  /**
   * Put the item only if no item has its key. Returns `true` when written,
   * `false` when an item was already there (the usual outcome of a retry).
   */
  async putIfAbsent<T extends Key>(item: T): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.name,
          Item: item as unknown as Record<string, unknown>,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Put-if-absent, and return whichever item owns the key afterwards: the
   * new one, or the one a previous attempt wrote.
   */
  async claim<T>(item: Key & T): Promise<{ item: T; created: boolean }> {
    if (await this.putIfAbsent(item)) return { item, created: true };
    const existing = await this.get<T>({ pk: item.pk, sk: item.sk });
    if (!existing) throw new Error(`item ${item.pk}/${item.sk} vanished after a failed put-if-absent`);
    return { item: existing, created: false };
  }

  /** One query page at a time until `max` items are collected or the partition ends. */
  async query<T>(params: QueryParams, max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({ ...params, TableName: this.name, ExclusiveStartKey: start }),
      );
      for (const item of out.Items ?? []) {
        if (items.length >= max) break;
        items.push(item as T);
      }
      start = out.LastEvaluatedKey;
    } while (start && items.length < max);
    return items;
  }

  /** Strongly consistent count of the items under `pk` (whose sort key starts with `skPrefix`, if given). */
  async count(pk: string, skPrefix?: string): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.name,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':prefix': skPrefix } : { ':pk': pk },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return total;
  }

  /**
   * Raise a numeric attribute to `value` unless it is already at least that
   * high. Monotonic, so concurrent and repeated calls converge on the largest
   * value any of them computed.
   */
  async raiseCounter(key: Key, attribute: string, value: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: 'SET #attr = :value',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#attr) OR #attr < :value)',
          ExpressionAttributeNames: { '#attr': attribute },
          ExpressionAttributeValues: { ':value': value },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  /** BatchGetItem in chunks of 100, retrying unprocessed keys; result in the order of `keys`, misses dropped. */
  async batchGet<T>(keyList: Key[]): Promise<T[]> {
    const found = new Map<string, T>();
    for (let i = 0; i < keyList.length; i += 100) {
      let pending: Record<string, unknown>[] = keyList.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        const out = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.name] ?? []) {
          found.set(`${String(item.pk)}\u0000${String(item.sk)}`, item as T);
        }
        pending = out.UnprocessedKeys?.[this.name]?.Keys ?? [];
      }
    }
    const result: T[] = [];
    for (const key of keyList) {
      const item = found.get(`${key.pk}\u0000${key.sk}`);
      if (item) result.push(item);
    }
    return result;
  }
}
