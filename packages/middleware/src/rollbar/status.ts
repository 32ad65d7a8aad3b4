/** The HTTP status an error asks for (`status` or `statusCode`, as http-errors and Fastify set it). */
export function errorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  return status !== undefined && Number.isInteger(status) ? status : undefined;
}

/** True for errors answered with a 4xx: the client's mistake, not the service's fault. */
export function isClientError(error: unknown): boolean {
  const status = errorStatus(error);
  return status !== undefined && status >= 400 && status < 500;
}
