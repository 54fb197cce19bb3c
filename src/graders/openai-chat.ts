/**
 * The default chat client for model graders (LLM judge, classifier): the same
 * OpenAI-compatible client live targets use, so a judge gets the same timeouts, retries
 * with backoff, Retry-After and rate cap (`runner:`), and its key the same care — read
 * only from the variable `api_key_env` names, registered as a secret before any request,
 * and redacted from every error that could reach a grade's reason.
 */
import type { ModelGraderConfig } from "../config/grading-schema.js";
import type { RunnerConfig } from "../config/targets.js";
import type { Redactor } from "../io/redact.js";
import { fingerprintOf, ResponseCache, requestKey } from "../targets/cache.js";
import { ChatCompletionsClient } from "../targets/chat-completions.js";
import { AttemptError, TargetUnusableError } from "../targets/failure.js";
import { liveOptions } from "../targets/index.js";
import { chatPromptTokens, loadTokenCounter } from "../targets/tokens.js";
import { type UsageSummary, UsageTally } from "../targets/usage.js";
import type { ChatModel } from "./chat.js";
import type { VerdictCache } from "./judge.js";

export interface ChatClientContext {
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  runner: RunnerConfig;
  /** `cache:` of the config: judge and classifier verdicts persist there across runs. */
  cacheDir?: string;
}

/** A failure that no case can get past (bad key, unknown model): the run stops at this grader's config. */
export interface GraderFailure {
  grader: string;
  /** Key of the grader's entry at fault (`api_key_env`, `endpoint`, `model`). */
  key: string;
  message: string;
}

/** Judges are deterministic by default, so a verdict can be cached and a re-run agrees. */
const JUDGE_PARAMS = { temperature: 0 };

/** The cache file of model graders' verdicts (judge and classifier), apart from every target's. */
const VERDICTS = fingerprintOf({ kind: "judge-verdicts", version: 1 });

/**
 * Model and endpoint, and the body parameters when set: a verdict at another temperature
 * is another grader's (a baseline graded so is not comparable; cached verdicts are apart).
 * Headers are left out: they carry credentials, and rotating a key changes no verdict.
 */
export function identityOf(config: Pick<ModelGraderConfig, "model" | "endpoint" | "params">): string {
  const params = Object.entries(config.params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const base = `${config.model}@${config.endpoint}`;
  return params.length === 0 ? base : `${base} ${JSON.stringify(Object.fromEntries(params))}`;
}

// A model grader speaks one protocol and has no response pointer: those faults point at its endpoint.
const CULPRIT_KEYS = {
  endpoint: "endpoint",
  model: "model",
  credentials: "api_key_env",
  response: "endpoint",
  protocol: "endpoint",
} as const;

export class OpenAIChatModels {
  private readonly clients: ChatCompletionsClient[] = [];
  private cache?: ResponseCache;
  private failure?: GraderFailure;
  /** Usage of this run's grader calls, per grader (cached verdicts cost nothing). */
  private readonly tallies = new Map<string, UsageTally>();

  constructor(private readonly context: ChatClientContext) {}

  /** Builds one grader's client; throws `TargetUnusableError` (keyed in the entry) when its key is missing. */
  readonly factory = (config: ModelGraderConfig): ChatModel => this.create(config);

  /** What each model grader's calls in this run used, by grader name; undefined when none was asked. */
  usage(): Record<string, UsageSummary> | undefined {
    if (this.tallies.size === 0) return undefined;
    return Object.fromEntries([...this.tallies].map(([name, t]) => [name, t.summary()]));
  }

  /** The first failure that made a grader unusable, if any. */
  get fatal(): GraderFailure | undefined {
    return this.failure;
  }

  /**
   * Verdicts cached in `cache:` when it is set. Each grader keys a verdict on its own id
   * (kind, model, endpoint, rubric, params), request and response, so one file serves all
   * judges and classifiers.
   */
  verdictCache(): VerdictCache | undefined {
    const dir = this.context.cacheDir;
    if (dir === undefined) return undefined;
    this.cache ??= new ResponseCache(dir, VERDICTS);
    const store = this.cache;
    return {
      get: (key) => store.get(requestKey(VERDICTS, key)),
      set: (key, text) => store.put(requestKey(VERDICTS, key), text),
    };
  }

  private create(config: ModelGraderConfig): ChatModel {
    const { env, redactor, runner } = this.context;
    const name = config.api_key_env;
    const apiKey = name === undefined ? undefined : env[name];
    if (name !== undefined && !apiKey) {
      throw new TargetUnusableError(
        `environment variable ${name} is not set (it should hold the API key)`,
        "api_key_env",
      );
    }
    redactor.add(apiKey);
    const options = liveOptions(runner);
    const client = new ChatCompletionsClient({
      baseUrl: config.endpoint,
      model: config.model,
      apiKey,
      headers: config.headers,
      params: { ...JUDGE_PARAMS, ...config.params },
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      requestsPerMinute: options.requestsPerMinute,
      connections: options.concurrency,
    });
    this.clients.push(client);
    const tally = new UsageTally();
    return {
      identity: identityOf(config),
      complete: async (messages) => {
        // After a fatal failure every other request would fail the same way: ask no more.
        if (this.failure) throw new Error(this.failure.message);
        try {
          const { text, usage } = await client.completeWithUsage(messages);
          if (usage) tally.add(usage);
          else {
            // No usage reported: counted with the tokenizer (loaded now, not at start), marked estimated.
            const tokens = await loadTokenCounter();
            tally.add({
              promptTokens: chatPromptTokens(messages, tokens),
              completionTokens: tokens.count(text),
              estimated: true,
            });
          }
          this.tallies.set(config.name, tally);
          return text;
        } catch (err) {
          const message = redactor.redact(err instanceof Error ? err.message : String(err));
          if (err instanceof AttemptError && err.kind === "fatal") {
            this.failure ??= {
              grader: config.name,
              key: CULPRIT_KEYS[err.options.culprit ?? "endpoint"],
              message,
            };
          }
          throw new Error(message);
        }
      },
      misconfigured: (message, key) => {
        this.failure ??= { grader: config.name, key, message: redactor.redact(message) };
      },
    };
  }

  async close(): Promise<void> {
    this.cache?.close();
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
