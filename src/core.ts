/**
 * The engine: config → suites → responses → grades → metrics → paired comparison →
 * decisions → results. It knows nothing of GitHub or the terminal; `cli.ts` and
 * `action.ts` are thin adapters over `runGate`.
 */
import { existsSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { withAttacks } from "./attacks/expand.js";
import { gatesNothing } from "./config/gate-pair.js";
import { checkTargetFiles, type LoadedConfig, loadConfig } from "./config/load.js";
import { policyChanges, policyOf, type TrustedPolicy, withPolicy } from "./config/policy.js";
import { chooseProfile, withProfile } from "./config/profiles.js";
import type { TargetConfig } from "./config/schema.js";
import { evaluate } from "./gate/evaluate.js";
import { createScorer } from "./gate/scoring.js";
import { OpenAIChatModels } from "./graders/openai-chat.js";
import { buildGraders, type ChatModelFactory } from "./graders/registry.js";
import { InputError, keyPathOf } from "./io/diagnostic.js";
import { displayPath } from "./io/display.js";
import { Redactor } from "./io/redact.js";
import { type ReportOptions, reportOptionsFrom } from "./report/markdown.js";
import type { Results } from "./report/results-schema.js";
import { collect } from "./runner/collect.js";
import type { Progress } from "./runner/progress.js";
import { askInLooks } from "./runner/sequential.js";
import { type LoadedCase, loadSuites } from "./suite/load.js";
import {
  caseDiffSince,
  caseHashesOf,
  checkLock,
  describeDiff,
  lockPathFor,
  namedSuites,
} from "./suite/lock.js";
import { pickSubset, type Subset, smokeNote } from "./suite/subset.js";
import { createTarget } from "./targets/index.js";
import { baselineMismatch } from "./targets/provenance.js";
import { ResultsTarget } from "./targets/results.js";
import type { Target } from "./targets/target.js";
import { VERSION } from "./version.js";

export interface RunOptions {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  /** Out dir: live targets journal their responses here, and a re-run resumes from it. */
  outDir?: string;
  /** Progress of live targets (default: none). */
  progress?: Progress;
  /** Told of every credential before any request is sent (the action masks them in its log). */
  registerSecret?: (value: string) => void;
  /** The branch that picks a `profiles:` entry: a pull request's base branch, or the pushed branch. */
  branch?: string;
  /**
   * Finds the results file of `baseline: { from: base-branch }`. Supplied by an adapter that
   * knows the hosting platform (the GitHub Action); the engine knows none.
   */
  fetchBaseline?: BaselineFetcher;
  /** The chat client for model graders (LLM judge, classifier) the config defines. */
  chatModel?: ChatModelFactory;
  /**
   * A gate policy (gates, profiles, waivers) to use instead of the config file's own — on a
   * pull request, the base branch's, so the pull request cannot relax its own gate. The
   * config file's differing policy is reported as proposed.
   */
  policy?: TrustedPolicy;
  /**
   * `run --record-baseline`: the first baseline. Only the candidate runs; the config's
   * baseline is neither read nor required to exist, and no regression gate applies.
   */
  recordingBaseline?: boolean;
  /** `run --baseline FILE`: this results.json (or replay .jsonl) instead of the config's baseline. */
  baselineFile?: string;
  /** `--limit`/`--filter`: a smoke run on some of the cases, never a gate (see suite/subset.ts). */
  subset?: Subset;
  /**
   * `--compare-unchanged`: against a baseline run on other suites, compare on the cases
   * whose content is unchanged (added, removed and edited cases are named, not compared).
   */
  compareUnchanged?: boolean;
  /** `--fresh`: ask every case again instead of reusing journaled or cached answers. */
  fresh?: boolean;
  /** Told what the user should know before the verdict (answers reused from an earlier run). */
  notice?: (message: string) => void;
}

/**
 * `unavailable`: there should be a baseline and there is none (regression gates are
 * inconclusive). `notApplicable`: this run has no base to compare with — it runs on the
 * base branch itself and makes the baseline that pull requests use — so regression gates
 * are left out, with a note.
 */
export type BaselineFetcher = (
  from: NonNullable<TargetConfig["from"]>,
) => Promise<{ file: string; source: string } | { unavailable: string } | { notApplicable: string }>;

/** The baseline target, or why there is none although one is configured. */
async function baselineTargetOf(
  loaded: LoadedConfig,
  live: Parameters<typeof createTarget>[2],
  fetch: BaselineFetcher | undefined,
): Promise<{ target?: Target; unavailable?: string; notApplicable?: string }> {
  const spec = loaded.baseline;
  if (!spec) return {};
  if (spec.from === undefined) return { target: createTarget(loaded, "baseline", live) };
  const found = fetch
    ? await fetch(spec.from)
    : { unavailable: "`baseline: { from: base-branch }` is only available in the GitHub Action" };
  if ("unavailable" in found)
    return { unavailable: `no baseline from the base branch: ${found.unavailable}` };
  if ("notApplicable" in found) return { notApplicable: found.notApplicable };
  // A downloaded artifact that does not read (cut short, or written by a safety-gate whose
  // results schema this one does not know) is no baseline: regression gates are
  // inconclusive with the reason, the run itself is not an error.
  try {
    return { target: new ResultsTarget(found.file, spec.label, found.source) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { unavailable: `the base branch's results (${found.source}) cannot be used: ${err.message}` };
  }
}

export interface GateRun {
  results: Results;
  report: ReportOptions;
  /** The config's own baseline, paths resolved (`--record-baseline` says whether it wrote that file). */
  configBaseline?: TargetConfig;
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  const configured = loadConfig(options.configPath, options.env);
  const loaded = withBaselineFrom(configured, options);
  checkTargetFiles(loaded);
  const trusted = options.policy?.policy;
  const own = trusted ? withPolicy(loaded.config, trusted) : loaded.config;
  const chosen = chooseProfile(own.profiles, options.branch);
  const config = chosen ? withProfile(own, chosen.profile) : own;
  const live = {
    env: options.env ?? process.env,
    outDir: options.outDir,
    progress: options.progress,
    redactor: new Redactor(loaded.secrets),
    fresh: options.fresh,
    notice: options.notice,
  };
  // Model graders reach their endpoints with the live targets' client unless the caller brings its own.
  const chatModels = options.chatModel
    ? undefined
    : new OpenAIChatModels({
        env: live.env,
        redactor: live.redactor,
        runner: config.runner,
        cacheDir: loaded.cache,
      });
  try {
    const run = await gateWith(options, loaded, config, chosen, live, chatModels);
    return { ...run, configBaseline: configured.baseline };
  } finally {
    await chatModels?.close();
  }
}

async function gateWith(
  options: RunOptions,
  loaded: LoadedConfig,
  config: LoadedConfig["config"],
  chosen: ReturnType<typeof chooseProfile>,
  live: Parameters<typeof createTarget>[2],
  chatModels: OpenAIChatModels | undefined,
): Promise<GateRun> {
  const now = options.now ?? new Date();
  const suites = withAttacks(loadSuites(loaded.suites), config.attacks);
  checkLock(lockPathFor(options.configPath), namedSuites(config.suites, suites));
  const allCases = suites.flatMap((s) => s.cases);
  const picked = options.subset ? pickSubset(allCases, options.subset) : undefined;
  const cases = picked ?? allCases;
  // Before any request is sent: a config that gates nothing could never fail.
  const nothing = gatesNothing(config.gates, displayPath(loaded.file), loaded.source);
  if (nothing) throw new InputError(nothing);

  const graders = buildGraders(config.graders, {
    configFile: displayPath(loaded.file),
    locate: (path) => loaded.source.locate(path, "value"),
    chatModel: options.chatModel ?? chatModels?.factory,
    verdictCache: chatModels?.verdictCache(),
    piiTypes: Array.isArray(config.scoring.no_leak.pii) ? config.scoring.no_leak.pii : undefined,
  });
  const scorer = createScorer(config.scoring, graders);
  const candidateTarget = createTarget(loaded, "candidate", live);
  const {
    target: baselineTarget,
    unavailable,
    notApplicable,
  } = options.recordingBaseline
    ? { notApplicable: "this run records the baseline (--record-baseline)" }
    : await baselineTargetOf(loaded, live, options.fetchBaseline);
  // Against a baseline run on other suites, --compare-unchanged pairs the cases whose
  // content did not change; the rest are named, never silently dropped.
  const suiteDiff = baselineTarget?.provenance
    ? caseDiffSince(baselineTarget.provenance.suites, suites)
    : undefined;
  // Asked for on this run (--compare-unchanged) or in the config, where review sees it.
  const narrowing = options.compareUnchanged
    ? "--compare-unchanged"
    : loaded.baseline?.compare === "unchanged"
      ? "baseline.compare: unchanged"
      : undefined;
  const pairedIds =
    narrowing && suiteDiff?.changed && suiteDiff.unchanged.length > 0
      ? new Set(suiteDiff.unchanged)
      : undefined;
  for (const secret of live.redactor.values) options.registerSecret?.(secret);
  // Whether the builds can be compared does not depend on their answers: known before any is asked.
  const mismatch =
    unavailable ??
    (baselineTarget
      ? baselineMismatch(
          { suites, configFile: displayPath(options.configPath), graders: scorer.graderIds, now },
          baselineTarget.provenance,
          {
            sameConfigAndJudge: loaded.baseline?.from !== undefined,
            maxAgeDays: loaded.baseline?.max_age_days,
            suitesMayDiffer: pairedIds !== undefined,
          },
        )
      : undefined);
  const incomparable =
    mismatch && !unavailable && suiteDiff?.changed && !pairedIds && suiteDiff.unchanged.length > 0
      ? `${mismatch}, or set \`baseline: { compare: unchanged }\` (or run with --compare-unchanged) to compare on the ${suiteDiff.unchanged.length} unchanged cases`
      : mismatch;
  const evaluationInput = {
    gates: config.gates,
    confidence: config.confidence,
    waivers: config.waivers,
    waiverMaxDays: config.waiver_max_days,
    baselineConfigured: baselineTarget !== undefined || unavailable !== undefined,
    // --compare-unchanged: only the cases whose content did not change are compared.
    comparedIds: pairedIds,
    incomparable,
    notApplicable,
    now,
  };
  const sequential = config.runner.sequential;
  // Looks need two builds to compare on every case of a full run; otherwise the run is the fixed one.
  const stepwise =
    sequential && baselineTarget && !incomparable && !picked && !pairedIds
      ? await askInLooks({
          cases,
          candidate: candidateTarget,
          baseline: baselineTarget,
          scorer,
          plan: sequential,
          samples: config.runner.samples,
          evaluate: (candidate, baseline, look) =>
            evaluate({ ...evaluationInput, candidate, baseline, look }),
          afterEach: () => throwIfGraderUnusable(chatModels, loaded, config),
        })
      : undefined;
  const candidate = stepwise?.candidate ?? (await collect(candidateTarget, cases, scorer));
  throwIfGraderUnusable(chatModels, loaded, config);
  const baseline =
    stepwise?.baseline ??
    (baselineTarget
      ? await collect(baselineTarget, pairedIds ? cases.filter((c) => pairedIds.has(c.id)) : cases, scorer)
      : undefined);
  throwIfGraderUnusable(chatModels, loaded, config);

  const notes: string[] = [];
  if (sequential && !stepwise) {
    notes.push(
      `runner.sequential was not used: ${picked ? "a smoke run (--limit/--filter) asks its cases in full" : !baselineTarget ? "there is no baseline to compare with at the looks" : pairedIds ? "the builds are compared on the unchanged cases only" : "the builds cannot be compared"}; every case was asked.`,
    );
  }
  if (baselineTarget instanceof ResultsTarget && baselineTarget.ignoredKeys.length) {
    notes.push(
      `The baseline results were written by a newer safety-gate (${baselineTarget.provenance.tool}); keys this version does not know were ignored: ${baselineTarget.ignoredKeys.slice(0, 5).join(", ")}${baselineTarget.ignoredKeys.length > 5 ? ", …" : ""}.`,
    );
  }
  if (pairedIds && suiteDiff && !incomparable) {
    notes.push(
      `Compared with the baseline on ${pairedIds.size} of ${cases.length} cases, those unchanged since the baseline's run (${narrowing}); not compared: ${describeDiff(suiteDiff)}.`,
    );
  }
  if (picked) notes.unshift(smokeNote(picked.length, allCases.length, options.subset ?? {}));
  if (stepwise) notes.unshift(stepwise.note);
  const evaluation = stepwise?.evaluation ?? evaluate({ ...evaluationInput, candidate, baseline });
  const { metrics, comparisons, decisions } = evaluation;
  notes.push(...evaluation.notes);
  const policy = policyNote(options.policy, loaded);
  if (policy?.note) notes.unshift(policy.note);

  const results: Results = {
    schemaVersion: 1,
    // Some of the cases can show a problem but never clear a release.
    verdict: picked ? "inconclusive" : evaluation.verdict,
    tool: { name: "safety-gate", version: VERSION },
    createdAt: now.toISOString(),
    config: { file: displayPath(options.configPath), hash: loaded.hash },
    suites: suites.map((s) => ({
      file: s.file,
      hash: s.hash,
      cases: s.cases.length,
      caseHashes: caseHashesOf(s),
    })),
    confidence: config.confidence,
    builds: {
      candidate: { target: candidateTarget.identity, graders: scorer.graderIds, cases: candidate },
      baseline:
        baselineTarget && baseline
          ? {
              target: baselineTarget.identity,
              provenance: baselineTarget.provenance,
              graders: scorer.graderIds,
              cases: baseline,
            }
          : undefined,
    },
    metrics,
    comparisons,
    decisions,
    smoke: picked
      ? {
          cases: picked.length,
          of: allCases.length,
          limit: options.subset?.limit,
          filter: options.subset?.filter,
        }
      : undefined,
    profile: chosen ? { name: chosen.name, branch: chosen.branch } : undefined,
    sequential: stepwise?.record,
    waivers: evaluation.waivers.length ? evaluation.waivers : undefined,
    policy: policy?.record,
    notes,
  };
  // Everything graded on the real text; what leaves the engine (files, comment, checks) is
  // redacted here, for every build — a replayed or recorded response too. By now every
  // secret is known (model graders register their keys on first use).
  return {
    results: live.redactor.redactAll(results),
    report: {
      ...reportOptionsFrom(config.report),
      prompts: live.redactor.redactAll(new Map(cases.map((c) => [c.id, promptText(c)]))),
    },
  };
}

/**
 * A grader that no case can get past (refused key, unknown model) is a problem in the
 * config, like an unusable target: exit 2 at its entry instead of a run of error cases.
 */
function throwIfGraderUnusable(
  chatModels: OpenAIChatModels | undefined,
  loaded: LoadedConfig,
  config: LoadedConfig["config"],
): void {
  const failure = chatModels?.fatal;
  if (!failure) return;
  const index = (config.graders.model ?? []).findIndex((m) => m.name === failure.grader);
  const path = ["graders", "model", index, failure.key];
  throw new InputError({
    file: displayPath(loaded.file),
    position: loaded.source.locate(path, "value"),
    keyPath: keyPathOf(path),
    message: `grader ${failure.grader}: ${failure.message}`,
  });
}

/** What the report says about a policy taken from elsewhere than the config file. */
function policyNote(
  trusted: TrustedPolicy | undefined,
  loaded: LoadedConfig,
): { record: Results["policy"]; note?: string } | undefined {
  if (!trusted) return undefined;
  if (!trusted.policy) {
    return {
      record: { from: displayPath(loaded.file), proposed: [] },
      note: `There is no gate policy at ${trusted.from}: this change introduces ${displayPath(loaded.file)}, so its own gates and waivers apply.`,
    };
  }
  return { record: { from: trusted.from, proposed: policyChanges(trusted.policy, policyOf(loaded.config)) } };
}

/**
 * The baseline this run uses: none when it records one (so a `results:` file that does not
 * exist yet is no error), the `--baseline` file instead of the config's, or the config's.
 */
function withBaselineFrom(loaded: LoadedConfig, options: RunOptions): LoadedConfig {
  if (!options.recordingBaseline && options.baselineFile === undefined) return loaded;
  const withoutConfigBaseline = { ...loaded, config: { ...loaded.config, baseline: undefined } };
  if (options.recordingBaseline) return { ...withoutConfigBaseline, baseline: undefined };
  const file = resolve(options.baselineFile as string);
  if (!existsSync(file) || statSync(file).isDirectory()) {
    throw new InputError({
      file: displayPath(file),
      message:
        "--baseline: no such file; give a results.json of an earlier run or a JSONL of recorded responses",
    });
  }
  const kind = extname(file).toLowerCase() === ".jsonl" ? "replay" : "results";
  // The config's label, max_age_days and compare still apply; only where the answers come from changes.
  const { label, max_age_days, compare } = loaded.baseline ?? {};
  return { ...withoutConfigBaseline, baseline: { [kind]: file, label, max_age_days, compare } };
}

/** The text a reader needs to judge a case: the prompt, or the conversation turn by turn. */
function promptText(c: LoadedCase): string {
  return c.prompt ?? (c.messages ?? []).map((m) => `[${m.role}] ${m.content}`).join("\n\n");
}
