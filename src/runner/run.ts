/**
 * The runner: every (case, sample) of a live target, answered once.
 *
 * - Work already done is never asked again: the journal in the out dir (resume after a
 *   crash or a kill) and the optional cache (across runs) are both keyed on the target's
 *   fingerprint, the case id, the sample and the exact request, so a changed case, model,
 *   parameter or build asks afresh, and a new build never gets an old build's answers.
 * - At most `concurrency` requests are in flight; each answer is journaled as it
 *   arrives (written out at the end of that event-loop turn).
 * - A case that still fails after its retries becomes an error case with its cause;
 *   a fatal failure (unreachable, 401/403, unknown model) stops the run at once.
 * - Responses are graded as the model wrote them; what is written (journal, cache) passes
 *   through the redactor, so secrets never reach a file. A response that held a secret is
 *   journaled redacted and marked, never cached, and asked again on resume: grading never
 *   sees "[redacted]" in place of what the model said.
 */
import { setMaxListeners } from "node:events";
import { rmSync } from "node:fs";
import type { BudgetConfig } from "../config/targets.js";
import { AppendLog } from "../io/append-log.js";
import { displayPath } from "../io/display.js";
import type { Redactor } from "../io/redact.js";
import type { LoadedCase } from "../suite/load.js";
import { answerTooLargeReason, overAnswerLimit } from "../targets/answer-limit.js";
import { fingerprintOf, ResponseCache, requestKey } from "../targets/cache.js";
import { AttemptError, type Culprit, TargetUnusableError } from "../targets/failure.js";
import { messagesOf } from "../targets/messages.js";
import type { Answered, Responder } from "../targets/responder.js";
import type { CaseResponse } from "../targets/target.js";
import { chatPromptTokens, loadTokenCounter, type TokenCounter } from "../targets/tokens.js";
import { isUsage, type Price, type Usage, type UsageSummary, UsageTally } from "../targets/usage.js";
import { Budget, type BudgetStop } from "./budget.js";
import { type Progress, type ProgressState, quietProgress } from "./progress.js";

export interface RunnerOptions {
  /** Shown in progress lines, e.g. "candidate". */
  label: string;
  concurrency: number;
  samples: number;
  /** Journal file (JSONL); without it nothing is resumable. */
  journal?: string;
  /** Cache directory shared across runs. */
  cacheDir?: string;
  progress?: Progress;
  redactor: Redactor;
  now?: () => number;
  /** `--fresh`: every case is asked again; the journal is started anew and the cache is not read (both are still written). */
  fresh?: boolean;
  /** Told what the user should know before the verdict: answers reused from an earlier run. */
  notice?: (message: string) => void;
  /** `runner.budget`: the cap on this build's requests, tokens or cost. */
  budget?: BudgetConfig;
  /** The build's price (USD per 1M tokens): the cost in results, and a cap on cost. */
  price?: Price;
}

/** One line of the journal: the final outcome of one (case, sample). */
export interface JournalRecord {
  key: string;
  id: string;
  sample: number;
  response?: string;
  error?: string;
  /** The response held a secret and was written redacted: not the model's text, so not reused. */
  redacted?: true;
  /** The usage the provider reported for this answer (an estimate is made again, not kept). */
  usage?: Usage;
}

export interface RunStats {
  total: number;
  fromJournal: number;
  fromCache: number;
  requested: number;
  retries: number;
  errors: number;
}

/** What one build's run produced besides its responses: what they cost, and a budget's stop. */
export interface RunCost {
  usage: UsageSummary;
  /** Set when the budget left cases unanswered. */
  stopped?: BudgetStop;
}

const isJournalRecord = (v: unknown): v is JournalRecord => {
  const r = v as JournalRecord | null;
  return (
    typeof r?.key === "string" &&
    typeof r.id === "string" &&
    Number.isInteger(r.sample) &&
    (typeof r.response === "string" || typeof r.error === "string") &&
    (r.usage === undefined || isUsage(r.usage))
  );
};

/**
 * When this many of a run's first answers (fewer for a smaller run) all fail with the same
 * misconfiguration (see `misconfigured` in targets/failure.ts), every other case would too:
 * the run stops with exit 2 at the config key, instead of turning 1,000 cases into error
 * cases one by one. One answer that works, or a failure of another kind, and the run goes on.
 */
export const MISCONFIGURED_AFTER = 8;

const MISCONFIGURED_HINT: Partial<Record<Culprit, string>> = {
  response:
    "; point it at the response text in the body shown (a JSON pointer, e.g. /choices/0/message/content)",
  protocol:
    '; the program must answer each request line with one JSON line {"id", "sample", "response"} (README, Live targets)',
  endpoint: "; check that it is the model's endpoint or program",
};

interface Job {
  c: LoadedCase;
  sample: number;
  request: unknown;
  key: string;
}

/** An answer's usage counted with the tokenizer (the target reported none), marked estimated. */
function estimatedUsage(responder: Responder, c: LoadedCase, response: string, tokens: TokenCounter): Usage {
  return {
    promptTokens: chatPromptTokens(promptMessages(responder, c), tokens),
    completionTokens: tokens.count(response),
    estimated: true,
  };
}

const promptMessages = (responder: Responder, c: LoadedCase) => responder.messages?.(c) ?? messagesOf(c);

export async function runCases(
  responder: Responder,
  cases: readonly LoadedCase[],
  options: RunnerOptions,
): Promise<{ responses: CaseResponse[]; stats: RunStats; cost: RunCost }> {
  const now = options.now ?? Date.now;
  const progress = options.progress ?? quietProgress;
  const redact = (s: string) => options.redactor.redact(s);
  const fingerprint = fingerprintOf(responder.fingerprint);
  // A fresh run's answers are the only ones a resume may reuse: the old journal goes.
  if (options.fresh && options.journal) rmSync(options.journal, { force: true });
  const journal = options.journal ? new AppendLog(options.journal, isJournalRecord) : undefined;
  const cache = options.cacheDir ? new ResponseCache(options.cacheDir, fingerprint) : undefined;
  const stats: RunStats = {
    total: cases.length * options.samples,
    fromJournal: 0,
    fromCache: 0,
    requested: 0,
    retries: 0,
    errors: 0,
  };
  const responses: CaseResponse[] = [];
  /** Usage reported with each answer, by the answer's index in `responses`. */
  const reported = new Map<number, Usage>();
  const answered = (r: CaseResponse, usage: Usage | undefined) => {
    if (usage && r.response !== undefined) reported.set(responses.length, usage);
    responses.push(r);
  };
  const jobs: Job[] = [];
  for (const c of cases) {
    for (let sample = 0; sample < options.samples; sample++) {
      const request = responder.request(c, sample);
      const key = requestKey(fingerprint, c.id, sample, request);
      const journaled = journal?.get(key);
      // An error in the journal is not an answer, nor is a redacted response: resuming asks again.
      if (journaled?.response !== undefined && !journaled.redacted) {
        answered({ id: c.id, sample, response: journaled.response }, journaled.usage);
        stats.fromJournal++;
        continue;
      }
      const hit = options.fresh ? undefined : cache?.entry(key);
      if (hit !== undefined) {
        const { response: cached, usage } = hit;
        journal?.append({ key, id: c.id, sample, response: cached, ...(usage ? { usage } : {}) });
        answered({ id: c.id, sample, response: cached }, usage);
        stats.fromCache++;
        continue;
      }
      jobs.push({ c, sample, request, key });
    }
  }

  // Reused answers are the old build's if the change was not seen (a model file the command
  // line does not name): say so before any verdict, with the way out.
  if (stats.fromJournal && journal)
    options.notice?.(
      `${options.label}: reusing ${stats.fromJournal} answer${stats.fromJournal === 1 ? "" : "s"} from ${displayPath(journal.path)} (--fresh to ask again)`,
    );
  if (stats.fromCache && cache)
    options.notice?.(
      `${options.label}: reusing ${stats.fromCache} cached answer${stats.fromCache === 1 ? "" : "s"} from ${displayPath(cache.path)} (--fresh to ask again)`,
    );

  const started = now();
  const state = (): ProgressState => ({
    label: options.label,
    total: stats.total,
    done: responses.length,
    reused: stats.fromJournal + stats.fromCache,
    errors: stats.errors,
    retries: stats.retries,
    elapsedMs: now() - started,
  });
  progress.start(state());

  const abort = new AbortController();
  // Every request in flight listens for the abort (transport, backoff sleep, rate limiter).
  setMaxListeners(options.concurrency * 4 + 10, abort.signal);
  let fatal: AttemptError | undefined;
  let bug: unknown;
  // A cap on tokens or cost needs every request's worst case, counted with the tokenizer.
  const tokens = Budget.countsTokens(options.budget) ? await loadTokenCounter() : undefined;
  const budget = options.budget
    ? new Budget(options.budget, new UsageTally(options.price), options.price)
    : undefined;
  if (budget) {
    // The answers already had count against the cap: it is on the whole build.
    const byId = new Map(cases.map((c) => [c.id, c]));
    responses.forEach((r, i) => {
      const c = byId.get(r.id) as LoadedCase;
      budget.spend(
        reported.get(i) ??
          (tokens
            ? estimatedUsage(responder, c, r.response ?? "", tokens)
            : { promptTokens: 0, completionTokens: 0, estimated: true }),
      );
    });
  }
  const completionBound = (job: Job) =>
    responder.maxCompletionTokens?.(job.request) ?? options.budget?.completion_tokens ?? 0;
  const worstOf = (job: Job) =>
    budget?.worst(
      tokens ? chatPromptTokens(promptMessages(responder, job.c), tokens) : 0,
      tokens ? completionBound(job) : 0,
    );

  const record = (job: Job, given: { response: string; usage?: Usage } | { error: string }) => {
    // Every target's transport bounds its answers; this holds the same limit for any responder.
    const size = "response" in given ? overAnswerLimit(given.response) : undefined;
    const outcome = size === undefined ? given : { error: answerTooLargeReason("the answer", size) };
    const r: CaseResponse =
      "response" in outcome
        ? { id: job.c.id, sample: job.sample, response: outcome.response }
        : { id: job.c.id, sample: job.sample, error: redact(outcome.error) };
    if (r.response !== undefined) {
      const written = redact(r.response);
      const usage = "usage" in outcome && outcome.usage ? { usage: outcome.usage } : {};
      if (written === r.response) {
        journal?.append({ key: job.key, ...r, ...usage });
        cache?.put(job.key, r.response, usage.usage);
      } else
        journal?.append({
          key: job.key,
          id: r.id,
          sample: r.sample,
          response: written,
          redacted: true,
          ...usage,
        });
      answered(r, usage.usage);
    } else {
      journal?.append({ key: job.key, ...r });
      stats.errors++;
      responses.push(r);
    }
    progress.update(state());
  };

  // The first answers of this run, while they all fail with one misconfiguration.
  const window = Math.min(MISCONFIGURED_AFTER, jobs.length);
  let seen = 0;
  // Answers already had (journal, cache) show the target works: a failure now is a case's own.
  let alike: AttemptError["options"]["misconfigured"] | null | undefined =
    stats.fromJournal + stats.fromCache > 0 ? null : undefined;
  const watch = (err?: AttemptError) => {
    if (++seen > window || alike === null) return;
    const cause = err?.options.misconfigured;
    alike = cause !== undefined && (alike === undefined || alike === cause) ? cause : null;
    if (alike && err && seen === window) {
      fatal = new AttemptError(
        `the first ${window === 1 ? "answer" : `${window} answers all`} failed the same way, so the config is at fault rather than the network: ${err.message}${MISCONFIGURED_HINT[alike] ?? ""}`,
        "fatal",
        { culprit: alike },
      );
      abort.abort(fatal);
    }
  };

  let next = 0;
  // One context for every request: nothing in it is per request.
  const context = {
    signal: abort.signal,
    onRetry: () => {
      stats.retries++;
    },
  };
  // Stops sending once the next request could cross the budget with nothing left in flight.
  let stoppedAt: number | undefined;
  let settled: (() => void) | undefined;
  let settling: Promise<void> | undefined;
  const nextSettle = () => {
    settling ??= new Promise<void>((resolve) => {
      settled = () => {
        settling = undefined;
        resolve();
      };
    });
    return settling;
  };
  const worker = async () => {
    while (next < jobs.length && !abort.signal.aborted && stoppedAt === undefined) {
      const job = jobs[next] as Job;
      const worst = worstOf(job);
      if (budget && worst && !budget.reserve(worst)) {
        // What is in flight may cost less than its worst case: wait for it, then look again.
        if (budget.busy) {
          await nextSettle();
          continue;
        }
        stoppedAt = next;
        break;
      }
      next++;
      stats.requested++;
      let usage: Usage | undefined;
      try {
        const given = await responder.answer(job.request, job.c, job.sample, context);
        const { text, usage: reportedUsage } =
          typeof given === "string" ? ({ text: given } as Answered) : given;
        usage = reportedUsage ?? (tokens ? estimatedUsage(responder, job.c, text, tokens) : undefined);
        if (budget && !usage) usage = { promptTokens: 0, completionTokens: 0, estimated: true };
        record(job, { response: text, usage: reportedUsage });
        watch();
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof AttemptError && err.kind !== "fatal") {
          record(job, { error: err.message });
          watch(err);
        } else {
          if (err instanceof AttemptError) fatal = err;
          else bug = err;
          abort.abort(err);
        }
      } finally {
        if (budget && worst) {
          budget.settle(worst, usage);
          settled?.();
        }
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker));
  } finally {
    progress.finish(state());
    journal?.close();
    cache?.close();
    await responder.close();
  }
  if (bug !== undefined) throw bug;
  if (fatal) {
    const at = fatal.options.culprit ? responder.keys[fatal.options.culprit] : undefined;
    throw new TargetUnusableError(redact(fatal.message), at);
  }
  const stopped =
    budget && stoppedAt !== undefined
      ? budget.stop(options.label, [...new Set(jobs.slice(stoppedAt).map((j) => j.c.id))], cases.length)
      : undefined;
  return {
    responses,
    stats,
    cost: { usage: await usageSummary(responder, cases, responses, reported, options.price), stopped },
  };
}

/**
 * The usage of every answer the build's results rest on (reused ones included): as
 * reported, else counted with the tokenizer — loaded only when some answer needs it.
 */
async function usageSummary(
  responder: Responder,
  cases: readonly LoadedCase[],
  responses: readonly CaseResponse[],
  reported: ReadonlyMap<number, Usage>,
  price: Price | undefined,
): Promise<UsageSummary> {
  const tally = new UsageTally(price);
  let tokens: TokenCounter | undefined;
  let byId: Map<string, LoadedCase> | undefined;
  for (const [i, r] of responses.entries()) {
    if (r.response === undefined) continue;
    const usage = reported.get(i);
    if (usage) {
      tally.add(usage);
      continue;
    }
    tokens ??= await loadTokenCounter();
    byId ??= new Map(cases.map((c) => [c.id, c]));
    tally.add(estimatedUsage(responder, byId.get(r.id) as LoadedCase, r.response, tokens));
  }
  return tally.summary();
}
