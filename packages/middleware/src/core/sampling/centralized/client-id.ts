import { randomBytes } from 'node:crypto';

let processClientId: string | undefined;

/**
 * The `ClientID` this process reports sampling statistics under: 24 random hex digits, the same
 * for every sampler in the process, because the service splits a rule's reservoir between clients
 * and a process is one client.
 */
export function samplingClientId(): string {
  return (processClientId ??= randomBytes(12).toString('hex'));
}

/** True for a valid `ClientID`: exactly 24 hex digits. */
export function isClientId(value: string): boolean {
  return /^[0-9a-f]{24}$/i.test(value);
}
