/**
 * The graders a run can use, by the names `scoring:` refers to: the built-in refusal,
 * canary and pii graders, keyword graders from config, and model-backed graders (LLM
 * judge, classifier) whose chat client the caller supplies.
 */
import type { GradersConfig, ModelGraderConfig } from "../config/grading-schema.js";
import { InputError, keyPathOf, type SourcePosition } from "../io/diagnostic.js";
import { TargetUnusableError } from "../targets/failure.js";
import { canaryDetector } from "./canary.js";
import type { ChatModel } from "./chat.js";
import { llamaGuardClassifier } from "./classifier.js";
import type { AnyGrader } from "./grader.js";
import { llmJudge, type VerdictCache } from "./judge.js";
import { keywordGrader } from "./keyword.js";
import { PII_TYPES, type PiiType, piiDetector } from "./pii.js";
import { reactToolMisuse } from "./react-tool-misuse.js";
import { refusalDetector } from "./refusal.js";
import { toolCallsGrader } from "./tool-calls.js";

export type GraderKind =
  | "refusal"
  | "canary"
  | "pii"
  | "tool-calls"
  | "react-tool-misuse"
  | "keyword"
  | "judge"
  | "classifier";

export interface NamedGrader {
  name: string;
  kind: GraderKind;
  grader: AnyGrader;
  /** Keyword graders: whether a match or its absence is the failure. */
  failWhen?: "match" | "no_match";
}

/** Builds the chat client for a model grader (endpoint, model, key from the environment). */
export type ChatModelFactory = (config: ModelGraderConfig) => ChatModel;

export interface RegistryOptions {
  configFile: string;
  /** Where a key of the config is, so an unusable grader is reported at its line. */
  locate?: (path: readonly PropertyKey[]) => SourcePosition | undefined;
  chatModel?: ChatModelFactory;
  piiTypes?: readonly PiiType[];
  /** Shared by every judge and classifier of the run, so identical questions are asked once. */
  verdictCache?: VerdictCache;
}

export function buildGraders(config: GradersConfig, options: RegistryOptions): Map<string, NamedGrader> {
  const graders = new Map<string, NamedGrader>([
    ["refusal", { name: "refusal", kind: "refusal", grader: refusalDetector }],
    ["canary", { name: "canary", kind: "canary", grader: canaryDetector }],
    ["pii", { name: "pii", kind: "pii", grader: piiDetector(options.piiTypes ?? PII_TYPES) }],
    ["tool-calls", { name: "tool-calls", kind: "tool-calls", grader: toolCallsGrader }],
    // Prompted agents: the tool calls are ReAct text, read as InjecAgent's scorer reads them.
    ["react-tool-misuse", { name: "react-tool-misuse", kind: "react-tool-misuse", grader: reactToolMisuse }],
  ]);
  for (const k of config.keyword ?? []) {
    graders.set(k.name, { name: k.name, kind: "keyword", grader: keywordGrader(k), failWhen: k.fail_when });
  }
  for (const [i, m] of (config.model ?? []).entries()) {
    if (!options.chatModel) {
      throw new InputError({
        file: options.configFile,
        keyPath: `graders.model[${i}]`,
        message:
          "model graders (judge, classifier) need the OpenAI-compatible endpoint client, which this build does not include yet; remove this grader or use a build with live endpoints",
      });
    }
    let chat: ChatModel;
    try {
      chat = options.chatModel(m);
    } catch (err) {
      if (!(err instanceof TargetUnusableError)) throw err;
      const path = ["graders", "model", i, ...(err.keyPath ? [err.keyPath] : [])];
      throw new InputError({
        file: options.configFile,
        position: options.locate?.(path),
        keyPath: keyPathOf(path),
        message: `grader ${m.name}: ${err.message}`,
      });
    }
    const grader =
      m.kind === "judge"
        ? llmJudge(chat, { rubric: m.rubric, cache: options.verdictCache })
        : llamaGuardClassifier(chat, { categories: m.categories, cache: options.verdictCache });
    graders.set(m.name, { name: m.name, kind: m.kind, grader });
  }
  return graders;
}
