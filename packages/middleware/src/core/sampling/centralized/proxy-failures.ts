import type { Diagnostics } from '../../diagnostics.js';
import { SamplingProxyError } from './proxy-client.js';

/**
 * Reports sampling-proxy trouble at the right volume. No proxy at all is normal on a laptop or
 * wherever no daemon runs: one debug line. A proxy that answered before and stopped, or one that
 * answers nonsense, is worth one warning per kind; recovery is announced once it happens.
 */
export class ProxyFailureReporter {
  readonly #diagnostics: Diagnostics;
  readonly #address: string;
  #failing = false;

  constructor(diagnostics: Diagnostics, address: string) {
    this.#diagnostics = diagnostics;
    this.#address = address;
  }

  /** A call failed; `everAnswered` says whether this proxy ever gave us rules. */
  failed(operation: string, err: unknown, everAnswered: boolean): void {
    this.#failing = true;
    const kind = err instanceof SamplingProxyError ? err.kind : 'http';
    const detail = err instanceof Error ? err.message : String(err);
    if (kind === 'unreachable' && !everAnswered) {
      this.#diagnostics.once(
        'debug',
        `sampling-proxy:absent:${this.#address}`,
        `no X-Ray sampling proxy answers at ${this.#address} (${detail}); the local sampling rules apply until one does`,
      );
      return;
    }
    this.#diagnostics.once(
      'warn',
      `sampling-proxy:${operation}:${kind}:${this.#address}`,
      `centralized sampling: ${operation} failed (${detail}); the last rules fetched stay in force for up to an hour, then the local rules apply. Further ${kind} failures are not reported.`,
    );
  }

  /** A call succeeded. */
  succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#diagnostics.debug(`the X-Ray sampling proxy at ${this.#address} answers again`);
  }

  /** Reports once that the cached rules expired and the local rules took over. */
  expired(): void {
    this.#diagnostics.once(
      'warn',
      `sampling-proxy:expired:${this.#address}`,
      `centralized sampling: no rules from ${this.#address} for over an hour; the local sampling rules apply until the proxy answers again`,
    );
  }
}
