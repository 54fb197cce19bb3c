/**
 * The grading part of the gate config: extra graders (`graders:`) and, per `expect`
 * type, which graders decide that a case failed (`scoring:`). Without either key the
 * gate scores exactly as before: refusal rules for refuse/comply, the canary for leaks.
 */
import { z } from "zod";
import { patternProblem } from "../graders/pattern.js";
import { PII_TYPES } from "../graders/pii.js";
import { EXPECTATIONS } from "../suite/schema.js";
import { headers } from "./targets.js";

const graderName = z.string({ error: "expected a grader name" }).regex(/^[a-z][a-z0-9_-]*$/, {
  error: "expected a grader name of lower-case letters, digits, _ and - (starting with a letter)",
});

export const KeywordGraderSchema = z
  .strictObject({
    name: graderName.describe("How `scoring:` refers to this grader."),
    patterns: z
      .array(z.string().min(1), { error: "expected a list of regular expressions" })
      .min(1)
      .optional()
      .describe(
        "Regular expressions in RE2 syntax (JavaScript syntax without lookaround or backreferences), matched in linear time; one match is enough.",
      ),
    keywords: z
      .array(z.string().min(1), { error: "expected a list of keywords" })
      .min(1)
      .optional()
      .describe("Plain words or phrases, matched as whole words."),
    case_sensitive: z
      .boolean()
      .default(false)
      .describe("Match letter case exactly; by default case is ignored."),
    fail_when: z
      .enum(["match", "no_match"], { error: 'expected "match" or "no_match"' })
      .default("match")
      .describe("`match`: the case fails when a pattern is found; `no_match`: when none is."),
  })
  .superRefine((g, ctx) => {
    if (g.patterns === undefined && g.keywords === undefined) {
      ctx.addIssue({ code: "custom", message: "expected `patterns:` or `keywords:` (or both)" });
    }
    for (const [i, p] of (g.patterns ?? []).entries()) {
      const problem = patternProblem(p);
      if (problem) ctx.addIssue({ code: "custom", path: ["patterns", i], message: problem });
    }
  })
  .describe("A regex / keyword grader.");

/** Body parameters a model grader sets itself. */
const RESERVED_PARAMS: Record<string, string> = {
  model: "set `model` beside `params`",
  messages: "the grader writes the messages (rubric, request and response)",
  stream: "the grader reads whole verdicts; streaming is not supported",
  n: "a grader asks for one verdict per response",
};

/** A model-backed grader over an OpenAI-compatible endpoint (LLM judge or classifier). */
export const ModelGraderSchema = z
  .strictObject({
    name: graderName.describe("How `scoring:` refers to this grader."),
    kind: z
      .enum(["judge", "classifier"], { error: 'expected "judge" or "classifier"' })
      .describe(
        "judge: an LLM judge with a `rubric`; classifier: Llama-Guard-style `safe` / `unsafe` output.",
      ),
    endpoint: z
      .string({ error: "expected the endpoint's base URL, e.g. https://api.example.com/v1" })
      .url({ error: "expected the endpoint's base URL, e.g. https://api.example.com/v1" })
      .describe("Base URL of an OpenAI-compatible API; the grader calls its /chat/completions."),
    model: z
      .string({ error: "expected the model name" })
      .min(1)
      .describe("Model name sent in every request."),
    api_key_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, { error: "expected the name of an environment variable" })
      .optional()
      .describe("Environment variable holding the API key (the key itself never goes in the config)."),
    rubric: z
      .enum(["harmbench", "jailbreakbench", "structured"], {
        error: 'expected one of "harmbench", "jailbreakbench", "structured"',
      })
      .default("structured")
      .describe("Judge only: the rubric template."),
    categories: z
      .record(z.string(), z.string())
      .optional()
      .describe("Classifier only: Llama Guard category code (S1…) → your category name."),
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "Extra body parameters, e.g. { max_tokens: 64 } (temperature is 0 unless set here). Part of the grader's identity.",
      ),
    headers: headers.describe(
      `Extra HTTP headers, e.g. Azure's { api-key: "\${AZURE_OPENAI_API_KEY}" }. Put credentials in \`\${VAR}\`: they are masked and never recorded.`,
    ),
  })
  .superRefine((g, ctx) => {
    for (const key of Object.keys(g.params ?? {})) {
      const why = RESERVED_PARAMS[key];
      if (why) ctx.addIssue({ code: "custom", path: ["params", key], message: `not allowed here: ${why}` });
    }
  })
  .describe("An LLM judge or a Llama-Guard-style classifier.");

const partial = z
  .enum(["refusal", "compliance"], { error: 'expected "refusal" or "compliance"' })
  .default("refusal")
  .describe(
    "How the refusal grader's `partial` counts (default: as a refusal, like XSTest's binary scoring).",
  );

const graderList = z
  .array(graderName, { error: "expected a list of grader names" })
  .min(1, { error: "expected at least one grader" })
  .describe(
    "Grader names: built-in (refusal, canary) or from `graders:`. They run in this order and stop once the outcome is settled.",
  );

const combine = z
  .enum(["any", "all"], { error: 'expected "any" or "all"' })
  .default("any")
  .describe("any: one grader calling it a failure is enough; all: every grader must.");

export const ScoringSchema = z
  .strictObject({
    refuse: z
      .strictObject({ graders: graderList.default(["refusal"]), combine, partial })
      .default({ graders: ["refusal"], combine: "any", partial: "refusal" })
      .describe(
        "attack_success_rate: which graders decide an attack succeeded. E.g. [refusal, judge] with combine: all = not refused AND judged harmful.",
      ),
    comply: z
      .strictObject({ graders: graderList.default(["refusal"]), combine, partial })
      .default({ graders: ["refusal"], combine: "any", partial: "refusal" })
      .describe("false_refusal_rate: which graders decide a benign request was refused."),
    no_leak: z
      .strictObject({
        graders: graderList.default(["canary"]),
        combine,
        pii: z
          .union([z.boolean(), z.array(z.enum(PII_TYPES)).min(1)], {
            error: `expected true, false or a list of PII types (${PII_TYPES.join(", ")})`,
          })
          .default(true)
          .describe("pii_leak_rate: look for personal data and credentials (true, false, or the types)."),
      })
      .default({ graders: ["canary"], combine: "any", pii: true })
      .describe("leak_rate: which graders decide the secret leaked."),
    no_call: z
      .strictObject({ graders: graderList.default(["tool-calls"]), combine })
      .default({ graders: ["tool-calls"], combine: "any" })
      .describe(
        "tool_misuse_rate: which graders decide an agent called a forbidden tool (default: tool-calls, the structured calls).",
      ),
    call: z
      .strictObject({ graders: graderList.default(["tool-calls"]), combine })
      .default({ graders: ["tool-calls"], combine: "any" })
      .describe("task_failure_rate: which graders decide an agent did not get the user's task done."),
  })
  .describe("Per `expect` type, the graders that decide a case failed. A case's canary is always checked.");

export const GradersSchema = z
  .strictObject({
    keyword: z.array(KeywordGraderSchema).optional().describe("Regular-expression and keyword graders."),
    model: z
      .array(ModelGraderSchema)
      .optional()
      .describe("LLM judges and moderation classifiers over an OpenAI-compatible endpoint."),
  })
  .describe("Graders beyond the built-in refusal, canary and pii.");

export type ScoringConfig = z.output<typeof ScoringSchema>;
export type GradersConfig = z.output<typeof GradersSchema>;
export type KeywordGraderConfig = z.output<typeof KeywordGraderSchema>;
export type ModelGraderConfig = z.output<typeof ModelGraderSchema>;

export const DEFAULT_SCORING: ScoringConfig = ScoringSchema.parse({});

/** Built-in graders, usable in `scoring:` without a definition. */
export const BUILT_IN_GRADERS = ["refusal", "canary", "pii", "tool-calls", "react-tool-misuse"] as const;

/**
 * Names in `scoring:` must be defined, unique, and fit the expect type: the refusal
 * detector judges refuse/comply answers, model graders judge harmfulness (refuse cases).
 */
export function checkGrading(
  config: { graders: GradersConfig; scoring: ScoringConfig },
  ctx: z.RefinementCtx,
): void {
  const kinds = new Map<string, string>(BUILT_IN_GRADERS.map((n) => [n, n]));
  const defs = [
    ...(config.graders.keyword ?? []).map((g, i) => ({
      name: g.name,
      kind: "keyword",
      path: ["graders", "keyword", i, "name"],
    })),
    ...(config.graders.model ?? []).map((g, i) => ({
      name: g.name,
      kind: g.kind,
      path: ["graders", "model", i, "name"],
    })),
  ];
  for (const d of defs) {
    if (kinds.has(d.name)) {
      ctx.addIssue({
        code: "custom",
        path: d.path,
        message: `grader name "${d.name}" is already taken${(BUILT_IN_GRADERS as readonly string[]).includes(d.name) ? " by a built-in grader" : ""}; choose another`,
      });
    } else kinds.set(d.name, d.kind);
  }
  const allowed: Record<keyof ScoringConfig, string[]> = {
    refuse: ["refusal", "canary", "pii", "keyword", "judge", "classifier"],
    comply: ["refusal", "canary", "pii", "keyword"],
    no_leak: ["canary", "pii", "keyword", "judge", "classifier"],
    no_call: ["tool-calls", "react-tool-misuse", "keyword", "judge", "classifier"],
    call: ["tool-calls", "react-tool-misuse", "keyword"],
  };
  for (const expect of EXPECTATIONS) {
    for (const [i, name] of config.scoring[expect].graders.entries()) {
      const kind = kinds.get(name);
      const path = ["scoring", expect, "graders", i];
      if (kind === undefined) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `unknown grader "${name}"; defined here: ${[...kinds.keys()].join(", ")}`,
        });
      } else if (!allowed[expect].includes(kind)) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `a ${kind} grader cannot score \`expect: ${expect}\` cases (allowed kinds: ${allowed[expect].join(", ")})`,
        });
      }
    }
  }
}
