import { type BackendClient } from '../clients/backend.js';
import { skewOf } from '../clock-skew.js';
import { WorkerError } from '../errors.js';
import { newUuid, uuidFromName } from '../ids.js';
import { type NotificationRepository } from '../repositories/notifications.js';

export interface NotificationRequest {
  type: 'reply' | 'message';
  recipient_user_uuid: string;
  actor_handle: string;
  activity_uuid?: string;
  message_group_uuid?: string;
  message: string;
  /** The source event (reply or message uuid). With `created_at`, makes the call idempotent. */
  event_uuid?: string;
  created_at?: string;
}

/**
 * Resolve the actor through the backend (`/api/users/@:handle/short`), then
 * write one NTF item put-if-absent. With `event_uuid` + `created_at` the
 * notification id and key are derived from the event, so a retry returns
 * the same `notification_uuid` and writes nothing new.
 */
export async function notify(
  backend: BackendClient,
  notifications: NotificationRepository,
  request: NotificationRequest,
  now: () => number = Date.now,
): Promise<{ notification_uuid: string; created: boolean }> {
  // `created_at` is the notification's sort key, and the list is read newest first: a time in the
  // future would pin the item on top of the recipient's list. An old time only files it lower,
  // and the backend's retry of an old reply or message reuses its stored time, so the past is fine.
  if (request.created_at !== undefined && skewOf(request.created_at, now()) === 'future') {
    throw new WorkerError(422, ['created_at_out_of_range']);
  }
  const actor = await backend.userShort(request.actor_handle);
  if (!actor) throw new WorkerError(422, ['actor_unknown']);

  const notificationUuid = request.event_uuid
    ? uuidFromName(`notification:${request.type}:${request.event_uuid}:${request.recipient_user_uuid}`)
    : newUuid();
  const created = await notifications.putIfAbsent({
    notification_uuid: notificationUuid,
    type: request.type,
    recipient_user_uuid: request.recipient_user_uuid,
    actor_uuid: actor.uuid,
    actor_handle: actor.handle,
    actor_display_name: actor.display_name,
    activity_uuid: request.activity_uuid,
    group_uuid: request.message_group_uuid,
    message: request.message,
    created_at: request.created_at ?? new Date().toISOString(),
  });
  return { notification_uuid: notificationUuid, created };
}
