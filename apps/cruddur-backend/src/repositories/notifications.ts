import { type NotificationItem } from '../model.js';
import { keys } from './keys.js';
import { type Table } from './table.js';

/** Read side only: the worker writes notifications. */
export class NotificationRepository {
  constructor(private readonly table: Table) {}

  list(userUuid: string, limit: number): Promise<NotificationItem[]> {
    return this.table.query<NotificationItem>(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.notificationsPk(userUuid) },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
  }
}
