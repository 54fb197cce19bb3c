/**
 * Built-in suites: YAML files shipped in the package's `suites/` folder, named in a config
 * as `builtin:NAME`. They stay ordinary files (readable, diffable, located in messages)
 * rather than being bundled into the code; the folder is found relative to the running
 * module, so the bundled `dist/cli.js`, a copy of `dist/` beside `suites/`, and the
 * TypeScript sources all find the same files.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BUILTIN_PREFIX = "builtin:";

export const BUILTIN_SUITES = {
  core: "Harmful requests over every content category, next to benign look-alikes",
  injection: "Direct and indirect prompt injection with canaries, and benign task changes",
  extraction: "System-prompt and secret extraction, personal data held in context",
  agents: "Tool-using agents: indirect prompt injection in tool results, each with a benign twin",
} as const;

export type BuiltinName = keyof typeof BUILTIN_SUITES;
export const BUILTIN_NAMES = Object.keys(BUILTIN_SUITES) as BuiltinName[];

/** A suite to load: where it is, and the name it goes by in results and reports. */
export interface SuiteSource {
  file: string;
  /** `builtin:core` for built-ins; the path as shown otherwise. */
  name?: string;
}

export function isBuiltinRef(ref: string): boolean {
  return ref.startsWith(BUILTIN_PREFIX);
}

export function builtinName(ref: string): string {
  return ref.slice(BUILTIN_PREFIX.length);
}

export function isKnownBuiltin(name: string): name is BuiltinName {
  return Object.hasOwn(BUILTIN_SUITES, name);
}

let cachedDir: string | undefined;

/** The `suites/` folder that ships beside `dist/` (or beside `src/` in a checkout). */
export function builtinSuitesDir(): string {
  if (cachedDir) return cachedDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "suites");
    if (BUILTIN_NAMES.every((n) => existsSync(join(candidate, `${n}.yaml`)))) {
      cachedDir = candidate;
      return candidate;
    }
    dir = dirname(dir);
  }
  // A broken install, not bad input: the package lost its suites/ folder.
  throw new Error(
    `the built-in suites folder was not found near ${fileURLToPath(import.meta.url)}; reinstall safety-gate`,
  );
}

/** `builtin:NAME` → the shipped file; anything else is a path relative to `baseDir`. */
export function resolveSuiteRef(ref: string, baseDir: string): SuiteSource {
  if (isBuiltinRef(ref)) {
    return { file: join(builtinSuitesDir(), `${builtinName(ref)}.yaml`), name: ref };
  }
  return { file: resolve(baseDir, ref) };
}

export function allBuiltinSources(): SuiteSource[] {
  return BUILTIN_NAMES.map((n) => resolveSuiteRef(`${BUILTIN_PREFIX}${n}`, "."));
}
