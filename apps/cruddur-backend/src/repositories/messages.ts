import { type GroupMemberItem, type MessageItem, type UserItem } from '../model.js';
import { GROUP_SK_PREFIX, keys } from './keys.js';
import { type Table } from './table.js';

export class MessageRepository {
  constructor(private readonly table: Table) {}

  /** The caller's own row of a group (strongly consistent GetItem); `undefined` = not a member. */
  getMembership(userUuid: string, groupUuid: string): Promise<GroupMemberItem | undefined> {
    return this.table.get<GroupMemberItem>(keys.groupMember(userUuid, groupUuid));
  }

  /** Pattern B: all my rows, newest conversation first. */
  async listGroups(userUuid: string, limit: number): Promise<GroupMemberItem[]> {
    const rows = await this.myRows(userUuid);
    return rows.sort((a, b) => b.last_message_sk.localeCompare(a.last_message_sk)).slice(0, limit);
  }

  /** The existing two-member group between me and `otherUuid`, if any. */
  async findGroupBetween(userUuid: string, otherUuid: string): Promise<string | undefined> {
    const rows = await this.myRows(userUuid);
    return rows.find((row) => row.user_uuid === otherUuid)?.message_group_uuid;
  }

  /** Step 1 of a message write: the claim item, put-if-absent (retry → the stored one). */
  claimMessage(item: MessageItem): Promise<{ item: MessageItem; created: boolean }> {
    return this.table.claim<MessageItem>({ ...item, ...keys.message(item.message_uuid) });
  }

  /** Step 2: the conversation entry `MSG#<group>` / `<created_at>#<uuid>`, put-if-absent. */
  async putConversationEntry(item: MessageItem): Promise<void> {
    await this.table.putIfAbsent({
      ...item,
      pk: keys.conversationPk(item.group_uuid),
      sk: item.message_sk,
    });
  }

  /** Pattern A: the last `limit` messages, oldest first. */
  async listMessages(groupUuid: string, limit: number): Promise<MessageItem[]> {
    const rows = await this.table.query<MessageItem>(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.conversationPk(groupUuid) },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    return rows.reverse();
  }

  /**
   * Pattern D: one row per member, put-if-absent, each carrying `last` as its
   * last message. Returns how many rows already existed (then the caller must
   * fan the message out, since those rows may show an older message).
   */
  async createMemberRows(groupUuid: string, a: UserItem, b: UserItem, last: MessageItem): Promise<number> {
    const row = (owner: UserItem, other: UserItem): GroupMemberItem & { pk: string; sk: string } => ({
      ...keys.groupMember(owner.user_uuid, groupUuid),
      owner_user_uuid: owner.user_uuid,
      message_group_uuid: groupUuid,
      user_uuid: other.user_uuid,
      user_handle: other.handle,
      user_display_name: other.display_name,
      message: last.message,
      last_message_at: last.created_at,
      last_message_sk: last.message_sk,
    });
    const written = await Promise.all([
      this.table.putIfAbsent(row(a, b)),
      this.table.putIfAbsent(row(b, a)),
    ]);
    return written.filter((w) => !w).length;
  }

  private myRows(userUuid: string): Promise<GroupMemberItem[]> {
    return this.table.query<GroupMemberItem>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.groupMemberPk(userUuid), ':prefix': GROUP_SK_PREFIX },
    });
  }
}
