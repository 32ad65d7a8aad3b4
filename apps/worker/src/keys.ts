// The keys the worker writes; the backend's src/repositories/keys.ts is the full list.

export const MESSAGE_GROUP_INDEX = 'message-group-sk-index';

export const keys = {
  notification: (userUuid: string, createdAt: string, notificationUuid: string): { pk: string; sk: string } => ({
    pk: `NTF#${userUuid}`,
    sk: `${createdAt}#${notificationUuid}`,
  }),
  groupMemberPk: (userUuid: string): string => `GRP#${userUuid}`,
  conversationPk: (groupUuid: string): string => `MSG#${groupUuid}`,
};
