/**
 * Is a gate run's results.json about the pull request's own config and suites? The record
 * names its config (file and hash) and its suites (hashes) and lists the graded cases;
 * here they are checked against the files as they are at the pull request's head commit,
 * read through the contents API. A record made from another config, other suites, or with
 * cases added, dropped or relabelled is not the pull request's gate run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { withAttacks } from "../attacks/expand.js";
import { gradingKey, type Policy, parsePolicy } from "../config/policy.js";
import { SuitesPartSchema } from "../config/schema.js";
import { METRIC_OF_EXPECT } from "../gate/metric-names.js";
import { hashOf } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { plural } from "../io/plural.js";
import { parseYaml } from "../io/source.js";
import type { Results } from "../report/results-schema.js";
import { isBuiltinRef, resolveSuiteRef, type SuiteSource } from "../suite/builtin.js";
import { loadSuites, type Suite } from "../suite/load.js";
import type { ProvenancePolicy } from "../targets/provenance.js";
import type { GitHubClient } from "./client.js";
import type { GitHubContext } from "./context.js";
import { readRepoFile } from "./repo-files.js";

export interface HeadCheck {
  /** Why the record is not the head's gate run; empty when it is. */
  problems: string[];
  /** The head config's own policy (shown as proposed). */
  proposed?: Policy;
  /** How its baseline had to match (the head config's `baseline:`). */
  baselinePolicy?: ProvenancePolicy;
  /** gradingKey() of the head config: how the gate run graded. */
  gradingKey?: string;
  /** The head config's `baseline:` as written. */
  baseline?: unknown;
}

const message = (err: unknown) =>
  err instanceof InputError ? err.problems.map((p) => p.message).join("; ") : (err as Error).message;

export async function checkAgainstHead(
  gh: GitHubClient,
  ctx: GitHubContext,
  results: Results,
  configPath: string,
  headSha: string,
): Promise<HeadCheck> {
  const at = headSha.slice(0, 7);
  if (results.config.file !== configPath) {
    return {
      problems: [
        `the gate run used the config ${results.config.file}, not ${configPath} that this report checks`,
      ],
    };
  }
  const text = await readRepoFile(gh, ctx, configPath, headSha);
  if (text === undefined) return { problems: [`${configPath} does not exist at the head commit ${at}`] };
  const shown = `${configPath} (at ${at})`;
  const problems: string[] = [];
  let data: unknown;
  try {
    data = parseYaml(text, shown).data;
  } catch (err) {
    return { problems: [`${shown} does not parse: ${message(err)}`] };
  }
  if (hashOf(data) !== results.config.hash) {
    problems.push(
      `the results' config hash ${results.config.hash.slice(0, 19)}… is not that of ${shown} (${hashOf(data).slice(0, 19)}…)`,
    );
  }
  const grading = gradingKey(data);
  let proposed: Policy | undefined;
  try {
    proposed = parsePolicy(text, shown);
  } catch (err) {
    problems.push(`${shown} has an invalid gate policy: ${message(err)}`);
  }
  const part = SuitesPartSchema.safeParse(data);
  if (!part.success)
    return { problems: [...problems, `${shown} has no valid suites: ${part.error.message}`], proposed };
  const baseline = (data as { baseline?: { from?: unknown; max_age_days?: unknown } }).baseline;
  const baselinePolicy: ProvenancePolicy = {
    sameConfigAndJudge: baseline?.from !== undefined,
    maxAgeDays: typeof baseline?.max_age_days === "number" ? baseline.max_age_days : undefined,
  };
  const dir = mkdtempSync(join(tmpdir(), "safety-gate-head-"));
  try {
    const sources: SuiteSource[] = [];
    for (const ref of part.data.suites) {
      if (isBuiltinRef(ref)) {
        sources.push(resolveSuiteRef(ref, dir));
        continue;
      }
      const path = posix.normalize(posix.join(posix.dirname(configPath), ref));
      if (path.startsWith("..")) {
        problems.push(`the suite ${ref} is outside the repository`);
        continue;
      }
      const suite = await readRepoFile(gh, ctx, path, headSha);
      if (suite === undefined) {
        problems.push(`the suite ${path} does not exist at the head commit ${at}`);
        continue;
      }
      const local = join(dir, ...path.split("/"));
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, suite);
      sources.push({ file: local, name: path });
    }
    if (problems.length) return { problems, proposed, baselinePolicy, gradingKey: grading, baseline };
    let suites: Suite[];
    try {
      suites = withAttacks(loadSuites(sources), part.data.attacks);
    } catch (err) {
      return {
        problems: [...problems, `the suites at ${at} do not load: ${message(err)}`],
        proposed,
        baselinePolicy,
      };
    }
    problems.push(...suiteProblems(results, suites, at));
    return { problems, proposed, baselinePolicy, gradingKey: grading, baseline };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The record's suites and cases against the head's. */
function suiteProblems(results: Results, suites: readonly Suite[], at: string): string[] {
  const problems: string[] = [];
  if (suites.length !== results.suites.length) {
    problems.push(
      `the results list ${plural(results.suites.length, "suite")}; the config at ${at} has ${suites.length}`,
    );
  }
  suites.forEach((s, i) => {
    const recorded = results.suites[i];
    if (recorded && recorded.hash !== s.hash) {
      problems.push(
        `the suite ${recorded.file} has hash ${recorded.hash.slice(0, 19)}… in the results, but ${s.file} at ${at} hashes to ${s.hash.slice(0, 19)}…`,
      );
    }
  });
  const cases = new Map(suites.flatMap((s) => s.cases.map((c) => [c.id, c] as const)));
  for (const [build, record] of Object.entries(results.builds)) {
    if (!record) continue;
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const c of record.cases) {
      const own = cases.get(c.id);
      seen.add(c.id);
      if (
        !own ||
        own.category !== c.category ||
        own.expect !== c.expect ||
        METRIC_OF_EXPECT[own.expect] !== c.metric
      )
        wrong.push(c.id);
    }
    if (wrong.length) {
      problems.push(
        `${wrong.length} ${build} case(s) are not the suites' cases as they are at ${at} (e.g. ${wrong.slice(0, 3).join(", ")})`,
      );
    }
    // The candidate answered every case; a dropped case could hide a failure.
    if (build === "candidate" && seen.size < cases.size) {
      problems.push(`the candidate build has ${seen.size} of the suites' ${plural(cases.size, "case")}`);
    }
  }
  return problems;
}
