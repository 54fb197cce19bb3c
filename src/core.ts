/**
 * The engine: config → suites → responses → grades → metrics → paired comparison →
 * decisions → results. It knows nothing of GitHub or the terminal; `cli.ts` and
 * `action.ts` are thin adapters over `runGate`.
 */
import { loadConfig } from "./config/load.js";
import { chooseProfile, withProfile } from "./config/profiles.js";
import type { GateConfig, TargetConfig } from "./config/schema.js";
import { type Comparison, comparePaired } from "./gate/compare.js";
import { decide, matchedLevel } from "./gate/decide.js";
import { computeMetrics, RATE_METRICS, type RateMetric } from "./gate/metrics.js";
import { type CaseOutcome, scoreCase } from "./gate/outcome.js";
import { applyWaivers, verdictOf } from "./gate/waivers.js";
import { canaryDetector } from "./graders/canary.js";
import { refusalDetector } from "./graders/refusal.js";
import { displayPath } from "./io/display.js";
import { type ReportOptions, reportOptionsFrom } from "./report/markdown.js";
import type { Results } from "./report/results-schema.js";
import { type LoadedCase, loadSuites } from "./suite/load.js";
import { createTarget } from "./targets/index.js";
import { baselineMismatch } from "./targets/provenance.js";
import { ResultsTarget } from "./targets/results.js";
import type { CaseResponse, Target } from "./targets/target.js";
import { VERSION } from "./version.js";

export interface RunOptions {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  /** The branch that picks a `profiles:` entry: a pull request's base branch, or the pushed branch. */
  branch?: string;
  /**
   * Finds the results file of `baseline: { from: base-branch }`. Supplied by an adapter that
   * knows the hosting platform (the GitHub Action); the engine knows none.
   */
  fetchBaseline?: BaselineFetcher;
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

const GRADERS = [refusalDetector.id, canaryDetector.id];

async function collect(target: Target, cases: readonly LoadedCase[]): Promise<CaseOutcome[]> {
  const answers = new Map<string, CaseResponse>();
  for await (const r of target.respond(cases)) answers.set(r.id, r);
  return cases.map((c) => ({ ...scoreCase(c, answers.get(c.id)), source: c.source }));
}

export interface GateRun {
  results: Results;
  report: ReportOptions;
}

/** The baseline target, or why there is none although one is configured. */
async function baselineTargetOf(
  spec: TargetConfig | undefined,
  fetch: BaselineFetcher | undefined,
): Promise<{ target?: Target; unavailable?: string; notApplicable?: string }> {
  if (!spec) return {};
  if (spec.from === undefined) return { target: createTarget(spec) };
  const found = fetch
    ? await fetch(spec.from)
    : { unavailable: "`baseline: { from: base-branch }` is only available in the GitHub Action" };
  if ("unavailable" in found)
    return { unavailable: `no baseline from the base branch: ${found.unavailable}` };
  if ("notApplicable" in found) return { notApplicable: found.notApplicable };
  return { target: new ResultsTarget(found.file, spec.label, found.source) };
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  const loaded = loadConfig(options.configPath, options.env);
  const chosen = chooseProfile(loaded.config.profiles, options.branch);
  const config = chosen ? withProfile(loaded.config, chosen.profile) : loaded.config;
  const now = options.now ?? new Date();
  const suites = loadSuites(loaded.suites);
  const cases = suites.flatMap((s) => s.cases);

  const candidateTarget = createTarget(loaded.candidate);
  const {
    target: baselineTarget,
    unavailable,
    notApplicable,
  } = await baselineTargetOf(loaded.baseline, options.fetchBaseline);
  const candidate = await collect(candidateTarget, cases);
  const baseline = baselineTarget ? await collect(baselineTarget, cases) : undefined;

  const notes: string[] = [];
  const incomparable =
    unavailable ??
    (baselineTarget
      ? baselineMismatch(
          { suites, configFile: displayPath(options.configPath), graders: GRADERS, now },
          baselineTarget.provenance,
          {
            sameConfigAndJudge: loaded.baseline?.from !== undefined,
            maxAgeDays: loaded.baseline?.max_age_days,
          },
        )
      : undefined);
  const comparisons = new Map<RateMetric, Comparison>();
  if (baseline && !incomparable) {
    const byId = new Map(baseline.map((o) => [o.id, o]));
    for (const metric of RATE_METRICS) {
      const alpha = config.gates[metric]?.regression?.alpha;
      const cmp = comparePaired(
        metric,
        candidate,
        byId,
        alpha === undefined ? config.confidence : matchedLevel(alpha),
      );
      if (cmp.pairs + cmp.unpaired > 0) comparisons.set(metric, cmp);
    }
  }
  if (cases.some((c) => c.cluster !== undefined)) {
    notes.push(
      "Some cases share a `cluster`; this version analyses cases as independent, so intervals may be too narrow for clustered suites.",
    );
  }

  const metrics = {
    candidate: computeMetrics(candidate, config.confidence),
    baseline: baseline ? computeMetrics(baseline, config.confidence) : undefined,
  };
  const decided = decide({
    gates: notApplicable ? withoutRegression(config.gates) : config.gates,
    candidate: metrics.candidate,
    baseline: metrics.baseline,
    comparisons,
    incomparable,
  });
  // Waivers apply after the decisions, so they never change a number.
  const waived = applyWaivers({ waivers: config.waivers, decisions: decided, candidate, comparisons, now });
  const { decisions } = waived;
  if (notApplicable) notes.push(`Regression gates were not applied: ${notApplicable}.`);
  if (decisions.length === 0)
    notes.push("No gate is configured: every metric is reported, none is enforced.");
  for (const w of waived.waivers.filter((x) => x.status === "expired")) {
    notes.push(
      `Waiver ${w.index + 1} (${w.metric}, owner ${w.owner}) expired on ${w.expires} and was ignored; renew or remove it.`,
    );
  }

  const results: Results = {
    schemaVersion: 1,
    verdict: verdictOf(decisions.map((d) => d.outcome)),
    tool: { name: "safety-gate", version: VERSION },
    createdAt: now.toISOString(),
    config: { file: displayPath(options.configPath), hash: loaded.hash },
    suites: suites.map((s) => ({ file: s.file, hash: s.hash, cases: s.cases.length })),
    confidence: config.confidence,
    builds: {
      candidate: { target: candidateTarget.identity, graders: GRADERS, cases: candidate },
      baseline:
        baselineTarget && baseline
          ? {
              target: baselineTarget.identity,
              provenance: baselineTarget.provenance,
              graders: GRADERS,
              cases: baseline,
            }
          : undefined,
    },
    metrics,
    comparisons: [...comparisons.values()],
    decisions,
    profile: chosen ? { name: chosen.name, branch: chosen.branch } : undefined,
    waivers: waived.waivers.length ? waived.waivers : undefined,
    notes,
  };
  return {
    results,
    report: {
      ...reportOptionsFrom(config.report),
      prompts: new Map(cases.map((c) => [c.id, promptText(c)])),
    },
  };
}

function withoutRegression(gates: GateConfig["gates"]): GateConfig["gates"] {
  return Object.fromEntries(
    Object.entries(gates).map(([metric, gate]) => [metric, gate && { ...gate, regression: undefined }]),
  ) as GateConfig["gates"];
}

/** The text a reader needs to judge a case: the prompt, or the conversation turn by turn. */
function promptText(c: LoadedCase): string {
  return c.prompt ?? (c.messages ?? []).map((m) => `[${m.role}] ${m.content}`).join("\n\n");
}
