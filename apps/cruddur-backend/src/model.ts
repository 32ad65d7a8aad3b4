// Stored items (single table `cruddur-messages`) and the API shapes built from them.

/** `USR#<handle>` / `PROFILE` */
export interface UserItem {
  user_uuid: string;
  handle: string;
  display_name: string;
  bio: string;
  created_at: string;
  cruds_count: number;
}

/** `ACT#<uuid>` / `META`: an activity, or a reply when `reply_to_activity_uuid` is set. */
export interface ActivityItem {
  uuid: string;
  user_uuid: string;
  handle: string;
  display_name: string;
  message: string;
  created_at: string;
  expires_at: string;
  /** Epoch seconds, for DynamoDB TTL where it exists. */
  ttl: number;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  reply_to_activity_uuid?: string;
}

/**
 * `MSGID#<uuid>` / `META`: the claim item of a direct message; the same
 * attributes are copied into the conversation entry `MSG#<group>`. The group
 * is stored as `group_uuid`, never `message_group_uuid`: that attribute is the
 * GSI hash key and only member rows may carry it (sparse index).
 */
export interface MessageItem {
  message_uuid: string;
  group_uuid: string;
  /** Sort key of the conversation entry: `<created_at>#<message_uuid>`. */
  message_sk: string;
  user_uuid: string;
  user_handle: string;
  user_display_name: string;
  message: string;
  created_at: string;
}

/** `GRP#<owner_user_uuid>` / `MG#<message_group_uuid>`: one row per member; user_* = the other member. */
export interface GroupMemberItem {
  owner_user_uuid: string;
  message_group_uuid: string;
  user_uuid: string;
  user_handle: string;
  user_display_name: string;
  message: string;
  last_message_at: string;
  last_message_sk: string;
}

/** `NTF#<user_uuid>` / `<created_at>#<notification_uuid>` (written by the worker). */
export interface NotificationItem {
  notification_uuid: string;
  type: 'reply' | 'message';
  actor_uuid: string;
  actor_handle: string;
  actor_display_name: string;
  activity_uuid?: string;
  /** Stored as `group_uuid` (see MessageItem: keeps the GSI sparse). */
  group_uuid?: string;
  message: string;
  created_at: string;
}

export interface Activity {
  uuid: string;
  display_name: string;
  handle: string;
  message: string;
  created_at: string;
  expires_at: string;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  reply_to_activity_uuid?: string;
}

export interface Reply {
  uuid: string;
  reply_to_activity_uuid: string;
  display_name: string;
  handle: string;
  message: string;
  created_at: string;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
}

export interface Notification {
  uuid: string;
  type: 'reply' | 'message';
  display_name: string;
  handle: string;
  message: string;
  created_at: string;
  expires_at: null;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  activity_uuid?: string;
  message_group_uuid?: string;
}

export interface Message {
  uuid: string;
  display_name: string;
  handle: string;
  message: string;
  created_at: string;
}

export interface MessageGroup {
  uuid: string;
  display_name: string;
  handle: string;
  message: string;
  created_at: string;
}

export interface UserShort {
  uuid: string;
  handle: string;
  display_name: string;
}

export interface Profile extends UserShort {
  bio: string;
  cruds_count: number;
}

export function toActivity(item: ActivityItem): Activity {
  const activity: Activity = {
    uuid: item.uuid,
    display_name: item.display_name,
    handle: item.handle,
    message: item.message,
    created_at: item.created_at,
    expires_at: item.expires_at,
    likes_count: item.likes_count,
    replies_count: item.replies_count,
    reposts_count: item.reposts_count,
  };
  if (item.reply_to_activity_uuid) activity.reply_to_activity_uuid = item.reply_to_activity_uuid;
  return activity;
}

export function toReply(item: ActivityItem): Reply {
  return {
    uuid: item.uuid,
    reply_to_activity_uuid: item.reply_to_activity_uuid ?? '',
    display_name: item.display_name,
    handle: item.handle,
    message: item.message,
    created_at: item.created_at,
    likes_count: item.likes_count,
    replies_count: item.replies_count,
    reposts_count: item.reposts_count,
  };
}

export function toMessage(item: MessageItem): Message {
  return {
    uuid: item.message_uuid,
    display_name: item.user_display_name,
    handle: item.user_handle,
    message: item.message,
    created_at: item.created_at,
  };
}

export function toMessageGroup(item: GroupMemberItem): MessageGroup {
  return {
    uuid: item.message_group_uuid,
    display_name: item.user_display_name,
    handle: item.user_handle,
    message: item.message,
    created_at: item.last_message_at,
  };
}

export function toNotification(item: NotificationItem): Notification {
  const n: Notification = {
    uuid: item.notification_uuid,
    type: item.type,
    display_name: item.actor_display_name,
    handle: item.actor_handle,
    message: item.message,
    created_at: item.created_at,
    expires_at: null,
    likes_count: 0,
    replies_count: 0,
    reposts_count: 0,
  };
  if (item.activity_uuid) n.activity_uuid = item.activity_uuid;
  if (item.group_uuid) n.message_group_uuid = item.group_uuid;
  return n;
}

export function toUserShort(item: UserItem): UserShort {
  return { uuid: item.user_uuid, handle: item.handle, display_name: item.display_name };
}

export function toProfile(item: UserItem): Profile {
  return { ...toUserShort(item), bio: item.bio, cruds_count: item.cruds_count };
}
