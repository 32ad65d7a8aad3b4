import { type Logger } from '../deps.js';
import { ServiceError } from '../errors.js';

/** The header that carries the shared secret of internal calls (the worker's name for it). */
export const INTERNAL_TOKEN_HEADER = 'x-cruddur-internal-token';

export type ModerationKind = 'activity' | 'reply' | 'message';

export interface ModerationResult {
  allowed: boolean;
  reasons: string[];
}

export interface FanoutRequest {
  message_group_uuid: string;
  sk: string;
  message: string;
  sender_user_uuid: string;
  message_uuid?: string;
}

export interface NotificationRequest {
  type: 'reply' | 'message';
  recipient_user_uuid: string;
  actor_handle: string;
  activity_uuid?: string;
  message_group_uuid?: string;
  message: string;
  /** Source event (reply / message uuid): makes the notification idempotent. */
  event_uuid?: string;
  /** Time of the source event, required with `event_uuid`. */
  created_at?: string;
}

/**
 * Every call from the backend to the worker goes through here (one place for
 * an outgoing-HTTP subsegment and trace-header injection). Any failure —
 * refused connection, timeout, non-2xx answer, malformed body — becomes
 * 502 `["worker_unavailable"]`.
 */
export class WorkerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly logger: Logger,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly timeoutMs = 5000,
    private readonly internalToken?: string,
  ) {}

  async moderate(kind: ModerationKind, message: string, handle: string): Promise<ModerationResult> {
    const body = await this.post('/internal/moderate', { kind, message, handle });
    if (typeof body.allowed !== 'boolean') throw this.unavailable('/internal/moderate', 'malformed answer');
    const reasons = Array.isArray(body.reasons) ? body.reasons.map(String) : [];
    return { allowed: body.allowed, reasons };
  }

  async fanout(request: FanoutRequest): Promise<{ updated: number }> {
    const body = await this.post('/internal/message-groups/fanout', request);
    return { updated: typeof body.updated === 'number' ? body.updated : 0 };
  }

  async notify(request: NotificationRequest): Promise<{ notification_uuid: string }> {
    const body = await this.post('/internal/notifications', request);
    if (typeof body.notification_uuid !== 'string') {
      throw this.unavailable('/internal/notifications', 'malformed answer');
    }
    return { notification_uuid: body.notification_uuid };
  }

  private async post(path: string, payload: object): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.fetchFn(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.internalToken ? { [INTERNAL_TOKEN_HEADER]: this.internalToken } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.unavailable(path, err instanceof Error ? err.message : String(err));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (!response.ok || typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw this.unavailable(path, `status ${response.status}`, body);
    }
    return body as Record<string, unknown>;
  }

  private unavailable(path: string, reason: string, body?: unknown): ServiceError {
    this.logger.warn('worker call failed', { path, reason, body });
    return new ServiceError(502, ['worker_unavailable']);
  }
}
