import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../errors.js';
import { keys } from '../keys.js';

export interface NotificationItem {
  notification_uuid: string;
  type: 'reply' | 'message';
  recipient_user_uuid: string;
  actor_uuid: string;
  actor_handle: string;
  actor_display_name: string;
  activity_uuid?: string;
  /** The message group, stored as `group_uuid`: `message_group_uuid` is reserved for member rows (sparse GSI). */
  group_uuid?: string;
  message: string;
  created_at: string;
}

export class NotificationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Put-if-absent; `false` when a previous attempt already wrote it. */
  async putIfAbsent(item: NotificationItem): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.notification(item.recipient_user_uuid, item.created_at, item.notification_uuid), ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
