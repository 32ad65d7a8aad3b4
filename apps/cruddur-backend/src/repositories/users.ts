import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../errors.js';
import { type UserItem } from '../model.js';
import { keys } from './keys.js';
import { type Table } from './table.js';

export class UserRepository {
  constructor(private readonly table: Table) {}

  get(handle: string): Promise<UserItem | undefined> {
    return this.table.get<UserItem>(keys.user(handle));
  }

  /** Seed / sign-up: create the profile unless it exists. */
  putIfAbsent(user: UserItem): Promise<boolean> {
    return this.table.putIfAbsent({ ...user, ...keys.user(user.handle) });
  }

  /** Single-item update; `undefined` when the profile does not exist. */
  async updateProfile(handle: string, displayName: string, bio: string): Promise<UserItem | undefined> {
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.user(handle),
          UpdateExpression: 'SET display_name = :display_name, bio = :bio',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':display_name': displayName, ':bio': bio },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as UserItem | undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * `cruds_count` is derived, never incremented: count the user's feed rows
   * (one per activity, written put-if-absent) and raise the stored counter to
   * that number. Repeating it never double counts; concurrent runs converge
   * on the full count because the last count to run sees every row.
   */
  async refreshCrudsCount(handle: string): Promise<number> {
    const count = await this.table.count(keys.userFeedPk(handle));
    await this.table.raiseCounter(keys.user(handle), 'cruds_count', count);
    return count;
  }
}
