import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** Something that starts calls being traced (a channel subscription, or patched functions). */
export interface Switch {
  on(): void;
  off(): void;
}

type Listener = (message: unknown, name: string | symbol) => void;

/**
 * The subscriptions of one client library. Turning it off stops new calls from being traced at
 * once, but keeps the channels that finish calls until the calls already under way are closed:
 * uninstalling in the middle of a call must not leave its subsegment open forever.
 */
export class Subscriptions {
  readonly #entry: Switch;
  readonly #finishers: ReadonlyArray<readonly [string, Listener]>;
  #active = false;
  #finishersSubscribed = false;
  #open = 0;

  constructor(entry: Switch, finishers: ReadonlyArray<readonly [string, Listener]>) {
    this.#entry = entry;
    this.#finishers = finishers;
  }

  /** Starts tracing new calls. */
  on(): void {
    if (this.#active) return;
    this.#active = true;
    if (!this.#finishersSubscribed) {
      for (const [name, listener] of this.#finishers) subscribe(name, listener);
      this.#finishersSubscribed = true;
    }
    this.#entry.on();
  }

  /** Stops tracing new calls; the finishing channels go once no call is open. */
  off(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#entry.off();
    this.#release();
  }

  /** A call's subsegment was opened. */
  opened(): void {
    this.#open++;
  }

  /** A call's subsegment was closed. */
  closed(): void {
    this.#open--;
    this.#release();
  }

  #release(): void {
    if (this.#active || this.#open > 0 || !this.#finishersSubscribed) return;
    for (const [name, listener] of this.#finishers) unsubscribe(name, listener);
    this.#finishersSubscribed = false;
  }
}

/** A {@link Switch} that subscribes one channel. */
export function channelSwitch(name: string, listener: Listener): Switch {
  return { on: () => subscribe(name, listener), off: () => unsubscribe(name, listener) };
}
