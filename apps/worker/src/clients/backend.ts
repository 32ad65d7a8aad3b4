import { type Logger } from '../deps.js';
import { WorkerError } from '../errors.js';

export interface UserShort {
  uuid: string;
  handle: string;
  display_name: string;
}

/**
 * Calls from the worker back to the backend (which owns users). One place
 * for an outgoing-HTTP subsegment and trace-header injection. Unreachable
 * backend or unexpected answer → 502 `["backend_unavailable"]`.
 */
export class BackendClient {
  constructor(
    private readonly baseUrl: string,
    private readonly logger: Logger,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly timeoutMs = 3000,
  ) {}

  /** `GET /api/users/@:handle/short`; `undefined` when the backend answers 404. */
  async userShort(handle: string): Promise<UserShort | undefined> {
    const path = `/api/users/@${encodeURIComponent(handle)}/short`;
    let response: Response;
    try {
      response = await this.fetchFn(new URL(path, this.baseUrl), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.unavailable(path, err instanceof Error ? err.message : String(err));
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (!response.ok || !isUserShort(body)) throw this.unavailable(path, `status ${response.status}`);
    return body;
  }

  private unavailable(path: string, reason: string): WorkerError {
    this.logger.warn('backend call failed', { path, reason });
    return new WorkerError(502, ['backend_unavailable']);
  }
}

function isUserShort(value: unknown): value is UserShort {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.uuid === 'string' && typeof v.handle === 'string' && typeof v.display_name === 'string';
}
