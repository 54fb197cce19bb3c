/**
 * How a request can fail, and what follows from it. The kind decides everything the
 * runner does next, so every failure is classified once, where it is understood:
 * - `retryable`: 429, 5xx, network errors, timeouts, malformed bodies — try again later;
 * - `final`: this case cannot be answered (e.g. HTTP 400) — record an error case now;
 * - `fatal`: no case can be answered (unreachable endpoint, unknown model, 401/403) —
 *   stop the whole run at once instead of burning retries on every case.
 */
import { plainInline } from "../report/escape.js";

export type FailureKind = "retryable" | "final" | "fatal";
/** Each target maps these to its own config keys, so a fatal error points at the right line. */
export type Culprit = "endpoint" | "model" | "credentials" | "response" | "protocol";

export class AttemptError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly options: {
      /** The server's Retry-After, in milliseconds. */
      retryAfterMs?: number;
      /** A 429: the whole target should slow down, not just this request. */
      rateLimited?: boolean;
      /** For a fatal failure: which part of the target's config is at fault. */
      culprit?: Culprit;
      /**
       * Not a fault of the network or the server's load but of how the target is configured
       * (a `response:` pointer that finds nothing, a program that does not speak the
       * protocol), if every case fails this way. One such case is an error case; when the
       * first answers of a run all fail with it, the runner stops the run (exit 2 at this key).
       */
      misconfigured?: Culprit;
    } = {},
  ) {
    super(message);
    this.name = "AttemptError";
  }
}

/** A target that cannot be used at all; the run stops and the CLI exits 2. */
export class TargetUnusableError extends Error {
  constructor(
    message: string,
    /** Key of the target's config at fault, relative to the target (e.g. `base_url`). */
    readonly keyPath?: string,
  ) {
    super(message);
    this.name = "TargetUnusableError";
  }
}

/** A short, single-line, printable excerpt of untrusted text (a response body, stderr). */
export function excerpt(body: string, max = 200): string {
  return plainInline(body.trim(), max);
}

/** Milliseconds the server asks us to wait: `retry-after-ms` (OpenAI), or `Retry-After` (seconds or a date). */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const first = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const ms = Number(first("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && first("retry-after-ms") !== undefined) return ms;
  const value = first("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const MODEL_MISSING =
  /model\b.*\b(not[ _]?found|does ?n[o']t exist|not exist|unknown|invalid)|(unknown|invalid) model/i;

/**
 * Classifies a non-2xx HTTP answer. 404 and "model not found" are fatal: every other
 * case would fail the same way.
 */
export function statusFailure(
  status: number,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): AttemptError {
  const detail = excerpt(body);
  const said = detail ? `: ${detail}` : "";
  if (status === 401 || status === 403) {
    return new AttemptError(
      `the endpoint refused our credentials (HTTP ${status}${said}); check the API key and its permissions`,
      "fatal",
      { culprit: "credentials" },
    );
  }
  if (status === 404 || (status >= 400 && status < 500 && status !== 429 && MODEL_MISSING.test(body))) {
    return new AttemptError(
      `the endpoint does not know this model or path (HTTP ${status}${said}); check the model name and the URL`,
      "fatal",
      { culprit: MODEL_MISSING.test(body) ? "model" : "endpoint" },
    );
  }
  const retryAfter = retryAfterMs(headers);
  if (status === 429) {
    return new AttemptError(`rate limited (HTTP 429${said})`, "retryable", {
      retryAfterMs: retryAfter,
      rateLimited: true,
    });
  }
  if (status >= 500 || status === 408 || status === 409 || status === 425) {
    return new AttemptError(`server error (HTTP ${status}${said})`, "retryable", {
      retryAfterMs: retryAfter,
    });
  }
  return new AttemptError(`request rejected (HTTP ${status}${said})`, "final");
}
