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
 * - A multi-step agent case (`environment.max_steps` > 1) is asked step by step, each step's
 *   request holding the conversation so far (./agent-steps.ts); every step is journaled under
 *   its own request's key, so a resume replays the finished steps from the journal and asks
 *   only from the first unfinished one.
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
import { type ChatMessage, messagesOf } from "../targets/messages.js";
import type { Responder } from "../targets/responder.js";
import type { AgentStep, CaseResponse, ToolCall } from "../targets/target.js";
import { chatPromptTokens, loadTokenCounter, type TokenCounter } from "../targets/tokens.js";
import { type Answer, asAnswer } from "../targets/tool-calls.js";
import { isUsage, type Price, type Usage, type UsageSummary, UsageTally } from "../targets/usage.js";
import { maxStepsOf, turnsAfter } from "./agent-steps.js";
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
  /** More cases follow (the next look of a sequential run): the responder stays open for them. */
  keepOpen?: boolean;
}

/** One line of the journal: the final outcome of one (case, sample). */
export interface JournalRecord {
  key: string;
  id: string;
  sample: number;
  response?: string;
  /** An agent's tool calls (the answer of one step). */
  tool_calls?: ToolCall[];
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
    (typeof r.response === "string" || typeof r.error === "string" || Array.isArray(r.tool_calls)) &&
    (r.tool_calls === undefined || Array.isArray(r.tool_calls)) &&
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
  /** More than 1 for a multi-step agent case. */
  maxSteps: number;
}

/** A journaled or cached answer as a response; tool calls kept. */
function responseOf(id: string, sample: number, answer: Answer): CaseResponse {
  const r: CaseResponse = { id, sample };
  if (answer.response !== undefined) r.response = answer.response;
  if (answer.tool_calls) r.tool_calls = answer.tool_calls;
  return r;
}

/** Why an answer is over the limit every target has (its text, or its calls), or undefined. */
function oversized(answer: Answer): string | undefined {
  const size =
    (answer.response === undefined ? undefined : overAnswerLimit(answer.response)) ??
    (answer.tool_calls ? overAnswerLimit(JSON.stringify(answer.tool_calls)) : undefined);
  return size === undefined ? undefined : answerTooLargeReason("the answer", size);
}

/** A step of an agent case failed and was recorded as the case's error (for the misconfiguration watch). */
class StepFailed extends Error {
  constructor(override readonly cause: AttemptError) {
    super(cause.message);
  }
}

/** An answer as the journal holds it: its text and calls (either may be absent), each passed through `redact`. */
function journalAnswer(
  answer: Answer,
  redact: (s: string) => string = (s) => s,
): Pick<JournalRecord, "response" | "tool_calls"> {
  const out: Pick<JournalRecord, "response" | "tool_calls"> = {};
  if (answer.response !== undefined) out.response = redact(answer.response);
  if (answer.tool_calls)
    out.tool_calls = answer.tool_calls.map((t) => ({ name: t.name, arguments: redact(t.arguments) }));
  return out;
}

/** What an answer's completion tokens are counted on: its text, or its tool calls as sent. */
const answerText = (r: CaseResponse): string =>
  r.response ?? (r.tool_calls ? JSON.stringify(r.tool_calls) : "");

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
  /** An answer had before: from the journal (never an error or a redacted one), else from the cache. */
  const reuse = (
    key: string,
    id: string,
    sample: number,
  ): { answer: Answer; from: "journal" | "cache" } | undefined => {
    const journaled = journal?.get(key);
    // An error in the journal is not an answer, nor is a redacted response: resuming asks again.
    if (journaled && journaled.error === undefined && !journaled.redacted) {
      const answer: Answer = {};
      if (journaled.response !== undefined) answer.response = journaled.response;
      if (journaled.tool_calls) answer.tool_calls = journaled.tool_calls;
      if (journaled.usage) answer.usage = journaled.usage;
      return { answer, from: "journal" };
    }
    const cached = options.fresh ? undefined : cache?.getAnswer(key);
    if (cached !== undefined) {
      journal?.append({
        key,
        id,
        sample,
        ...journalAnswer(cached),
        ...(cached.usage ? { usage: cached.usage } : {}),
      });
      return { answer: cached, from: "cache" };
    }
    return undefined;
  };
  for (const c of cases) {
    const maxSteps = maxStepsOf(c);
    for (let sample = 0; sample < options.samples; sample++) {
      const request = responder.request(c, sample);
      const key = requestKey(fingerprint, c.id, sample, request);
      // A multi-step case's reuse is decided step by step, by the worker.
      const had = maxSteps === 1 ? reuse(key, c.id, sample) : undefined;
      if (had) {
        answered(responseOf(c.id, sample, had.answer), had.answer.usage);
        if (had.from === "journal") stats.fromJournal++;
        else stats.fromCache++;
        continue;
      }
      jobs.push({ c, sample, request, key, maxSteps });
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

  /**
   * Writes one answer (of a case, or of one step of an agent case) to the journal and cache;
   * returns the error that replaces it when it is over the size limit.
   */
  const keep = (key: string, job: Job, answer: Answer): string | undefined => {
    // Every target's transport bounds its answers; this holds the same limit for any responder.
    const tooLarge = oversized(answer);
    if (tooLarge !== undefined) {
      journal?.append({ key, id: job.c.id, sample: job.sample, error: tooLarge });
      return tooLarge;
    }
    const written = journalAnswer(answer, redact);
    const changed =
      written.response !== answer.response ||
      written.tool_calls?.some((t, i) => t.arguments !== answer.tool_calls?.[i]?.arguments);
    const usage = answer.usage ? { usage: answer.usage } : {};
    if (!changed) {
      journal?.append({ key, id: job.c.id, sample: job.sample, ...written, ...usage });
      cache?.putAnswer(key, answer);
    } else journal?.append({ key, id: job.c.id, sample: job.sample, ...written, redacted: true, ...usage });
    return undefined;
  };
  const finish = (r: CaseResponse, usage?: Usage) => {
    if (r.error !== undefined) stats.errors++;
    answered(r, usage);
    progress.update(state());
  };
  const record = (job: Job, given: { answer: Answer } | { error: string }) => {
    if ("answer" in given) {
      const tooLarge = keep(job.key, job, given.answer);
      if (tooLarge === undefined) finish(responseOf(job.c.id, job.sample, given.answer), given.answer.usage);
      else finish({ id: job.c.id, sample: job.sample, error: tooLarge });
    } else {
      const error = redact(given.error);
      journal?.append({ key: job.key, id: job.c.id, sample: job.sample, error });
      finish({ id: job.c.id, sample: job.sample, error });
    }
  };

  /**
   * A multi-step agent case: each step reused if journaled (or cached), else asked; the
   * environment's turns appended after every step that called tools. A step that fails is
   * journaled under its own key, so the steps before it are not asked again on resume.
   */
  const runAgent = async (
    job: Job,
    ctx: typeof context,
  ): Promise<{ how: "asked" | "reused"; response: CaseResponse; usage?: Usage }> => {
    const history: ChatMessage[] = [];
    const used = new Map<string, number>();
    const steps: AgentStep[] = [];
    let asked = false;
    // The steps' reported usage, added up; undefined once a step reported none.
    let usage: Usage | undefined = { promptTokens: 0, completionTokens: 0 };
    for (let s = 0; s < job.maxSteps; s++) {
      const request = s === 0 ? job.request : responder.request(job.c, job.sample, history);
      const key = s === 0 ? job.key : requestKey(fingerprint, job.c.id, job.sample, request);
      let answer = reuse(key, job.c.id, job.sample)?.answer;
      if (answer === undefined) {
        asked = true;
        if (s > 0) stats.requested++;
        try {
          answer = asAnswer(await responder.answer(request, job.c, job.sample, ctx));
        } catch (err) {
          if (err instanceof AttemptError && err.kind !== "fatal" && !abort.signal.aborted) {
            const error = redact(err.message);
            journal?.append({ key, id: job.c.id, sample: job.sample, error });
            finish({ id: job.c.id, sample: job.sample, error: s > 0 ? `step ${s + 1}: ${error}` : error });
            throw new StepFailed(err);
          }
          throw err;
        }
        const tooLarge = keep(key, job, answer);
        if (tooLarge !== undefined) {
          const failed: CaseResponse = { id: job.c.id, sample: job.sample, error: tooLarge };
          finish(failed);
          return { how: "asked", response: failed };
        }
      }
      usage =
        usage && answer.usage
          ? {
              promptTokens: usage.promptTokens + answer.usage.promptTokens,
              completionTokens: usage.completionTokens + answer.usage.completionTokens,
            }
          : undefined;
      const step: AgentStep = {};
      if (answer.tool_calls && answer.tool_calls.length > 0) step.tool_calls = answer.tool_calls;
      if (answer.response !== undefined) step.response = answer.response;
      steps.push(step);
      if (!step.tool_calls || s === job.maxSteps - 1) break;
      history.push(...turnsAfter(job.c, s, step, used));
    }
    const last = steps[steps.length - 1] as AgentStep;
    const r: CaseResponse = { id: job.c.id, sample: job.sample, steps };
    if (last.response !== undefined) r.response = last.response;
    if (last.tool_calls) r.tool_calls = last.tool_calls;
    finish(r, usage);
    return { how: asked ? "asked" : "reused", response: r, usage };
  };
  /** An answer's usage when the target reported none: counted with the tokenizer when a budget needs it. */
  const estimateOf = (job: Job, r: CaseResponse): Usage | undefined =>
    tokens
      ? estimatedUsage(responder, job.c, answerText(r), tokens)
      : budget
        ? { promptTokens: 0, completionTokens: 0, estimated: true }
        : undefined;

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
      let usage: Usage | undefined;
      try {
        if (job.maxSteps > 1) {
          // A multi-step case counts against a budget at its first step's worst case and, once
          // done, at what its steps reported (estimated from its final answer otherwise).
          stats.requested++;
          const ran = await runAgent(job, context);
          usage = ran.usage ?? estimateOf(job, ran.response);
          if (ran.how === "reused") {
            stats.requested--;
            stats.fromJournal++;
          } else watch();
          continue;
        }
        stats.requested++;
        const answer = asAnswer(await responder.answer(job.request, job.c, job.sample, context));
        usage = answer.usage ?? estimateOf(job, responseOf(job.c.id, job.sample, answer));
        record(job, { answer });
        watch();
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof StepFailed) {
          watch(err.cause);
        } else if (err instanceof AttemptError && err.kind !== "fatal") {
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
    if (!options.keepOpen) await responder.close();
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
    if (r.response === undefined && r.tool_calls === undefined) continue;
    const usage = reported.get(i);
    if (usage) {
      tally.add(usage);
      continue;
    }
    tokens ??= await loadTokenCounter();
    byId ??= new Map(cases.map((c) => [c.id, c]));
    tally.add(estimatedUsage(responder, byId.get(r.id) as LoadedCase, answerText(r), tokens));
  }
  return tally.summary();
}
