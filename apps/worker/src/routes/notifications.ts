import { type FastifyInstance } from 'fastify';
import { type BackendClient } from '../clients/backend.js';
import { type NotificationRepository } from '../repositories/notifications.js';
import { notify, type NotificationRequest } from '../services/notifications.js';
import { notificationSchema } from './schemas.js';

export function notificationRoutes(
  app: FastifyInstance,
  backend: BackendClient,
  notifications: NotificationRepository,
  now: () => number,
): void {
  app.post<{ Body: NotificationRequest }>('/internal/notifications', { schema: notificationSchema }, async (req) => {
    const { notification_uuid } = await notify(backend, notifications, req.body, now);
    return { notification_uuid };
  });
}
