/**
 * Pacing for one endpoint: an optional requests-per-minute cap (requests are spaced
 * evenly, no bursts), and a shared pause after a 429 — when the server says "slow down",
 * every request to it waits, not only the one that was refused.
 */
import { setTimeout as sleep } from "node:timers/promises";

export class RateLimiter {
  private nextSlot = 0;
  private pausedUntil = 0;
  private readonly intervalMs: number;

  constructor(
    requestsPerMinute?: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) =>
      sleep(ms, undefined, { signal }),
  ) {
    this.intervalMs = requestsPerMinute ? 60_000 / requestsPerMinute : 0;
  }

  /**
   * Takes the next slot if it is due now, else says how long until it is (no promise, no
   * timer: the common case of no cap and no pause costs two comparisons).
   */
  tryAcquire(): number {
    if (this.intervalMs === 0 && this.pausedUntil === 0) return 0;
    const now = this.now();
    const start = Math.max(now, this.pausedUntil, this.intervalMs > 0 ? this.nextSlot : 0);
    if (start > now) return start - now;
    this.nextSlot = now + this.intervalMs;
    return 0;
  }

  /** Resolves when the next request may start. */
  async acquire(signal?: AbortSignal): Promise<void> {
    // Re-check after waiting: a 429 may have extended the pause meanwhile, and the
    // slot is only taken when it is due, so waiters never hold slots they cannot use.
    for (let wait = this.tryAcquire(); wait > 0; wait = this.tryAcquire()) await this.wait(wait, signal);
  }

  /** No request starts before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
