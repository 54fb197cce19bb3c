/**
 * `safety-gate validate`: every check a run makes before it grades anything — config,
 * suites, lock, gates, and the recorded response files (`replay:`, `results:`), which are
 * read against the suites' case ids — so that a config that validates does not then stop a
 * run with exit 2. Live targets are not called.
 */
import { withAttacks } from "../attacks/expand.js";
import { gatesNothing } from "../config/gate-pair.js";
import { checkTargetFiles, loadConfig } from "../config/load.js";
import { chooseProfile, withProfile } from "../config/profiles.js";
import type { GateConfig } from "../config/schema.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { noun } from "../io/plural.js";
import { loadSuites, type Suite } from "../suite/load.js";
import { checkLock, lockPathFor, namedSuites } from "../suite/lock.js";
import { readResponseFile } from "../targets/replay.js";
import { ResultsTarget } from "../targets/results.js";

export interface Validated {
  suites: Suite[];
  /** The profile `--branch` chose, if one matched. */
  profile?: string;
  /** Recorded responses read per build (live targets are not asked). */
  recorded: { build: "candidate" | "baseline"; responses: number }[];
  /** Things `run` will need that are not there yet (an API key variable not set). */
  notes: string[];
}

export async function validateConfig(
  configPath: string,
  branch?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Validated> {
  const loaded = loadConfig(configPath, env);
  checkTargetFiles(loaded);
  const chosen = chooseProfile(loaded.config.profiles, branch);
  const config = chosen ? withProfile(loaded.config, chosen.profile) : loaded.config;
  const suites = withAttacks(loadSuites(loaded.suites), config.attacks);
  checkLock(lockPathFor(configPath), namedSuites(config.suites, suites));
  const nothing = gatesNothing(config.gates, displayPath(loaded.file), loaded.source);
  if (nothing) throw new InputError(nothing);
  const ids = new Set(suites.flatMap((s) => s.cases.map((c) => c.id)));
  const recorded: Validated["recorded"] = [];
  for (const build of ["candidate", "baseline"] as const) {
    const target = loaded[build];
    if (target?.replay !== undefined)
      recorded.push({ build, responses: readResponseFile(target.replay, ids).length });
    else if (target?.results !== undefined) {
      const cases = suites.flatMap((s) => s.cases);
      recorded.push({
        build,
        responses: [...(await new ResultsTarget(target.results).respond(cases))].length,
      });
    }
  }
  return {
    suites,
    profile: chosen?.name,
    recorded,
    notes: unsetKeyNotes(config, displayPath(loaded.file), env),
  };
}

/**
 * API keys are named by variable (\`api_key_env\`) and read only by \`run\`: a config is valid
 * without them — on a fresh machine, in a fork's pull request — but say which \`run\` will ask for.
 */
function unsetKeyNotes(config: GateConfig, file: string, env: NodeJS.ProcessEnv): string[] {
  const named: [string, string][] = [];
  for (const build of ["candidate", "baseline"] as const) {
    const name = config[build]?.openai?.api_key_env;
    if (name !== undefined) named.push([`${build}.openai.api_key_env`, name]);
  }
  (config.graders.model ?? []).forEach((g, i) => {
    if (g.api_key_env !== undefined) named.push([`graders.model[${i}].api_key_env`, g.api_key_env]);
  });
  return named
    .filter(([, name]) => !env[name])
    .map(
      ([key, name]) =>
        `${file}: note: ${key}: environment variable ${name} is not set; \`run\` needs it (validate does not)`,
    );
}

export function noProfileWarning(branch: string): string {
  return `safety-gate: warning: --branch ${JSON.stringify(branch)} matches no glob under \`profiles:\`; the top-level gates apply`;
}

export const NO_OUT_NOTE =
  "safety-gate: no files written; add --out DIR for results.json, report.md, report.html and junit.xml (and, for live targets, a journal that lets a re-run resume)";

/** "; read 130 candidate and 130 baseline responses", or "" when no build is recorded. */
export function recordedNote(v: Validated): string {
  if (v.recorded.length === 0) return "";
  return `; read ${v.recorded.map((r) => `${r.responses} ${r.build}`).join(" and ")} ${noun(v.recorded.at(-1)?.responses ?? 0, "response")}`;
}
