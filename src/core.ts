/**
 * The engine: config → suites → responses → grades → metrics → paired comparison →
 * decisions → results. It knows nothing of GitHub or the terminal; `cli.ts` and
 * `action.ts` are thin adapters over `runGate`.
 */
import { loadConfig } from "./config/load.js";
import { type Comparison, comparePaired } from "./gate/compare.js";
import { addCorrections } from "./gate/correction.js";
import { decide, matchedLevel, worst } from "./gate/decide.js";
import { graderMismatch } from "./gate/grader-identity.js";
import { computeMetrics, RATE_METRICS, type RateMetric } from "./gate/metrics.js";
import type { CaseOutcome } from "./gate/outcome.js";
import { createScorer, type Scorer } from "./gate/scoring.js";
import { buildGraders, type ChatModelFactory } from "./graders/registry.js";
import { displayPath } from "./io/display.js";
import type { ReportOptions } from "./report/markdown.js";
import type { Results } from "./report/results-schema.js";
import { type LoadedCase, loadSuites, type Suite } from "./suite/load.js";
import { createTarget } from "./targets/index.js";
import type { CaseResponse, Target } from "./targets/target.js";
import { VERSION } from "./version.js";

export interface RunOptions {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  /** The chat client for model graders (LLM judge, classifier) the config defines. */
  chatModel?: ChatModelFactory;
}

/** Model graders wait on the network; this many cases are graded at once. */
const GRADING_CONCURRENCY = 8;

async function collect(target: Target, cases: readonly LoadedCase[], scorer: Scorer): Promise<CaseOutcome[]> {
  const answers = new Map<string, CaseResponse>();
  for await (const r of target.respond(cases)) answers.set(r.id, r);
  const out: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i] as LoadedCase;
      out[i] = await scorer.score(c, answers.get(c.id));
    }
  };
  await Promise.all(Array.from({ length: Math.min(GRADING_CONCURRENCY, cases.length) }, worker));
  return out;
}

/** Why a baseline from an earlier run cannot be paired with this one, if it cannot. */
function suiteMismatch(suites: readonly Suite[], baseline: Target): string | undefined {
  const before = baseline.provenance?.suites;
  if (!before) return undefined;
  const now = new Set(suites.map((s) => s.hash));
  const then = new Set(before.map((s) => s.hash));
  if (now.size === then.size && [...now].every((h) => then.has(h))) return undefined;
  const fmt = (list: readonly { file: string; hash: string }[]) =>
    list.map((s) => `${s.file} (${s.hash.slice(0, 19)}…)`).join(", ");
  return `the baseline was run on different suites: baseline ${fmt(before)}; candidate ${fmt(suites)}. Re-run the baseline on the current suites`;
}

export interface GateRun {
  results: Results;
  report: ReportOptions;
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  const loaded = loadConfig(options.configPath, options.env);
  const { config } = loaded;
  const suites = loadSuites(loaded.suites);
  const cases = suites.flatMap((s) => s.cases);

  const graders = buildGraders(config.graders, {
    configFile: loaded.file,
    chatModel: options.chatModel,
    piiTypes: Array.isArray(config.scoring.no_leak.pii) ? config.scoring.no_leak.pii : undefined,
  });
  const scorer = createScorer(config.scoring, graders);
  const candidateTarget = createTarget(loaded.candidate);
  const baselineTarget = loaded.baseline ? createTarget(loaded.baseline) : undefined;
  const candidate = await collect(candidateTarget, cases, scorer);
  const baseline = baselineTarget ? await collect(baselineTarget, cases, scorer) : undefined;
  // Both builds are graded by this run's scorer today; the check guards any path that
  // brings a baseline's grades from elsewhere (e.g. recorded judge verdicts).
  const gradedBy = { candidate: scorer.graderIds, baseline: scorer.graderIds };

  const notes: string[] = [];
  const incomparable = baselineTarget
    ? (suiteMismatch(suites, baselineTarget) ?? graderMismatch(gradedBy.candidate, gradedBy.baseline))
    : undefined;
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
    candidate: addCorrections(computeMetrics(candidate, config.confidence), config.gates, config.confidence),
    baseline: baseline
      ? addCorrections(computeMetrics(baseline, config.confidence), config.gates, config.confidence)
      : undefined,
  };
  const decisions = decide({
    gates: config.gates,
    candidate: metrics.candidate,
    baseline: metrics.baseline,
    comparisons,
    incomparable,
  });
  if (decisions.length === 0)
    notes.push("No gate is configured: every metric is reported, none is enforced.");

  const results: Results = {
    schemaVersion: 1,
    verdict: worst(decisions.map((d) => d.outcome)),
    tool: { name: "safety-gate", version: VERSION },
    createdAt: (options.now ?? new Date()).toISOString(),
    config: { file: displayPath(options.configPath), hash: loaded.hash },
    suites: suites.map((s) => ({ file: s.file, hash: s.hash, cases: s.cases.length })),
    confidence: config.confidence,
    builds: {
      candidate: { target: candidateTarget.identity, graders: gradedBy.candidate, cases: candidate },
      baseline:
        baselineTarget && baseline
          ? {
              target: baselineTarget.identity,
              provenance: baselineTarget.provenance,
              graders: gradedBy.baseline,
              cases: baseline,
            }
          : undefined,
    },
    metrics,
    comparisons: [...comparisons.values()],
    decisions,
    notes,
  };
  return {
    results,
    report: { maxFlips: config.report.max_flips, maxResponseChars: config.report.max_response_chars },
  };
}
