/** What the reservoir allowed for one request. */
export type ReservoirOutcome = 'take' | 'borrow' | 'none';

/**
 * A centralized rule's reservoir. The service hands each client a share of the rule's reservoir
 * (`ReservoirQuota`) valid until `ReservoirQuotaTTL`; until a quota arrives, or once it expired, a
 * rule whose `ReservoirSize` is above 0 may borrow one request a second so a new or cut-off client
 * still records something.
 *
 * Times: `nowMs` is epoch milliseconds from the sampler's clock; the quota's expiry is kept in epoch
 * seconds, the API's unit (one official SDK read it as milliseconds, so its quotas always looked
 * expired).
 */
export class RuleReservoir {
  #quota: number | undefined;
  #quotaExpiresAt: number | undefined;
  #second = Number.NaN;
  #taken = 0;
  #borrowed = 0;

  /** The quota the service assigned, when one did. */
  get quota(): number | undefined {
    return this.#quota;
  }

  /** When the quota expires, in epoch seconds. */
  get quotaExpiresAt(): number | undefined {
    return this.#quotaExpiresAt;
  }

  /** Stores a target's quota and expiry; a missing field keeps the previous value. */
  assign(quota: number | undefined, expiresAtSeconds: number | undefined): void {
    if (quota !== undefined) this.#quota = quota;
    if (expiresAtSeconds !== undefined) this.#quotaExpiresAt = expiresAtSeconds;
  }

  /** True while a quota is known and its TTL has not passed. */
  hasFreshQuota(nowMs: number): boolean {
    return this.#quota !== undefined && this.#quotaExpiresAt !== undefined && nowMs <= this.#quotaExpiresAt * 1000;
  }

  /** Takes from the quota, or borrows when allowed, counting within the current second. */
  next(nowMs: number, canBorrow: boolean): ReservoirOutcome {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#taken = 0;
      this.#borrowed = 0;
    }
    if (this.hasFreshQuota(nowMs)) {
      if (this.#taken >= (this.#quota as number)) return 'none';
      this.#taken++;
      return 'take';
    }
    if (canBorrow && this.#borrowed < 1) {
      this.#borrowed++;
      return 'borrow';
    }
    return 'none';
  }
}
