/**
 * The seam for live targets: something that answers one (case, sample) at a time,
 * retries included. The runner (src/runner) does everything around it — concurrency,
 * journal, resume, cache, progress, secrets — the same way for every kind of target.
 */
import type { LoadedCase } from "../suite/load.js";
import type { Culprit } from "./failure.js";
import type { ChatMessage } from "./messages.js";
import type { RetryOptions, RetryPolicy } from "./retry.js";
import type { TargetIdentity } from "./target.js";
import type { Answer } from "./tool-calls.js";

export interface AnswerContext {
  signal: AbortSignal;
  onRetry?: RetryOptions["onRetry"];
}

export interface Responder {
  readonly identity: TargetIdentity;
  /**
   * Everything besides the request itself that decides the answers (endpoint, build).
   * With `request`, it keys the cache and the journal. Never holds a secret.
   */
  readonly fingerprint: unknown;
  /** Config keys, relative to the target's block, that a fatal failure points at. */
  readonly keys: Partial<Record<Culprit, string>>;
  /**
   * What is sent for this case and sample: the body of the request (no credentials).
   * `history`: in a multi-step agent case, the turns since the case's own (the agent's tool
   * calls and the environment's results), appended to its conversation.
   */
  request(c: LoadedCase, sample: number, history?: readonly ChatMessage[]): unknown;
  /**
   * The response text, or the text and tool calls of an agent's answer.
   * Throws `AttemptError` ("final": an error case; "fatal": stop the run).
   */
  answer(request: unknown, c: LoadedCase, sample: number, ctx: AnswerContext): Promise<string | Answer>;
  close(): Promise<void>;
}

/** How live targets are driven, from the `runner:` config. */
export interface LiveOptions {
  concurrency: number;
  samples: number;
  timeoutMs: number;
  retry: RetryPolicy;
  requestsPerMinute?: number;
}
