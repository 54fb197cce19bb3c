/** `openai:` chat completions on any OpenAI-compatible server. */
import type { OpenAITargetConfig } from "../config/targets.js";
import type { LoadedCase } from "../suite/load.js";
import { ChatCompletionsClient } from "./chat-completions.js";
import { type ChatMessage, messagesOf } from "./messages.js";
import type { AnswerContext, LiveOptions, Responder } from "./responder.js";
import type { TargetIdentity } from "./target.js";
import type { Answer } from "./tool-calls.js";

export class OpenAIResponder implements Responder {
  readonly identity: TargetIdentity;
  readonly fingerprint: unknown;
  readonly keys;
  private readonly client: ChatCompletionsClient;

  constructor(
    private readonly config: OpenAITargetConfig,
    apiKey: string | undefined,
    options: LiveOptions,
    label?: string,
  ) {
    this.client = new ChatCompletionsClient({
      baseUrl: config.base_url,
      model: config.model,
      apiKey,
      headers: config.headers,
      params: config.params,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      requestsPerMinute: options.requestsPerMinute,
      connections: options.concurrency,
      proxy: config.proxy,
    });
    this.identity = {
      kind: "openai",
      source: `${config.model} at ${config.base_url}`,
      label,
      build: config.build,
    };
    // Model, parameters and system prompt are in every request body; headers are left out
    // (they carry credentials, and rotating a key must not invalidate the cache).
    this.fingerprint = { kind: "openai", url: this.client.url, build: config.build };
    this.keys = {
      endpoint: "base_url",
      model: "model",
      credentials: config.api_key_env ? "api_key_env" : "headers",
    };
  }

  request(c: LoadedCase, sample: number, history?: readonly ChatMessage[]): unknown {
    const seed = this.config.params?.seed;
    // With a fixed seed every sample would be the same; each sample gets its own.
    const perSample = sample > 0 && typeof seed === "number" ? { seed: seed + sample } : undefined;
    // As JSON: the runner keys the journal on it, and it goes on the wire as it is.
    const messages = messagesOf(c, this.config.system, history);
    // An agent case offers its tools; the body is otherwise exactly what it was before tools.
    const extra = c.tools ? { ...perSample, tools: c.tools } : perSample;
    return JSON.stringify(this.client.body(messages, extra));
  }

  answer(request: unknown, c: LoadedCase, _sample: number, ctx: AnswerContext): Promise<string | Answer> {
    return c.tools ? this.client.postFor(request as string, ctx) : this.client.post(request as string, ctx);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
