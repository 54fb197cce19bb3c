/**
 * A client for OpenAI-compatible chat completions (vLLM, Ollama, llama.cpp, TGI, OpenAI,
 * Azure OpenAI): keep-alive pooling, per-attempt timeout, retries with backoff and
 * Retry-After, an optional rate cap. It knows nothing of suites or targets, so anything
 * that needs a chat model — the `openai` target, an LLM judge — calls it the same way.
 */

import { AttemptError, statusFailure } from "./failure.js";
import { HttpClient } from "./http-client.js";
import type { ChatMessage } from "./messages.js";
import { RateLimiter } from "./rate-limit.js";
import { type RetryOptions, type RetryPolicy, withRetries } from "./retry.js";
import { type Answer, normaliseToolCalls } from "./tool-calls.js";

export interface ChatEndpoint {
  baseUrl: string;
  model: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Extra body parameters (temperature, max_tokens, seed, …). */
  params?: Record<string, unknown>;
  timeoutMs: number;
  retry: RetryPolicy;
  requestsPerMinute?: number;
  /** Connections kept open to the server: the most requests in flight at once. */
  connections: number;
  /** A proxy for this endpoint, over the environment's (see http-client.ts). */
  proxy?: string;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  /** Parameters for this request only, over the endpoint's (e.g. a per-sample seed). */
  params?: Record<string, unknown>;
  onRetry?: RetryOptions["onRetry"];
}

/** `${base}/chat/completions`, keeping a query string (Azure's `?api-version=`) in place. */
export function chatCompletionsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url.toString();
}

/** The text of a chat completion, or why there is none. */
export function completionText(body: string): string {
  const answer = completionAnswer(body, false);
  return answer.response ?? "";
}

/**
 * The text and tool calls of a chat completion, or why there are none. With `tools`, an
 * answer may be calls alone (`content: null`); a call that cannot be read is retried, as a
 * malformed body is.
 */
export function completionAnswer(body: string, tools = true): Answer {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new AttemptError(
      `malformed response: not JSON (${body.length} bytes${body.length ? `, ends …${JSON.stringify(body.slice(-20))}` : ""})`,
      "retryable",
    );
  }
  const choice = (doc as { choices?: unknown[] } | null)?.choices?.[0] as
    | { message?: { content?: unknown; refusal?: unknown; tool_calls?: unknown }; finish_reason?: unknown }
    | undefined;
  const message = choice?.message;
  if (!message || typeof message !== "object") {
    throw new AttemptError("malformed response: no choices[0].message", "retryable");
  }
  if (tools) {
    const { calls, problem } = normaliseToolCalls(message.tool_calls);
    if (problem)
      throw new AttemptError(`malformed response: choices[0].message.tool_calls: ${problem}`, "retryable");
    if (calls && calls.length > 0) {
      const text =
        typeof message.content === "string" && message.content !== "" ? message.content : undefined;
      return text === undefined ? { tool_calls: calls } : { response: text, tool_calls: calls };
    }
  }
  if (typeof message.content === "string" && message.content !== "") return { response: message.content };
  // OpenAI reports a model's refusal apart from the content; for a safety gate it is the answer.
  if (typeof message.refusal === "string" && message.refusal !== "") return { response: message.refusal };
  if (choice?.finish_reason === "content_filter") {
    throw new AttemptError("the provider's content filter withheld the response", "final");
  }
  if (typeof message.content === "string") return { response: message.content };
  throw new AttemptError("malformed response: choices[0].message.content is not text", "retryable");
}

export class ChatCompletionsClient {
  readonly url: string;
  private readonly http: HttpClient;
  private readonly limiter: RateLimiter;
  private readonly headers: Record<string, string>;

  constructor(private readonly endpoint: ChatEndpoint) {
    this.url = chatCompletionsUrl(endpoint.baseUrl);
    this.http = new HttpClient(endpoint.connections, { proxy: endpoint.proxy });
    this.limiter = new RateLimiter(endpoint.requestsPerMinute);
    this.headers = {
      "content-type": "application/json",
      accept: "application/json",
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
      ...endpoint.headers,
    };
  }

  /** The request body for these messages: what is sent, and what a cache key covers. */
  body(messages: readonly ChatMessage[], params?: Record<string, unknown>): Record<string, unknown> {
    return { ...this.endpoint.params, ...params, model: this.endpoint.model, messages };
  }

  async complete(messages: readonly ChatMessage[], options: CompleteOptions = {}): Promise<string> {
    return this.post(this.body(messages, options.params), options);
  }

  /**
   * Sends a body made by `body()`, or its JSON: callers that key a cache or a journal on
   * the request serialise it once, for the key and the wire alike.
   */
  async post(
    body: Record<string, unknown> | string,
    options: Omit<CompleteOptions, "params"> = {},
  ): Promise<string> {
    return (await this.postFor(body, options, false)).response ?? "";
  }

  /** Like `post`, with the answer's tool calls (an agent's request carries `tools`). */
  async postFor(
    body: Record<string, unknown> | string,
    options: Omit<CompleteOptions, "params"> = {},
    tools = true,
  ): Promise<Answer> {
    const json = typeof body === "string" ? body : JSON.stringify(body);
    return withRetries(
      async () => {
        const res = await this.http.send({
          url: this.url,
          method: "POST",
          headers: this.headers,
          body: json,
          timeoutMs: this.endpoint.timeoutMs,
          signal: options.signal,
        });
        if (res.status < 200 || res.status > 299) {
          throw (
            contentFilterFailure(res.status, res.text) ?? statusFailure(res.status, res.text, res.headers)
          );
        }
        return completionAnswer(res.text, tools);
      },
      {
        policy: this.endpoint.retry,
        limiter: this.limiter,
        signal: options.signal,
        onRetry: options.onRetry,
      },
    );
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** Azure OpenAI answers a filtered prompt with HTTP 400 `content_filter`: an error case, not a bad request. */
function contentFilterFailure(status: number, body: string): AttemptError | undefined {
  if (status !== 400 || !body.includes("content_filter")) return undefined;
  return new AttemptError(
    "the provider's content filter blocked the prompt (HTTP 400 content_filter)",
    "final",
  );
}
