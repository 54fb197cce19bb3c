/**
 * Loads `safety-gate.yml`: YAML with source positions → `${VAR}` interpolation →
 * schema validation → paths resolved relative to the config file.
 */
import { statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { hashOf } from "../io/canonical.js";
import { InputError, keyPathOf, type Problem } from "../io/diagnostic.js";
import { type Located, parseYaml, type YamlSource } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { isBuiltinRef, resolveSuiteRef, type SuiteSource } from "../suite/builtin.js";
import { interpolateEnv } from "./interpolate.js";
import { ConfigSchema, type GateConfig, type TargetConfig } from "./schema.js";

export interface LoadedConfig {
  /** Path as the user gave it (used in messages). */
  file: string;
  dir: string;
  config: GateConfig;
  /** Locates keys of the config file, for problems found after loading (a missing file, an endpoint that refuses us). */
  source: YamlSource;
  /** Hash of the config as written (before interpolation, so secrets never enter it). */
  hash: string;
  /** Suites to load: paths resolved, built-ins located. */
  suites: SuiteSource[];
  candidate: TargetConfig;
  baseline?: TargetConfig;
  /** Cache folder, resolved. */
  cache?: string;
  /** Environment values that are credentials: never printed, never recorded, masked in CI logs. */
  secrets: string[];
}

/** A `${VAR}` is taken for a credential when it feeds a header or a proxy URL, or its name says so. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

/** The environment values a config's `${VAR}`s brought in that are credentials (see SECRET_NAME). */
export function secretsOf(fromEnv: Map<string, string[]>, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [keyPath, names] of fromEnv) {
    for (const name of names) {
      const value = env[name];
      if (value && (/\.headers\.|\.proxy$/.test(keyPath) || SECRET_NAME.test(name))) out.add(value);
    }
  }
  return [...out];
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const text = readText(file, "config file");
  const source = parseYaml(text, file);
  if (source.data === null || source.data === undefined) {
    throw new InputError({
      file,
      position: { line: 1, column: 1 },
      message: "the config file is empty; expected a mapping with `version: 1`, `suites:` and `candidate:`",
    });
  }
  const { data, fromEnv, problems } = interpolateEnv(source.data, env, source);
  if (problems.length > 0) throw new InputError(problems);
  const config = validate(ConfigSchema, data, source, {
    describeValue: (path) => {
      const names = fromEnv.get(keyPathOf(path));
      return names ? `the value of \${${names.join("}, ${")}} (not shown)` : undefined;
    },
  });
  const dir = dirname(resolve(file));
  checkFileRefs(
    config.suites.flatMap((file, i) =>
      isBuiltinRef(file)
        ? []
        : [{ path: ["suites", i], file, what: "suite file", extensions: SUITE_EXTENSIONS }],
    ),
    dir,
    source,
  );
  const resolveTarget = (t: TargetConfig): TargetConfig => ({
    ...t,
    replay: t.replay === undefined ? undefined : resolve(dir, t.replay),
    results: t.results === undefined ? undefined : resolve(dir, t.results),
  });
  return {
    file,
    dir,
    config,
    source,
    hash: hashOf(source.data),
    suites: config.suites.map((s) => resolveSuiteRef(s, dir)),
    candidate: resolveTarget(config.candidate),
    baseline: config.baseline ? resolveTarget(config.baseline) : undefined,
    cache: config.cache === undefined ? undefined : resolve(dir, config.cache),
    secrets: secretsOf(fromEnv, env),
  };
}

export const SUITE_EXTENSIONS = [".jsonl", ".yaml", ".yml"];

interface FileRef {
  path: PropertyKey[];
  file: string;
  what: string;
  extensions?: string[];
}

/**
 * The response files a run reads must exist. Checked when a run needs them (not by
 * `validate` or `lock`, which read only suites), at the config line that names them.
 */
export function checkTargetFiles(loaded: LoadedConfig): void {
  const refs: FileRef[] = [];
  for (const build of ["candidate", "baseline"] as const) {
    const t = loaded.config[build];
    if (t?.replay !== undefined)
      refs.push({ path: [build, "replay"], file: t.replay, what: "responses file" });
    if (t?.results !== undefined)
      refs.push({ path: [build, "results"], file: t.results, what: `${build} results file` });
  }
  checkFileRefs(refs, loaded.dir, loaded.source);
}

/**
 * Files the config names must exist, be files and have a format we read. Checking them
 * against the config lets the message point at the line that names the file — where the fix is.
 */
function checkFileRefs(refs: readonly FileRef[], dir: string, source: Located): void {
  const problems: Problem[] = [];
  for (const ref of refs) {
    const at = { file: source.file, position: source.locate(ref.path), keyPath: keyPathOf(ref.path) };
    let isDirectory = false;
    try {
      isDirectory = statSync(resolve(dir, ref.file)).isDirectory();
    } catch {
      problems.push({
        ...at,
        message: `${ref.what} not found: ${ref.file} (paths are relative to the config file)`,
      });
      continue;
    }
    if (isDirectory)
      problems.push({ ...at, message: `${ref.what} ${ref.file} is a directory, expected a file` });
    else if (ref.extensions && !ref.extensions.includes(extname(ref.file).toLowerCase())) {
      problems.push({
        ...at,
        message: `unsupported suite format "${extname(ref.file)}" (${ref.file}); use ${ref.extensions.slice(0, -1).join(", ")} or ${ref.extensions.at(-1)}`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}
