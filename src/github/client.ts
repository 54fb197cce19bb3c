/**
 * The GitHub REST client: Octokit with GitHub's rate-limit etiquette built in —
 * `plugin-throttling` queues writes and waits out primary and secondary rate limits (at
 * most twice per request), `plugin-retry` retries server errors with back-off. The base
 * URL comes from GITHUB_API_URL, so GitHub Enterprise Server and local test servers work.
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

export function createClient(options: ClientOptions): GitHubClient {
  const log = options.log ?? QUIET;
  const warn = (m: string) => log.warn(m);
  const base = options.retryAfterBaseValue ?? 1000;
  return new GitHub({
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
}
