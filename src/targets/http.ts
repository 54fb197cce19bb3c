/** `http:` any JSON API — a request built from a template, the text picked by a JSON pointer. */
import type { HttpTargetConfig } from "../config/targets.js";
import type { LoadedCase } from "../suite/load.js";
import { AttemptError, excerpt, statusFailure } from "./failure.js";
import { HttpClient } from "./http-client.js";
import { resolvePointer } from "./json-pointer.js";
import { type ChatMessage, lastUserTurn, messagesOf } from "./messages.js";
import { RateLimiter } from "./rate-limit.js";
import type { AnswerContext, LiveOptions, Responder } from "./responder.js";
import { withRetries } from "./retry.js";
import type { TargetIdentity, ToolCall } from "./target.js";
import { renderBody, renderUrl } from "./template.js";
import { type Answer, normaliseToolCalls } from "./tool-calls.js";

interface HttpRequestShape {
  url: string;
  body?: unknown;
}

export class HttpResponder implements Responder {
  readonly identity: TargetIdentity;
  readonly fingerprint: unknown;
  readonly keys = { endpoint: "url", model: "body", credentials: "headers", response: "response" };
  private readonly http: HttpClient;
  private readonly limiter: RateLimiter;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: HttpTargetConfig,
    private readonly options: LiveOptions,
    label?: string,
  ) {
    this.http = new HttpClient(options.concurrency, { proxy: config.proxy });
    this.limiter = new RateLimiter(options.requestsPerMinute);
    this.headers = {
      accept: "application/json",
      ...(config.body !== undefined ? { "content-type": "application/json" } : {}),
      ...config.headers,
    };
    this.identity = { kind: "http", source: `${config.method} ${config.url}`, label, build: config.build };
    this.fingerprint = {
      kind: "http",
      method: config.method,
      response: config.response,
      build: config.build,
    };
  }

  request(c: LoadedCase, sample: number, history?: readonly ChatMessage[]): HttpRequestShape {
    const messages = messagesOf(c, undefined, history);
    const values = {
      prompt: lastUserTurn(messages),
      messages,
      system: messages[0]?.role === "system" ? (messages[0].content ?? "") : "",
      id: c.id,
      sample,
      tools: c.tools ?? [],
    };
    return {
      url: renderUrl(this.config.url, values),
      body: this.config.body === undefined ? undefined : renderBody(this.config.body, values),
    };
  }

  answer(request: unknown, _c: LoadedCase, _sample: number, ctx: AnswerContext): Promise<string | Answer> {
    const { url, body } = request as HttpRequestShape;
    const json = body === undefined ? undefined : JSON.stringify(body);
    return withRetries(
      async () => {
        const res = await this.http.send({
          url,
          method: this.config.method,
          headers: this.headers,
          body: json,
          timeoutMs: this.options.timeoutMs,
          signal: ctx.signal,
        });
        if (res.status < 200 || res.status > 299) throw statusFailure(res.status, res.text, res.headers);
        let doc: unknown;
        try {
          doc = JSON.parse(res.text);
        } catch {
          // Retried (a proxy's error page can be transient), but a URL that always answers
          // with something else (an HTML page) is the config's fault.
          throw new AttemptError(
            `malformed response: not JSON (body: ${excerpt(res.text, 80) || "empty"})`,
            "retryable",
            { misconfigured: "endpoint" },
          );
        }
        const text = resolvePointer(doc, this.config.response);
        const calls = this.toolCalls(doc, res.text);
        // An agent's answer may be calls alone: no text is then no fault.
        if (calls && calls.length > 0)
          return typeof text === "string" ? { response: text, tool_calls: calls } : { tool_calls: calls };
        if (typeof text !== "string") {
          // A 2xx JSON answer without text where the pointer looks is the same on every
          // attempt: not retried, and the body is shown so the pointer can be fixed.
          throw new AttemptError(
            `malformed response: no text at ${this.config.response || "the top level"} (found ${text === undefined ? "nothing" : typeof text} in the body: ${excerpt(res.text, 160)})`,
            "final",
            { misconfigured: "response" },
          );
        }
        return text;
      },
      { policy: this.options.retry, limiter: this.limiter, signal: ctx.signal, onRetry: ctx.onRetry },
    );
  }

  /** The calls at the `tool_calls` pointer, when the config names one; a malformed list is the config's fault. */
  private toolCalls(doc: unknown, body: string): ToolCall[] | undefined {
    if (this.config.tool_calls === undefined) return undefined;
    const { calls, problem } = normaliseToolCalls(resolvePointer(doc, this.config.tool_calls));
    if (problem) {
      throw new AttemptError(
        `malformed response: ${problem} at ${this.config.tool_calls} (in the body: ${excerpt(body, 160)})`,
        "final",
        { misconfigured: "response" },
      );
    }
    return calls;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
