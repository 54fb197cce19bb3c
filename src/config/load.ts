/**
 * Loads `safety-gate.yml`: YAML with source positions → `${VAR}` interpolation →
 * schema validation → paths resolved relative to the config file.
 */
import { dirname, resolve } from "node:path";
import { hashOf } from "../io/canonical.js";
import { InputError, keyPathOf } from "../io/diagnostic.js";
import { type Located, parseYaml } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { interpolateEnv } from "./interpolate.js";
import { ConfigSchema, type GateConfig, type TargetConfig } from "./schema.js";

export interface LoadedConfig {
  /** Path as the user gave it (used in messages). */
  file: string;
  dir: string;
  config: GateConfig;
  /** Hash of the config as written (before interpolation, so secrets never enter it). */
  hash: string;
  /** Suite paths, resolved. */
  suites: string[];
  candidate: TargetConfig;
  baseline?: TargetConfig;
  /** Cache folder, resolved. */
  cache?: string;
  /** Locates keys of the config file, for problems found after loading (e.g. an endpoint that refuses us). */
  source: Located;
  /** Environment values that are credentials: never printed, never recorded, masked in CI logs. */
  secrets: string[];
}

/** A `${VAR}` is taken for a credential when it feeds a header or its name says so. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

function secretsOf(fromEnv: Map<string, string[]>, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [keyPath, names] of fromEnv) {
    for (const name of names) {
      const value = env[name];
      if (value && (/\.headers\./.test(keyPath) || SECRET_NAME.test(name))) out.add(value);
    }
  }
  return [...out];
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
    suites: config.suites.map((s) => resolve(dir, s)),
    candidate: resolveTarget(config.candidate),
    baseline: config.baseline ? resolveTarget(config.baseline) : undefined,
    cache: config.cache === undefined ? undefined : resolve(dir, config.cache),
    source,
    secrets: secretsOf(fromEnv, env),
  };
}
