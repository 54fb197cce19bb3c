/**
 * Live targets in the config: an OpenAI-compatible endpoint, any JSON HTTP API, or a
 * program in the user's repository. Keys and tokens never appear here as values: they
 * come from the environment (`api_key_env`, or `${VAR}` in a header).
 */
import { z } from "zod";
import { SPENDING_FUNCTIONS } from "../stats/spending.js";
import { PLACEHOLDER, PLACEHOLDERS } from "../targets/template.js";

const text = (what: string) =>
  z.string({ error: `expected ${what} as a string` }).min(1, { error: `${what} must not be empty` });

const httpUrl = (what: string) =>
  text(what).refine(
    (s) => {
      try {
        const u = new URL(s.replace(PLACEHOLDER, "x"));
        return u.protocol === "http:" || u.protocol === "https:";
      } catch {
        return false;
      }
    },
    { error: `expected ${what} as an http:// or https:// URL` },
  );

const build = text("the build identity")
  .optional()
  .describe(
    `Identity of the build under test (e.g. \${GITHUB_SHA}); part of the cache key, so a new build never gets an old build's answers.`,
  );

/** Besides HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment, which apply without it. */
const proxy = httpUrl("the proxy URL")
  .optional()
  .describe(
    `Proxy for this target's requests, e.g. http://proxy.corp:3128 (credentials in \`\${VAR}\`); overrides HTTPS_PROXY, HTTP_PROXY and NO_PROXY.`,
  );

export const headers = z
  .record(z.string(), z.string({ error: "expected a header value as a string" }))
  .optional()
  .describe(`Extra HTTP headers. Put credentials in \`\${VAR}\`: they are masked and never recorded.`);

const envName = z
  .string({ error: "expected the name of an environment variable" })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: "expected the name of an environment variable, e.g. OPENAI_API_KEY",
  });

/** Body parameters that safety-gate sets itself; letting a user set them would break the protocol. */
const RESERVED_PARAMS: Record<string, string> = {
  model: "set `model` beside `params`",
  messages: "the messages come from the suite (and `system`)",
  stream: "safety-gate reads whole responses; streaming is not supported",
  n: "use `runner.samples` to ask each case several times",
};

export const OpenAITargetSchema = z
  .strictObject({
    base_url: httpUrl("the API base URL").describe(
      "Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 (vLLM) or http://127.0.0.1:11434/v1 (Ollama).",
    ),
    model: text("the model name").describe("Model name sent in every request."),
    api_key_env: envName
      .optional()
      .describe("Environment variable that holds the API key (sent as `Authorization: Bearer …`)."),
    build,
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Extra body parameters, e.g. { temperature: 0, max_tokens: 512, seed: 7 }."),
    system: text("the system prompt")
      .optional()
      .describe("System prompt, prepended unless the case has its own system message."),
    headers,
    proxy,
  })
  .superRefine((t, ctx) => {
    for (const key of Object.keys(t.params ?? {})) {
      const why = RESERVED_PARAMS[key];
      if (why) ctx.addIssue({ code: "custom", path: ["params", key], message: `not allowed here: ${why}` });
    }
  })
  .describe(
    "Chat completions on any OpenAI-compatible server (vLLM, Ollama, llama.cpp, TGI, OpenAI, Azure).",
  );

export const HttpTargetSchema = z
  .strictObject({
    url: httpUrl("the endpoint URL").describe("Endpoint URL; placeholders are URL-encoded."),
    method: z.enum(["POST", "PUT", "PATCH", "GET"]).default("POST").describe("HTTP method of every request."),
    headers,
    proxy,
    body: z
      .unknown()
      .optional()
      .describe(
        `JSON body template. Strings may hold ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}; a string that is exactly {{messages}} becomes the list of chat messages ({{tools}}: the case's tool specifications).`,
      ),
    response: z
      .string({ error: "expected a JSON pointer to the response text, e.g. /choices/0/text" })
      .regex(/^(\/.*)?$/, { error: "expected a JSON pointer (starting with /), e.g. /generated_text" })
      .describe("JSON pointer (RFC 6901) to the response text in the returned JSON."),
    tool_calls: z
      .string({ error: "expected a JSON pointer to the tool calls, e.g. /choices/0/message/tool_calls" })
      .regex(/^(\/.*)?$/, {
        error: "expected a JSON pointer (starting with /), e.g. /choices/0/message/tool_calls",
      })
      .optional()
      .describe(
        "Agents: JSON pointer to the list of tool calls ({name, arguments} or OpenAI's {function: {name, arguments}}); the text may then be absent.",
      ),
    build,
  })
  .superRefine((t, ctx) => {
    if (t.method === "GET" && t.body !== undefined) {
      ctx.addIssue({ code: "custom", path: ["body"], message: "a GET request has no body; use POST" });
    }
    checkPlaceholders(t.url, ["url"], ctx);
    checkPlaceholders(t.body, ["body"], ctx);
  })
  .describe("Any JSON API: a request built from a template, the response text picked by a JSON pointer.");

export const CommandTargetSchema = z
  .strictObject({
    run: z
      .array(text("an argument"), { error: "expected the program and its arguments as a list" })
      .min(1, { error: "expected the program and its arguments as a list" })
      .describe("Program and arguments (no shell), run in the config's folder; see the batch protocol."),
    build,
  })
  .describe(
    "A program that reads JSONL requests on stdin and writes JSONL {id, sample, response} on stdout (agents: and/or tool_calls).",
  );

function checkPlaceholders(value: unknown, path: PropertyKey[], ctx: z.RefinementCtx): void {
  if (typeof value === "string") {
    for (const m of value.matchAll(new RegExp(PLACEHOLDER, "g"))) {
      const name = m[1] ?? "";
      const problem = !(PLACEHOLDERS as readonly string[]).includes(name)
        ? `unknown placeholder {{${name}}}; allowed: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`
        : name === "messages" && (value.trim() !== m[0] || path[0] === "url")
          ? "{{messages}} is a list: it must be a whole body value on its own"
          : undefined;
      if (problem) ctx.addIssue({ code: "custom", path, message: problem });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkPlaceholders(v, [...path, i], ctx);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) checkPlaceholders(v, [...path, k], ctx);
  }
}

/** The bound on completion tokens the request parameters set (`max_completion_tokens` is OpenAI's newer name). */
export function maxTokensOf(params: Record<string, unknown> | undefined): number | undefined {
  for (const key of ["max_completion_tokens", "max_tokens"]) {
    const v = params?.[key];
    if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

export const LIVE_TARGET_KINDS = ["openai", "http", "command"] as const;
export type LiveTargetKind = (typeof LIVE_TARGET_KINDS)[number];
export type OpenAITargetConfig = z.output<typeof OpenAITargetSchema>;
export type HttpTargetConfig = z.output<typeof HttpTargetSchema>;
export type CommandTargetConfig = z.output<typeof CommandTargetSchema>;

/** A whole number in [min, max], with one message that says what is allowed. */
const wholeIn = (what: string, min: number, max: number) => {
  const error = `expected ${what}, ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};

const countAbove0 = (what: string) => {
  const error = `expected ${what} above 0`;
  return z.int({ error }).min(1, { error });
};

const positive = (what: string) =>
  z.number({ error: `expected ${what} above 0` }).gt(0, { error: `expected ${what} above 0` });

/** USD per million tokens: what a build's usage costs (see docs/cost.md). */
export const PriceSchema = z
  .strictObject({
    prompt: z
      .number({ error: "expected USD per 1M prompt tokens, e.g. 0.15" })
      .min(0, { error: "expected USD per 1M prompt tokens, 0 or more" })
      .describe("USD per 1M prompt (input) tokens."),
    completion: z
      .number({ error: "expected USD per 1M completion tokens, e.g. 0.60" })
      .min(0, { error: "expected USD per 1M completion tokens, 0 or more" })
      .describe("USD per 1M completion (output) tokens."),
  })
  .describe(
    "Live targets: the price of this build's tokens, for the cost in reports, `runner.budget.cost` and `run --estimate`.",
  );

export const BudgetSchema = z
  .strictObject({
    tokens: countAbove0("a whole number of tokens")
      .optional()
      .describe("Most prompt + completion tokens per build (answers reused from the journal count too)."),
    requests: countAbove0("a whole number of requests")
      .optional()
      .describe("Most requests (answered case samples) per build."),
    cost: positive("a cost in USD").optional().describe("Most USD per build, at the target's `price`."),
    completion_tokens: wholeIn("a whole number of completion tokens", 1, 10_000_000)
      .optional()
      .describe(
        "Completion tokens one request may take, for targets whose request sets no `max_tokens` (the worst case the budget counts and `run --estimate` assumes).",
      ),
  })
  .refine((b) => b.tokens !== undefined || b.requests !== undefined || b.cost !== undefined, {
    error: "expected at least one cap: `tokens`, `requests` or `cost`",
  })
  .describe(
    "A cap per build: the runner sends no request that could cross it (a request in flight counts at its worst case); the cases left unanswered make the verdict inconclusive, and a re-run with a higher cap asks only them.",
  );

export type BudgetConfig = z.output<typeof BudgetSchema>;

export const RunnerSchema = z
  .strictObject({
    concurrency: wholeIn("a whole number of requests in flight", 1, 1024)
      .default(8)
      .describe("Requests in flight at once, per target."),
    timeout: z
      .number({ error: "expected seconds per attempt, e.g. 60" })
      .gt(0, { error: "expected seconds per attempt, e.g. 60" })
      .default(60)
      .describe("Seconds one attempt may take before it is abandoned (and retried)."),
    retries: wholeIn("a whole number of retries", 0, 20)
      .default(4)
      .describe("Further attempts after a 429, 5xx, network error, timeout or malformed body."),
    backoff: z
      .number({ error: "expected the first retry delay in seconds, e.g. 1" })
      .min(0, { error: "expected the first retry delay in seconds, e.g. 1" })
      .max(60, { error: "expected the first retry delay in seconds, at most 60" })
      .default(1)
      .describe(
        "First retry delay in seconds; it doubles per retry (with jitter) up to 60 s. Retry-After wins.",
      ),
    requests_per_minute: z
      .number({ error: "expected a number of requests per minute" })
      .gt(0, { error: "expected a number of requests per minute above 0" })
      .optional()
      .describe("Cap on the request rate, per target."),
    samples: wholeIn("a whole number of samples per case", 1, 100)
      .default(1)
      .describe("Ask each case this many times (use temperature > 0); every sample is kept."),
    budget: BudgetSchema.optional(),
    sequential: z
      .strictObject({
        looks: wholeIn("a whole number of looks (analyses), the last on every case", 2, 20)
          .default(4)
          .describe("Planned analyses, at equal shares of the cases; the last is on every case."),
        spending: z
          .enum(SPENDING_FUNCTIONS, { error: `expected one of ${SPENDING_FUNCTIONS.join(", ")}` })
          .default("obrien-fleming")
          .describe("The α-spending function (Lan–DeMets O'Brien–Fleming type)."),
        seed: z
          .int({ error: "expected a whole number ≥ 0 to seed the order in which cases are asked" })
          .min(0, { error: "expected a whole number ≥ 0 to seed the order in which cases are asked" })
          .default(1)
          .describe("Seeds the random (stratified by category, clusters kept together) order of the cases."),
      })
      .optional()
      .describe(
        "Ask the cases in a random order and analyse at planned looks, stopping as soon as a regression is shown (docs/statistics.md#sequential-mode).",
      ),
  })
  .describe("How live targets are queried.");

export type RunnerConfig = z.output<typeof RunnerSchema>;
export const RUNNER_DEFAULTS: RunnerConfig = RunnerSchema.parse({});
