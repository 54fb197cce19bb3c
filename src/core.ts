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
import { gradingChanges, policyChanges, policyOf, type TrustedPolicy, withPolicy } from "./config/policy.js";
import { chooseProfile, withProfile } from "./config/profiles.js";
import type { ReferenceConfig, TargetConfig } from "./config/schema.js";
import { type BaselineChoice, withTrustedBaseline } from "./config/trusted-baseline.js";
import { evaluate } from "./gate/evaluate.js";
import type { CaseOutcome } from "./gate/outcome.js";
import { createScorer, type Scorer } from "./gate/scoring.js";
import { OpenAIChatModels } from "./graders/openai-chat.js";
import { buildGraders, type ChatModelFactory } from "./graders/registry.js";
import { InputError, keyPathOf } from "./io/diagnostic.js";
import { displayPath } from "./io/display.js";
import { Redactor } from "./io/redact.js";
import { turnText } from "./report/agent-text.js";
import { type ReportOptions, reportOptionsFrom } from "./report/markdown.js";
import {
  checkShards,
  type PartialResult,
  partialNote,
  type ReadPartial,
  readPartial,
} from "./report/partial.js";
import type { Results } from "./report/results-schema.js";
import { collect } from "./runner/collect.js";
import type { Progress } from "./runner/progress.js";
import { askInLooks } from "./runner/sequential.js";
import { type LoadedCase, loadSuites, type Suite } from "./suite/load.js";
import {
  caseDiffSince,
  caseHashesOf,
  checkLock,
  describeDiff,
  lockPathFor,
  namedSuites,
} from "./suite/lock.js";
import { AGENT_EXPECTATIONS } from "./suite/schema.js";
import { type Shard, shardCases } from "./suite/shard.js";
import { pickSubset, type Subset, smokeNote } from "./suite/subset.js";
import { createTarget } from "./targets/index.js";
import { baselineMismatch, ofReference } from "./targets/provenance.js";
import { ResultsTarget } from "./targets/results.js";
import type { Provenance, Target, TargetIdentity } from "./targets/target.js";
import { sumUsage, type UsageSummary } from "./targets/usage.js";
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
  /**
   * Finds the results file of `reference:` — `{ from: release }` (the latest release's artifact), or on a
   * pull request the `{ results: FILE }` of the trusted policy as it is at the base commit. Without it a
   * `results:` reference is read from the config's folder and `from: release` is unavailable.
   */
  fetchReference?: ReferenceFetcher;
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
  /** `run --shard K/N`: answer and grade this slice only, for a partial result (see runShard). */
  shard?: Shard;
  /** `merge`: the shards' --out folders, whose graded cases stand in for asking the targets (see mergeShards). */
  parts?: readonly string[];
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

/** Where a `reference:` comes from; `unavailable` makes the reference comparisons inconclusive. */
export type ReferenceFetcher = (
  spec: ReferenceConfig,
) => Promise<{ file: string; source: string; label?: string } | { unavailable: string } | undefined>;

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

/** What `run --shard K/N` makes: one slice's graded cases, no verdict. */
export interface ShardRun {
  partial: PartialResult;
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  return (await gateOrShard({ ...options, shard: undefined })) as GateRun;
}

/** `run --shard K/N`: answers and grades shard K's cases of both builds (see suite/shard.ts); decides nothing. */
export async function runShard(options: RunOptions & { shard: Shard }): Promise<ShardRun> {
  return (await gateOrShard({ ...options, parts: undefined })) as ShardRun;
}

/**
 * `merge`: the shards' graded cases decided as one run, exactly as an unsharded run of the
 * same answers would be. The config and suites are read again (the verdict follows this
 * config's gates), and must be the ones the shards ran.
 */
export async function mergeShards(options: RunOptions & { parts: readonly string[] }): Promise<GateRun> {
  return (await gateOrShard({ ...options, shard: undefined })) as GateRun;
}

async function gateOrShard(options: RunOptions): Promise<GateRun | ShardRun> {
  const configured = loadConfig(options.configPath, options.env);
  // On a pull request the base commit's baseline judges it, not one the pull request brings.
  const trustedBaseline = withTrustedBaseline(configured, options.policy, options.env ?? process.env);
  const loaded = withBaselineFrom(trustedBaseline.loaded, options);
  checkTargetFiles(loaded);
  const trusted = options.policy?.policy;
  const grading = options.policy?.grading;
  const ownPolicy = trusted ? withPolicy(loaded.config, trusted) : loaded.config;
  // The trusted side's graders and scoring decide what counts as a failure, like its gates.
  const own = grading ? { ...ownPolicy, graders: grading.graders, scoring: grading.scoring } : ownPolicy;
  const chosen = chooseProfile(own.profiles, options.branch);
  const config = chosen ? withProfile(own, chosen.profile) : own;
  const live = {
    env: options.env ?? process.env,
    outDir: options.outDir,
    progress: options.progress,
    redactor: new Redactor([...loaded.secrets, ...(grading?.secrets ?? [])]),
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
    const run = await gateWith(options, loaded, config, chosen, live, chatModels, trustedBaseline);
    return "partial" in run ? run : { ...run, configBaseline: configured.baseline };
  } finally {
    await chatModels?.close();
  }
}

/** One build's graded cases and where they came from: from its target, or from the shards' partial results. */
interface Answered {
  target: TargetIdentity;
  provenance?: Provenance;
  cases: CaseOutcome[];
}

async function gateWith(
  options: RunOptions,
  loaded: LoadedConfig,
  config: LoadedConfig["config"],
  chosen: ReturnType<typeof chooseProfile>,
  live: Parameters<typeof createTarget>[2],
  chatModels: OpenAIChatModels | undefined,
  trustedBaseline: BaselineChoice,
): Promise<GateRun | ShardRun> {
  const now = options.now ?? new Date();
  const suites = withAttacks(loadSuites(loaded.suites), config.attacks);
  checkLock(lockPathFor(options.configPath), namedSuites(config.suites, suites));
  const allCases = suites.flatMap((s) => s.cases);
  const picked = options.subset ? pickSubset(allCases, options.subset) : undefined;
  const cases = picked ?? allCases;
  // Before any request is sent: a config that gates nothing could never fail.
  const nothing = gatesNothing(config.gates, displayPath(loaded.file), loaded.source);
  if (nothing) throw new InputError(nothing);
  // A budget stop leaves a shard's cases unanswered in a way the merge cannot add up (each
  // shard would spend its own cap); a sharded gate is capped per shard job by the workflow.
  if (options.shard && config.runner.budget) {
    throw new InputError({
      file: displayPath(loaded.file),
      position: loaded.source.locate(["runner", "budget"]),
      keyPath: "runner.budget",
      message:
        "a budget cannot be combined with --shard yet: remove runner.budget for sharded runs, or run unsharded",
    });
  }
  // `merge`: the shards answered and graded; they are checked against this config and suites, and no target is asked.
  const parts = options.parts ? partsOf(options.parts, loaded, suites) : undefined;
  const asked = parts
    ? undefined
    : await targetsOf(options, loaded, config, live, chatModels, trustedBaseline, cases);
  const baselineSide = parts ? parts[0]?.partial.baseline : asked?.baselineTarget;
  const unavailable = parts ? parts[0]?.partial.baselineUnavailable : asked?.unavailable;
  const notApplicable = parts ? parts[0]?.partial.baselineNotApplicable : asked?.notApplicable;
  const graderIds = parts ? (parts[0]?.partial.graders ?? []) : (asked?.scorer.graderIds ?? []);
  // Against a baseline run on other suites, --compare-unchanged pairs the cases whose
  // content did not change; the rest are named, never silently dropped.
  const suiteDiff = baselineSide?.provenance
    ? caseDiffSince(baselineSide.provenance.suites, suites)
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
  const baselineCases = pairedIds ? cases.filter((c) => pairedIds.has(c.id)) : cases;
  for (const secret of live.redactor.values) options.registerSecret?.(secret);
  // Whether the builds can be compared does not depend on their answers: known before any is asked.
  const mismatch =
    unavailable ??
    (baselineSide
      ? baselineMismatch(
          { suites, configFile: displayPath(options.configPath), graders: graderIds, now },
          baselineSide.provenance,
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
  const reference = options.recordingBaseline
    ? undefined
    : await referenceOf(config.reference, loaded, options, {
        suites,
        cases,
        // A merge asked no target: the reference is graded with the graders the config names, as a run's.
        scorer: asked?.scorer ?? scorerOf(options, loaded, config, chatModels, cases),
        now,
        configFile: displayPath(options.configPath),
      });

  const evaluationInput = {
    gates: config.gates,
    confidence: config.confidence,
    waivers: config.waivers,
    waiverMaxDays: config.waiver_max_days,
    baselineConfigured: baselineSide !== undefined || unavailable !== undefined,
    // --compare-unchanged: only the cases whose content did not change are compared.
    comparedIds: pairedIds,
    incomparable,
    notApplicable,
    ...(reference ? { reference: reference.input } : {}),
    now,
  };
  const sequentialPlan = config.runner.sequential;
  // Looks need two builds to compare on every case of a full, unsharded, uncapped run; otherwise the run is the fixed one.
  const notUsed = !sequentialPlan
    ? undefined
    : picked
      ? "a smoke run (--limit/--filter) asks its cases in full"
      : parts || options.shard
        ? "a sharded run asks every case of its shard"
        : config.runner.budget
          ? "runner.budget caps the run instead"
          : !asked?.baselineTarget
            ? "there is no baseline to compare with at the looks"
            : pairedIds
              ? "the builds are compared on the unchanged cases only"
              : incomparable
                ? "the builds cannot be compared"
                : undefined;
  const useLooks = sequentialPlan !== undefined && notUsed === undefined;
  let stepwise: Awaited<ReturnType<typeof askInLooks>> | undefined;
  let candidateSide: Answered;
  let baselineAnswered: Answered | undefined;
  let stops: { build: "candidate" | "baseline"; reason: string; unanswered: number; cases: number }[] = [];
  let usage: { candidate?: UsageSummary; baseline?: UsageSummary } = {};
  if (parts) {
    const merged = mergedOutcomes(parts, cases, baselineCases);
    candidateSide = { target: parts[0]?.partial.candidate.target as TargetIdentity, cases: merged.candidate };
    const b = parts[0]?.partial.baseline;
    baselineAnswered = b && merged.baseline ? { ...b, cases: merged.baseline } : undefined;
    usage = {
      candidate: sumUsage(
        parts.map((p) => p.partial.candidate.usage),
        loaded.candidate.price,
      ),
      baseline: sumUsage(
        parts.map((p) => p.partial.baseline?.usage),
        loaded.baseline?.price,
      ),
    };
  } else {
    const { candidateTarget, baselineTarget, scorer } = asked as NonNullable<typeof asked>;
    // `run --shard K/N`: this machine's slice only (see suite/shard.ts).
    const mine = options.shard ? new Set(shardCases(cases, options.shard, config.runner.samples)) : undefined;
    const slice = (list: readonly LoadedCase[]) => (mine ? list.filter((c) => mine.has(c)) : list);
    // A slice (a shard, or a smoke run's cases): recorded answers to the other cases are the run's, not errors.
    const runCases = mine || picked ? allCases : undefined;
    // runner.sequential: both builds asked look by look, stopping once a regression is shown.
    stepwise = useLooks
      ? await askInLooks({
          cases,
          candidate: candidateTarget,
          baseline: baselineTarget as Target,
          scorer,
          plan: sequentialPlan,
          samples: config.runner.samples,
          evaluate: (c, b, look) => evaluate({ ...evaluationInput, candidate: c, baseline: b, look }),
          afterEach: () => throwIfGraderUnusable(chatModels, loaded, config),
        })
      : undefined;
    const answered = stepwise?.candidate ?? (await collect(candidateTarget, slice(cases), scorer, runCases));
    throwIfGraderUnusable(chatModels, loaded, config);
    // The baseline is asked only what the candidate answered: a budget spent on cases that
    // cannot be compared would be lost, and the rest is asked on the re-run.
    const candidateIds = candidateTarget.cost?.stopped ? new Set(answered.map((o) => o.id)) : undefined;
    const baselineList = slice(baselineCases);
    const baseline = stepwise
      ? stepwise.baseline
      : baselineTarget
        ? await collect(
            baselineTarget,
            candidateIds ? baselineList.filter((c) => candidateIds.has(c.id)) : baselineList,
            scorer,
            runCases,
          )
        : undefined;
    throwIfGraderUnusable(chatModels, loaded, config);
    const baselineIds =
      baselineTarget?.cost?.stopped && baseline ? new Set(baseline.map((o) => o.id)) : undefined;
    const candidate = baselineIds ? answered.filter((o) => baselineIds.has(o.id)) : answered;
    stops = (["candidate", "baseline"] as const).flatMap((build) => {
      const stopped = (build === "candidate" ? candidateTarget : baselineTarget)?.cost?.stopped;
      return stopped
        ? [{ build, reason: stopped.reason, unanswered: stopped.unanswered.length, cases: stopped.cases }]
        : [];
    });
    usage = { candidate: candidateTarget.cost?.usage, baseline: baselineTarget?.cost?.usage };
    candidateSide = { target: candidateTarget.identity, cases: candidate };
    baselineAnswered =
      baselineTarget && baseline
        ? { target: baselineTarget.identity, provenance: baselineTarget.provenance, cases: baseline }
        : undefined;
    if (options.shard) {
      const shard = options.shard;
      const partial: PartialResult = {
        kind: "safety-gate partial result",
        schemaVersion: 1,
        note: partialNote(shard, candidate.length, cases.length),
        shard,
        tool: { name: "safety-gate", version: VERSION },
        createdAt: now.toISOString(),
        config: { file: displayPath(options.configPath), hash: loaded.hash },
        suites: suites.map((s) => ({ file: s.file, hash: s.hash, cases: s.cases.length })),
        total: cases.length,
        graders: scorer.graderIds,
        candidate: { target: candidateSide.target, cases: candidate, usage: usage.candidate },
        baseline: baselineAnswered
          ? {
              ...baselineAnswered,
              usage: usage.baseline,
              ignoredKeys: baselineTarget instanceof ResultsTarget ? baselineTarget.ignoredKeys : [],
            }
          : undefined,
        baselineUnavailable: unavailable,
        baselineNotApplicable: notApplicable,
      };
      // Redacted as a whole run's results are: the merge job may not even know the secrets.
      return { partial: live.redactor.redactAll(partial) };
    }
  }
  const candidate = candidateSide.cases;
  const baseline = baselineAnswered?.cases;
  const ignoredKeys = parts
    ? (parts[0]?.partial.baseline?.ignoredKeys ?? [])
    : asked?.baselineTarget instanceof ResultsTarget
      ? asked.baselineTarget.ignoredKeys
      : [];

  const notes: string[] = [...(reference?.notes ?? [])];
  if (ignoredKeys.length) {
    notes.push(
      `The baseline results were written by a newer safety-gate (${baselineAnswered?.provenance?.tool}); keys this version does not know were ignored: ${ignoredKeys.slice(0, 5).join(", ")}${ignoredKeys.length > 5 ? ", …" : ""}.`,
    );
  }
  if (sequentialPlan && notUsed)
    notes.push(`runner.sequential was not used: ${notUsed}; every case was asked.`);
  if (pairedIds && suiteDiff && !incomparable) {
    notes.push(
      `Compared with the baseline on ${pairedIds.size} of ${cases.length} cases, those unchanged since the baseline's run (${narrowing}); not compared: ${describeDiff(suiteDiff)}.`,
    );
  }
  if (picked) notes.unshift(smokeNote(picked.length, allCases.length, options.subset ?? {}));
  for (const stop of stops.toReversed())
    notes.unshift(
      `Inconclusive: ${stop.reason}. The gates below were judged on the ${candidate.length} cases both builds answered; a run on some of the cases is never a gate.`,
    );
  if (stepwise) notes.unshift(stepwise.note);

  const evaluation = stepwise?.evaluation ?? evaluate({ ...evaluationInput, candidate, baseline });
  const { metrics, comparisons, decisions } = evaluation;
  notes.push(...evaluation.notes);
  const policy = policyNote(options.policy, loaded, trustedBaseline.proposed);
  if (policy?.note) notes.unshift(policy.note);

  const results: Results = {
    schemaVersion: 1,
    // Some of the cases can show a problem but never clear a release.
    // A budget that stopped a build short is the same: not every case was asked.
    verdict: picked || stops.length ? "inconclusive" : evaluation.verdict,
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
      candidate: {
        target: candidateSide.target,
        graders: graderIds,
        cases: candidate,
        usage: usage.candidate,
      },
      baseline:
        baselineAnswered && baseline
          ? {
              target: baselineAnswered.target,
              provenance: baselineAnswered.provenance,
              graders: graderIds,
              cases: baseline,
              usage: usage.baseline,
            }
          : undefined,
      ...(reference?.build ? { reference: reference.build } : {}),
    },
    metrics,
    comparisons,
    ...(evaluation.referenceComparisons ? { referenceComparisons: evaluation.referenceComparisons } : {}),
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
    budget: stops.length ? stops : undefined,
    graderUsage: chatModels?.usage(),
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

/** The targets of a run that asks them, and the scorer that grades their answers. */
async function targetsOf(
  options: RunOptions,
  loaded: LoadedConfig,
  config: LoadedConfig["config"],
  live: Parameters<typeof createTarget>[2],
  chatModels: OpenAIChatModels | undefined,
  trustedBaseline: BaselineChoice,
  cases: readonly LoadedCase[],
) {
  const scorer = scorerOf(options, loaded, config, chatModels, cases);
  const candidateTarget = createTarget(loaded, "candidate", live);
  const {
    target: baselineTarget,
    unavailable,
    notApplicable,
  } = options.recordingBaseline
    ? { notApplicable: "this run records the baseline (--record-baseline)" }
    : trustedBaseline.unavailable && options.baselineFile === undefined
      ? { unavailable: trustedBaseline.unavailable }
      : await baselineTargetOf(loaded, live, options.fetchBaseline);
  return { scorer, candidateTarget, baselineTarget, unavailable, notApplicable };
}

/** The graders a run scores with, as its config names them. */
function scorerOf(
  options: RunOptions,
  loaded: LoadedConfig,
  config: LoadedConfig["config"],
  chatModels: OpenAIChatModels | undefined,
  cases: readonly LoadedCase[],
): Scorer {
  const graders = buildGraders(config.graders, {
    configFile: displayPath(loaded.file),
    locate: (path) => loaded.source.locate(path, "value"),
    chatModel: options.chatModel ?? chatModels?.factory,
    verdictCache: chatModels?.verdictCache(),
    piiTypes: Array.isArray(config.scoring.no_leak.pii) ? config.scoring.no_leak.pii : undefined,
  });
  // The tool-calls grader joins the run's grader identity only when the suites hold agent
  // cases, so baselines recorded before agents are still graded alike.
  return createScorer(config.scoring, graders, {
    agentCases: cases.some((c) => (AGENT_EXPECTATIONS as readonly string[]).includes(c.expect)),
  });
}

/**
 * The shards to merge, in order, once they are shown to be one run's — and this one's:
 * made with this config file as it is now and on these suites.
 */
function partsOf(folders: readonly string[], loaded: LoadedConfig, suites: readonly Suite[]): ReadPartial[] {
  const parts = checkShards(folders.map(readPartial));
  const first = parts[0] as ReadPartial;
  const problems: string[] = [];
  if (first.partial.config.hash !== loaded.hash)
    problems.push(
      `the shards ran with another version of the config (${first.partial.config.file}); merge with the config the shards ran, unchanged`,
    );
  const here = suites.map((s) => [s.file, s.hash]);
  const there = first.partial.suites.map((s) => [s.file, s.hash]);
  if (JSON.stringify(here) !== JSON.stringify(there))
    problems.push(
      `the shards ran on other suites (${there.map(([f]) => f).join(", ")}) or other versions of them; merge on the commit the shards ran`,
    );
  if (problems.length) throw new InputError(problems.map((message) => ({ file: first.file, message })));
  return parts;
}

/** Every case's outcome from the shard that graded it, in suite order — or the shard that should have and did not. */
function mergedOutcomes(
  parts: readonly ReadPartial[],
  cases: readonly LoadedCase[],
  baselineCases: readonly LoadedCase[],
): { candidate: CaseOutcome[]; baseline?: CaseOutcome[] } {
  const pick = (side: "candidate" | "baseline", wanted: readonly LoadedCase[]): CaseOutcome[] => {
    const byId = new Map<string, { outcome: CaseOutcome; file: string }>();
    for (const p of parts) {
      for (const outcome of p.partial[side]?.cases ?? []) {
        const seen = byId.get(outcome.id);
        if (seen)
          throw new InputError({
            file: p.file,
            message: `case ${outcome.id} (${side}) was graded by two shards (also ${seen.file}): these shards were not cut from the same run`,
          });
        byId.set(outcome.id, { outcome: outcome as CaseOutcome, file: p.file });
      }
    }
    const out = wanted.map((c) => {
      const found = byId.get(c.id);
      if (!found)
        throw new InputError({
          file: "merge",
          message: `case ${c.id} (${side}) is in no shard: the shards were not run on these suites; run them again`,
        });
      return found.outcome;
    });
    if (byId.size !== wanted.length)
      throw new InputError({
        file: "merge",
        message: `the shards graded ${byId.size - wanted.length} ${side} cases that this run does not have: the shards were not run on these suites; run them again`,
      });
    return out;
  };
  return {
    candidate: pick("candidate", cases),
    baseline: parts[0]?.partial.baseline ? pick("baseline", baselineCases) : undefined,
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
  baselineChanges: string[],
): { record: Results["policy"]; note?: string } | undefined {
  if (!trusted) return undefined;
  if (!trusted.policy) {
    return {
      record: { from: displayPath(loaded.file), proposed: [] },
      note: `There is no gate policy at ${trusted.from}: this change introduces ${displayPath(loaded.file)}, so its own gates and waivers apply.`,
    };
  }
  const proposed = policyChanges(trusted.policy, policyOf(loaded.config));
  if (trusted.grading) proposed.push(...gradingChanges(trusted.grading, loaded.config));
  proposed.push(...baselineChanges);
  return { record: { from: trusted.from, proposed } };
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
  return c.prompt ?? (c.messages ?? []).map(turnText).join("\n\n");
}

/** The reference as the engine uses it: what evaluate needs, the build to record, and notes. */
interface LoadedReference {
  input: NonNullable<Parameters<typeof evaluate>[0]["reference"]>;
  build?: NonNullable<Results["builds"]["reference"]>;
  notes: string[];
}

/**
 * `reference:` — found (a results file, or through the adapter), checked like a baseline taken from an
 * earlier run (suites, age; judge and config for one from CI), paired on the unchanged cases when it
 * says `compare: unchanged`, and graded with today's graders. Anything that stops the comparison is a
 * reason, and the reference comparisons are inconclusive with it — never skipped.
 */
async function referenceOf(
  spec: ReferenceConfig | undefined,
  loaded: LoadedConfig,
  options: RunOptions,
  run: {
    suites: ReturnType<typeof loadSuites>;
    cases: readonly LoadedCase[];
    scorer: Scorer;
    now: Date;
    configFile: string;
  },
): Promise<LoadedReference | undefined> {
  if (!spec) return undefined;
  const fallback = spec.label ?? (spec.from === "release" ? "latest release" : "reference");
  const unavailable = (why: string): LoadedReference => ({
    input: { label: fallback, incomparable: why },
    notes: [],
  });
  // The adapter's answer first (a release artifact, the base commit's file); else the checkout's file.
  let found = await options.fetchReference?.(spec);
  if (!found && spec.results !== undefined) {
    const file = resolve(loaded.dir, spec.results);
    if (!existsSync(file) || statSync(file).isDirectory()) {
      const path = ["reference", "results"];
      throw new InputError({
        file: displayPath(loaded.file),
        position: loaded.source.locate(path, "value"),
        keyPath: keyPathOf(path),
        message: `reference results file not found: ${spec.results} (paths are relative to the config file); give the results.json of the run to compare with, e.g. the last release's`,
      });
    }
    found = { file, source: displayPath(file) };
  }
  found ??= { unavailable: "`reference: { from: release }` is only available in the GitHub Action" };
  if ("unavailable" in found) return unavailable(`no reference build: ${found.unavailable}`);
  const label = spec.label ?? found.label ?? found.source;
  let target: ResultsTarget;
  try {
    target = new ResultsTarget(found.file, label, found.source);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // A reference that does not read is no reference: its comparisons are inconclusive, the run goes on.
    return {
      input: {
        label,
        incomparable: `the reference results (${found.source}) cannot be used: ${err.message}`,
      },
      notes: [],
    };
  }
  const diff = caseDiffSince(target.provenance.suites, run.suites);
  const narrowing = options.compareUnchanged || spec.compare === "unchanged";
  const ids = narrowing && diff?.changed && diff.unchanged.length > 0 ? new Set(diff.unchanged) : undefined;
  const mismatch = baselineMismatch(
    { suites: run.suites, configFile: run.configFile, graders: run.scorer.graderIds, now: run.now },
    target.provenance,
    { sameConfigAndJudge: spec.from !== undefined, maxAgeDays: spec.max_age_days, suitesMayDiffer: !!ids },
  );
  const incomparable = mismatch
    ? ofReference(mismatch) +
      (diff?.changed && !ids && diff.unchanged.length > 0
        ? `, or set \`reference: { compare: unchanged }\` to compare on the ${diff.unchanged.length} unchanged cases`
        : "")
    : undefined;
  const cases = await collect(target, ids ? run.cases.filter((c) => ids.has(c.id)) : run.cases, run.scorer);
  const notes =
    ids && diff && !incomparable
      ? [
          `Compared with the reference (${label}) on ${ids.size} of ${run.cases.length} cases, those unchanged since its run; not compared: ${ofReference(describeDiff(diff))}.`,
        ]
      : [];
  return {
    input: { label, cases, ...(incomparable ? { incomparable } : {}), ...(ids ? { comparedIds: ids } : {}) },
    build: { target: target.identity, provenance: target.provenance, graders: run.scorer.graderIds, cases },
    notes,
  };
}
