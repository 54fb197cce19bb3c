/**
 * Loads `safety-gate.yml`: YAML with source positions → `${VAR}` interpolation →
 * schema validation → paths resolved relative to the config file.
 */
import { dirname, resolve } from "node:path";
import { hashOf } from "../io/canonical.js";
import { InputError, keyPathOf } from "../io/diagnostic.js";
import { parseYaml } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { resolveSuiteRef, type SuiteSource } from "../suite/builtin.js";
import { interpolateEnv } from "./interpolate.js";
import { ConfigSchema, type GateConfig, type TargetConfig } from "./schema.js";

export interface LoadedConfig {
  /** Path as the user gave it (used in messages). */
  file: string;
  dir: string;
  config: GateConfig;
  /** Hash of the config as written (before interpolation, so secrets never enter it). */
  hash: string;
  /** Suites to load: paths resolved, built-ins located. */
  suites: SuiteSource[];
  candidate: TargetConfig;
  baseline?: TargetConfig;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const text = readText(file, "config");
  const source = parseYaml(text, file);
  const { data, fromEnv, problems } = interpolateEnv(source.data, env, source);
  if (problems.length > 0) throw new InputError(problems);
  const config = validate(ConfigSchema, data, source, {
    describeValue: (path) => {
      const names = fromEnv.get(keyPathOf(path));
      return names ? `the value of \${${names.join("}, ${")}} (not shown)` : undefined;
    },
  });
  const dir = dirname(resolve(file));
  const resolveTarget = (t: TargetConfig): TargetConfig => ({
    ...t,
    replay: t.replay === undefined ? undefined : resolve(dir, t.replay),
    results: t.results === undefined ? undefined : resolve(dir, t.results),
  });
  return {
    file,
    dir,
    config,
    hash: hashOf(source.data),
    suites: config.suites.map((s) => resolveSuiteRef(s, dir)),
    candidate: resolveTarget(config.candidate),
    baseline: config.baseline ? resolveTarget(config.baseline) : undefined,
  };
}
