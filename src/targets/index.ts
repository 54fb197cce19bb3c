import { join } from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { TARGET_SOURCES, type TargetConfig } from "../config/schema.js";
import type { RunnerConfig } from "../config/targets.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
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

/** What live targets need beyond the config: where to journal, how to report, what to hide. */
export interface LiveContext {
  env: NodeJS.ProcessEnv;
  /** Where the journal goes; without it a killed run cannot resume. */
  outDir?: string;
  progress?: Progress;
  redactor: Redactor;
  /** `--fresh`: reuse no journaled or cached answer. */
  fresh?: boolean;
  /** Where notices go (answers reused from an earlier run). */
  notice?: (message: string) => void;
}

/** The journal of one build's live responses, in the out dir. */
export function journalPath(outDir: string, role: string): string {
  return join(outDir, "journal", `${role}.jsonl`);
}

export function liveOptions(r: RunnerConfig): LiveOptions {
  return {
    concurrency: r.concurrency,
    samples: r.samples,
    timeoutMs: r.timeout * 1000,
    retry: { retries: r.retries, initialDelayMs: r.backoff * 1000, maxDelayMs: 60_000 },
    requestsPerMinute: r.requests_per_minute,
  };
}

/**
 * A target that cannot be used (unreachable, refused, misnamed, no key) is a problem in
 * the config: exit 2 at the line of the key at fault, naming the target.
 */
function problemIn(loaded: LoadedConfig, role: Role, err: TargetUnusableError, name: string): InputError {
  const config = loaded[role];
  const kind = TARGET_SOURCES.find((k) => config?.[k] !== undefined) ?? "";
  const path = [role, kind, ...(err.keyPath ? err.keyPath.split(".") : [])];
  return new InputError({
    file: displayPath(loaded.file),
    position: loaded.source.locate(path, "value"),
    keyPath: path.join("."),
    message: `${role} ${name}: ${err.message}`,
  });
}

type Role = "candidate" | "baseline";

function responderFor(
  config: TargetConfig,
  runner: RunnerConfig,
  configDir: string,
  live: LiveContext,
): Responder | undefined {
  const options = liveOptions(runner);
  if (config.openai) {
    const name = config.openai.api_key_env;
    const apiKey = name === undefined ? undefined : live.env[name];
    if (name !== undefined && !apiKey) {
      throw new TargetUnusableError(
        `environment variable ${name} is not set (it should hold the API key)`,
        "api_key_env",
      );
    }
    live.redactor.add(apiKey);
    return new OpenAIResponder(config.openai, apiKey, options, config.label);
  }
  if (config.http) return new HttpResponder(config.http, options, config.label);
  if (config.command) return new CommandResponder(config.command, configDir, options, config.label);
  return undefined;
}

/** Builds the target the config names for `role` (paths already resolved against the config file). */
export function createTarget(loaded: LoadedConfig, role: Role, live: LiveContext): Target {
  const config = loaded[role];
  // The schema guarantees a candidate and exactly one source; reaching these is a bug, not bad input.
  if (!config) throw new Error(`no ${role} in the config`);
  if (config.replay !== undefined) return new ReplayTarget(config.replay, config.label);
  if (config.results !== undefined) return new ResultsTarget(config.results, config.label);
  let responder: Responder | undefined;
  try {
    responder = responderFor(config, loaded.config.runner, loaded.dir, live);
  } catch (err) {
    throw err instanceof TargetUnusableError ? problemIn(loaded, role, err, "target") : err;
  }
  if (!responder) throw new Error("target has no response source");
  const target: LiveTarget = new LiveTarget(
    responder,
    {
      label: role,
      concurrency: loaded.config.runner.concurrency,
      samples: loaded.config.runner.samples,
      journal: live.outDir === undefined ? undefined : journalPath(live.outDir, role),
      cacheDir: loaded.cache,
      progress: live.progress,
      redactor: live.redactor,
      fresh: live.fresh,
      notice: live.notice,
      budget: loaded.config.runner.budget,
      price: config.price,
    },
    (err) => problemIn(loaded, role, err, `${target.identity.kind} ${target.identity.source}`),
  );
  return target;
}
