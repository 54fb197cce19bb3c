/**
 * `safety-gate run --estimate`: what a run would ask and cost, before anything is sent —
 * per live build, cases × samples requests, their prompt tokens counted with a real
 * tokenizer (o200k_base), completion tokens at the most a request may take (`max_tokens`,
 * or `runner.budget.completion_tokens`), and the price from the config. Model graders are
 * named but not priced: their prompts hold answers that do not exist yet.
 */
import { withAttacks } from "../attacks/expand.js";
import { loadConfig } from "../config/load.js";
import { chooseProfile, withProfile } from "../config/profiles.js";
import type { TargetConfig } from "../config/schema.js";
import { LIVE_TARGET_KINDS, maxTokensOf } from "../config/targets.js";
import { displayPath } from "../io/display.js";
import { plural } from "../io/plural.js";
import { type LoadedCase, loadSuites } from "../suite/load.js";
import { pickSubset, type Subset } from "../suite/subset.js";
import { messagesOf } from "../targets/messages.js";
import { chatPromptTokens, loadTokenCounter } from "../targets/tokens.js";
import { costOf, formatUsd } from "../targets/usage.js";

export interface BuildEstimate {
  build: "candidate" | "baseline";
  target: string;
  requests: number;
  promptTokens: number;
  /** Completion tokens at most, when a request's bound is known. */
  completionTokens?: number;
  completionPerRequest?: number;
  /** USD at the config's price, when there is one (at most, with the completion bound). */
  cost?: number;
  price?: { prompt: number; completion: number };
}

export interface Estimate {
  config: string;
  cases: number;
  samples: number;
  encoding: string;
  builds: BuildEstimate[];
  /** Builds with recorded answers: nothing to ask. */
  recorded: string[];
  graders: string[];
  budget?: { tokens?: number; requests?: number; cost?: number };
}

export async function estimateRun(
  configPath: string,
  options: { branch?: string; subset?: Subset; baseline?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Estimate> {
  const loaded = loadConfig(configPath, env);
  const chosen = chooseProfile(loaded.config.profiles, options.branch);
  const config = chosen ? withProfile(loaded.config, chosen.profile) : loaded.config;
  const all = withAttacks(loadSuites(loaded.suites), config.attacks).flatMap((s) => s.cases);
  const cases = options.subset ? pickSubset(all, options.subset) : all;
  const tokens = await loadTokenCounter();
  const { samples, budget } = config.runner;
  const builds: BuildEstimate[] = [];
  const recorded: string[] = [];
  const roles = options.baseline === false ? (["candidate"] as const) : (["candidate", "baseline"] as const);
  for (const build of roles) {
    const target = loaded[build];
    if (!target) continue;
    const kind = LIVE_TARGET_KINDS.find((k) => target[k] !== undefined);
    if (!kind) {
      recorded.push(build);
      continue;
    }
    const system = target.openai?.system;
    const perSample = cases.reduce(
      (n: number, c: LoadedCase) => n + chatPromptTokens(messagesOf(c, system), tokens),
      0,
    );
    const requests = cases.length * samples;
    const bound = maxTokensOf(target.openai?.params) ?? budget?.completion_tokens;
    const e: BuildEstimate = {
      build,
      target: describe(target),
      requests,
      promptTokens: perSample * samples,
      price: target.price,
    };
    if (bound !== undefined) {
      e.completionPerRequest = bound;
      e.completionTokens = bound * requests;
    }
    if (target.price)
      e.cost = costOf(
        { promptTokens: e.promptTokens, completionTokens: e.completionTokens ?? 0 },
        target.price,
      );
    builds.push(e);
  }
  return {
    config: displayPath(configPath),
    cases: cases.length,
    samples,
    encoding: tokens.encoding,
    builds,
    recorded,
    graders: (config.graders.model ?? []).map((g) => g.name),
    budget: budget && { tokens: budget.tokens, requests: budget.requests, cost: budget.cost },
  };
}

function describe(t: TargetConfig): string {
  if (t.openai) return `openai ${t.openai.model} at ${t.openai.base_url}`;
  if (t.http) return `http ${t.http.method} ${t.http.url}`;
  if (t.command) return `command ${t.command.run.join(" ")}`;
  return "";
}

const n = (v: number) => v.toLocaleString("en-US");
const usd = formatUsd;
/** A price as the provider's list shows it: cents at least, $0.075 as it is. */
const price = (v: number) =>
  `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;

export function renderEstimate(e: Estimate): string {
  const lines = [`safety-gate: estimate for ${e.config} — nothing was sent`];
  for (const b of e.builds) {
    const unknown = b.completionTokens === undefined;
    lines.push(
      "",
      `${b.build} (${b.target})`,
      `  requests    ${n(e.cases)} ${e.cases === 1 ? "case" : "cases"} × ${plural(e.samples, "sample")} = ${n(b.requests)}`,
      `  prompt      ${n(b.promptTokens)} tokens (${e.encoding}; ${(b.promptTokens / Math.max(1, b.requests)).toFixed(1)} a request)`,
      unknown
        ? "  completion  unknown: set `max_tokens` in the target's params or `runner.budget.completion_tokens`"
        : `  completion  ≤ ${n(b.completionTokens ?? 0)} tokens (${n(b.completionPerRequest ?? 0)} a request at most)`,
      b.cost !== undefined && b.price
        ? `  cost        ${unknown ? "prompt only: " : "≤ "}${usd(b.cost)} at ${price(b.price.prompt)} / ${price(b.price.completion)} per 1M prompt / completion tokens`
        : "  cost        no `price:` for this build in the config",
    );
    const caps = e.budget;
    if (caps?.tokens !== undefined && !unknown && b.promptTokens + (b.completionTokens ?? 0) > caps.tokens)
      lines.push(
        `  budget      runner.budget.tokens ${n(caps.tokens)} may stop this build before every case is asked`,
      );
    if (caps?.requests !== undefined && b.requests > caps.requests)
      lines.push(
        `  budget      runner.budget.requests ${n(caps.requests)} will stop this build before every case is asked`,
      );
    if (caps?.cost !== undefined && b.cost !== undefined && b.cost > caps.cost)
      lines.push(
        `  budget      runner.budget.cost ${usd(caps.cost)} may stop this build before every case is asked`,
      );
  }
  for (const build of e.recorded) lines.push("", `${build}: recorded answers, nothing to ask`);
  if (e.builds.length > 1) {
    const sum = (f: (b: BuildEstimate) => number | undefined) =>
      e.builds.reduce((t, b) => t + (f(b) ?? 0), 0);
    const allBounded = e.builds.every((b) => b.completionTokens !== undefined);
    const allPriced = e.builds.every((b) => b.cost !== undefined);
    lines.push(
      "",
      `total         ${n(sum((b) => b.requests))} requests, ${n(sum((b) => b.promptTokens))} prompt tokens${allBounded ? `, ≤ ${n(sum((b) => b.completionTokens))} completion tokens` : ""}${allPriced ? `, ${allBounded ? "≤ " : ""}${usd(sum((b) => b.cost))}` : ""}`,
    );
  }
  if (e.graders.length)
    lines.push(
      "",
      `model graders (${e.graders.join(", ")}): one request per answer each, not estimated (their prompts hold the answers)`,
    );
  return lines.join("\n");
}
