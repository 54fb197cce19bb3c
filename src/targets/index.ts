import { join } from "node:path";
import type { TargetConfig } from "../config/schema.js";
import type { RunnerConfig } from "../config/targets.js";
import type { Redactor } from "../io/redact.js";
import { LiveTarget } from "../runner/live-target.js";
import type { Progress } from "../runner/progress.js";
import { CommandResponder } from "./command.js";
import { TargetUnusableError } from "./failure.js";
import { HttpResponder } from "./http.js";
import { OpenAIResponder } from "./openai.js";
import { ReplayTarget } from "./replay.js";
import type { LiveOptions, Responder } from "./responder.js";
import { ResultsTarget } from "./results.js";
import type { Target } from "./target.js";

/** What live targets need beyond their own config. */
export interface TargetContext {
  /** "candidate" or "baseline": names the journal file and progress lines. */
  role: string;
  runner: RunnerConfig;
  /** Folder of the config file: a `command` runs there. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Where the journal goes; without it a killed run cannot resume. */
  outDir?: string;
  cacheDir?: string;
  progress?: Progress;
  redactor: Redactor;
}

/** The journal of one build's live responses, in the out dir. */
export function journalPath(outDir: string, role: string): string {
  return join(outDir, "journal", `${role}.jsonl`);
}

function liveOptions(r: RunnerConfig): LiveOptions {
  return {
    concurrency: r.concurrency,
    samples: r.samples,
    timeoutMs: r.timeout * 1000,
    retry: { retries: r.retries, initialDelayMs: r.backoff * 1000, maxDelayMs: 60_000 },
    requestsPerMinute: r.requests_per_minute,
  };
}

function responderFor(config: TargetConfig, ctx: TargetContext): Responder | undefined {
  const options = liveOptions(ctx.runner);
  if (config.openai) {
    const name = config.openai.api_key_env;
    const apiKey = name === undefined ? undefined : ctx.env[name];
    if (name !== undefined && !apiKey) {
      throw new TargetUnusableError(
        `environment variable ${name} is not set (it should hold the API key)`,
        "api_key_env",
      );
    }
    ctx.redactor.add(apiKey);
    return new OpenAIResponder(config.openai, apiKey, options, config.label);
  }
  if (config.http) return new HttpResponder(config.http, options, config.label);
  if (config.command) return new CommandResponder(config.command, ctx.configDir, options, config.label);
  return undefined;
}

/** Builds the target a config names (paths already resolved against the config file). */
export function createTarget(config: TargetConfig, ctx: TargetContext): Target {
  if (config.replay !== undefined) return new ReplayTarget(config.replay, config.label);
  if (config.results !== undefined) return new ResultsTarget(config.results, config.label);
  const responder = responderFor(config, ctx);
  // The schema guarantees exactly one source; reaching here is a bug, not bad input.
  if (!responder) throw new Error("target has no response source");
  return new LiveTarget(responder, {
    label: ctx.role,
    concurrency: ctx.runner.concurrency,
    samples: ctx.runner.samples,
    journal: ctx.outDir === undefined ? undefined : journalPath(ctx.outDir, ctx.role),
    cacheDir: ctx.cacheDir,
    progress: ctx.progress,
    redactor: ctx.redactor,
  });
}
