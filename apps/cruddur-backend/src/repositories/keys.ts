// Every key of the single table in one place. See apps/README.md for the access patterns.

export interface Key {
  pk: string;
  sk: string;
}

export const HOME_FEED_PK = 'FEED#home';
export const REPLY_SK_PREFIX = 'RPL#';
export const GROUP_SK_PREFIX = 'MG#';
export const MESSAGE_GROUP_INDEX = 'message-group-sk-index';

export const keys = {
  user: (handle: string): Key => ({ pk: `USR#${handle}`, sk: 'PROFILE' }),
  activity: (uuid: string): Key => ({ pk: `ACT#${uuid}`, sk: 'META' }),
  activityPk: (uuid: string): string => `ACT#${uuid}`,
  replyEntry: (parentUuid: string, createdAt: string, uuid: string): Key => ({
    pk: `ACT#${parentUuid}`,
    sk: `${REPLY_SK_PREFIX}${createdAt}#${uuid}`,
  }),
  homeFeedEntry: (createdAt: string, uuid: string): Key => ({ pk: HOME_FEED_PK, sk: `${createdAt}#${uuid}` }),
  userFeedPk: (handle: string): string => `UACT#${handle}`,
  userFeedEntry: (handle: string, createdAt: string, uuid: string): Key => ({
    pk: `UACT#${handle}`,
    sk: `${createdAt}#${uuid}`,
  }),
  groupMemberPk: (userUuid: string): string => `GRP#${userUuid}`,
  groupMember: (userUuid: string, groupUuid: string): Key => ({
    pk: `GRP#${userUuid}`,
    sk: `${GROUP_SK_PREFIX}${groupUuid}`,
  }),
  message: (uuid: string): Key => ({ pk: `MSGID#${uuid}`, sk: 'META' }),
  messageSk: (createdAt: string, uuid: string): string => `${createdAt}#${uuid}`,
  conversationPk: (groupUuid: string): string => `MSG#${groupUuid}`,
  notificationsPk: (userUuid: string): string => `NTF#${userUuid}`,
};
