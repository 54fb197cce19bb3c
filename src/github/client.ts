/**
 * The GitHub REST client: Octokit with GitHub's rate-limit etiquette built in —
 * `plugin-throttling` queues writes and waits out primary and secondary rate limits (at
 * most twice per request), `plugin-retry` retries server errors with back-off. The base
 * URL comes from GITHUB_API_URL, so GitHub Enterprise Server and local test servers work.
 * Every string sent is made well-formed first (see `wellFormed`): this is the one place
 * all comment, check-run, annotation and status text passes through.
 */
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { VERSION } from "../version.js";

const GitHub = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface ClientOptions {
  token: string;
  apiUrl: string;
  log?: { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Milliseconds per second of `retry-after` (tests shrink it); 1000 in production. */
  retryAfterBaseValue?: number;
  /** Queue writes the way GitHub asks (one a second, notifications one per 3 s); tests may turn it off. */
  throttle?: boolean;
}

const RETRIES_ON_LIMIT = 2;

/** Octokit's own request lines stay quiet: WriteAccess reports each refused or failed write once. */
const QUIET = {
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.warn(m),
  error: () => {},
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `value` with every lone UTF-16 surrogate in its strings replaced by U+FFFD. Model output
 * cut mid-emoji (or a byte-level tokenizer's fragment) leaves a lone surrogate; JSON.stringify
 * sends it as a `\ud800` escape, which GitHub shows literally or refuses. What the
 * replacement character stands for is still visible; the escape is noise.
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD") as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wellFormed(v)])) as T;
  }
  return value;
}

/** Request options that are not sent as text (transport settings: fetch, hooks, signal). */
const TRANSPORT = new Set(["request", "headers", "mediaType"]);

export function createClient(options: ClientOptions): GitHubClient {
  const log = options.log ?? QUIET;
  const warn = (m: string) => log.warn(m);
  const base = options.retryAfterBaseValue ?? 1000;
  const gh = new GitHub({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: `safety-gate/${VERSION}`,
    log,
    throttle: {
      enabled: options.throttle ?? true,
      retryAfterBaseValue: base,
      onRateLimit: (after: number, req: { method: string; url: string }, _o: unknown, count: number) => {
        warn(`GitHub rate limit on ${req.method} ${req.url}; retrying after ${after}s`);
        return count < RETRIES_ON_LIMIT;
      },
      onSecondaryRateLimit: (
        after: number,
        req: { method: string; url: string },
        _o: unknown,
        count: number,
      ) => {
        warn(`GitHub secondary rate limit on ${req.method} ${req.url}; retrying after ${after}s`);
        return count < RETRIES_ON_LIMIT;
      },
    },
    retry: { retryAfterBaseValue: base },
  });
  gh.hook.before("request", (req) => {
    const params = req as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(params)) if (!TRANSPORT.has(k)) params[k] = wellFormed(v);
  });
  return gh;
}
