import type { TargetConfig } from "../config/schema.js";
import { ReplayTarget } from "./replay.js";
import { ResultsTarget } from "./results.js";
import type { Target } from "./target.js";

/** Builds the target a config names (paths already resolved against the config file). */
export function createTarget(config: TargetConfig): Target {
  if (config.replay !== undefined) return new ReplayTarget(config.replay, config.label);
  if (config.results !== undefined) return new ResultsTarget(config.results, config.label);
  // The schema guarantees exactly one source; reaching here is a bug, not bad input.
  throw new Error("target has no response source");
}
