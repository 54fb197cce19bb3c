/**
 * Retries with exponential backoff and jitter, for any single attempt that throws an
 * `AttemptError`. Only `retryable` failures are retried; the server's Retry-After wins
 * over our own backoff. Used by every live target and by anything else that calls an
 * endpoint (e.g. an LLM judge), so all of them behave alike under faults.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AttemptError } from "./failure.js";
import type { RateLimiter } from "./rate-limit.js";

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** Delay before the first retry; it doubles per retry up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** The longest Retry-After we honour; beyond it the case fails rather than stall CI for hours. */
export const MAX_RETRY_AFTER_MS = 300_000;

export interface RetryOptions {
  policy: RetryPolicy;
  limiter?: RateLimiter;
  signal?: AbortSignal;
  /** Told of every retry (for progress counts). */
  onRetry?: (error: AttemptError, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/** "Equal jitter": half the exponential delay, plus up to as much again at random, so retries spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return ceiling / 2 + random() * (ceiling / 2);
}

export async function withRetries<T>(
  attempt: (attemptNo: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, limiter, signal, random = Math.random } = options;
  for (let n = 0; ; n++) {
    if (limiter && limiter.tryAcquire() > 0) await limiter.acquire(signal);
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof AttemptError) || err.kind !== "retryable") throw err;
      const asked = err.options.retryAfterMs;
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
        throw new AttemptError(
          `${err.message}; the server asked to wait ${Math.round(asked / 1000)} s, more than the ${MAX_RETRY_AFTER_MS / 1000} s we wait`,
          "final",
        );
      }
      if (n >= policy.retries) {
        throw new AttemptError(
          `${err.message} (gave up after ${n + 1} attempt${n === 0 ? "" : "s"})`,
          "final",
          { misconfigured: err.options.misconfigured },
        );
      }
      // A little jitter on top of Retry-After too, so the waiting requests do not return as one burst.
      const delay =
        asked !== undefined ? asked + random() * Math.min(1000, asked / 10) : backoffDelay(policy, n, random);
      if (err.options.rateLimited) limiter?.pause(delay);
      options.onRetry?.(err, n + 1, delay);
      await sleep(delay, undefined, { signal });
    }
  }
}
