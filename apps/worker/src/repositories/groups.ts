import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../errors.js';
import { MESSAGE_GROUP_INDEX, keys } from '../keys.js';

/** A member row `GRP#<owner_user_uuid>` / `MG#<message_group_uuid>` as the GSI returns it. */
export interface GroupMemberRow {
  pk: string;
  sk: string;
  owner_user_uuid: string;
  message_group_uuid: string;
  last_message_sk?: string;
}

/** The fields of a conversation entry the fan-out checks. */
export interface StoredMessage {
  message: string;
  user_uuid: string;
  message_uuid: string;
}

export interface LastMessage {
  sk: string;
  message: string;
  created_at: string;
  message_uuid?: string;
}

export class GroupRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every member row of a group: GSI `message-group-sk-index`, all pages. */
  async members(groupUuid: string): Promise<GroupMemberRow[]> {
    const rows: GroupMemberRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: MESSAGE_GROUP_INDEX,
          KeyConditionExpression: 'message_group_uuid = :g',
          ExpressionAttributeValues: { ':g': groupUuid },
          ExclusiveStartKey: start,
        }),
      );
      rows.push(...((out.Items ?? []) as GroupMemberRow[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  /**
   * The message stored in the conversation under `sk` (`MSG#<group>` / `<created_at>#<uuid>`,
   * written by the backend before it fans out), read strongly consistent; `undefined` if none.
   */
  async storedMessage(groupUuid: string, sk: string): Promise<StoredMessage | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.conversationPk(groupUuid), sk },
        ConsistentRead: true,
        ProjectionExpression: '#message, user_uuid, message_uuid',
        ExpressionAttributeNames: { '#message': 'message' },
      }),
    );
    return out.Item as StoredMessage | undefined;
  }

  /**
   * Move one member row to `last` unless it already shows this message or a
   * newer one (`last_message_sk` only ever grows). The row's key never
   * changes, so there is no delete + put to interleave. Returns whether the
   * row changed.
   */
  async advance(row: GroupMemberRow, last: LastMessage): Promise<boolean> {
    try {
      const values: Record<string, unknown> = { ':message': last.message, ':at': last.created_at, ':sk': last.sk };
      let update = 'SET #message = :message, last_message_at = :at, last_message_sk = :sk';
      if (last.message_uuid) {
        update += ', last_message_uuid = :uuid';
        values[':uuid'] = last.message_uuid;
      }
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: row.pk, sk: row.sk },
          UpdateExpression: update,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(last_message_sk) OR last_message_sk < :sk)',
          ExpressionAttributeNames: { '#message': 'message' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
