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
import { AppendLog } from "../io/append-log.js";
import { displayPath } from "../io/display.js";
import type { Redactor } from "../io/redact.js";
import type { LoadedCase } from "../suite/load.js";
import { answerTooLargeReason, overAnswerLimit } from "../targets/answer-limit.js";
import { fingerprintOf, ResponseCache, requestKey } from "../targets/cache.js";
import { AttemptError, type Culprit, TargetUnusableError } from "../targets/failure.js";
import type { Responder } from "../targets/responder.js";
import type { CaseResponse } from "../targets/target.js";
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
  /** More cases follow (the next look of a sequential run): the responder stays open for them. */
  keepOpen?: boolean;
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
}

export interface RunStats {
  total: number;
  fromJournal: number;
  fromCache: number;
  requested: number;
  retries: number;
  errors: number;
}

const isJournalRecord = (v: unknown): v is JournalRecord => {
  const r = v as JournalRecord | null;
  return (
    typeof r?.key === "string" &&
    typeof r.id === "string" &&
    Number.isInteger(r.sample) &&
    (typeof r.response === "string" || typeof r.error === "string")
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

export async function runCases(
  responder: Responder,
  cases: readonly LoadedCase[],
  options: RunnerOptions,
): Promise<{ responses: CaseResponse[]; stats: RunStats }> {
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
  const jobs: Job[] = [];
  for (const c of cases) {
    for (let sample = 0; sample < options.samples; sample++) {
      const request = responder.request(c, sample);
      const key = requestKey(fingerprint, c.id, sample, request);
      const journaled = journal?.get(key);
      // An error in the journal is not an answer, nor is a redacted response: resuming asks again.
      if (journaled?.response !== undefined && !journaled.redacted) {
        responses.push({ id: c.id, sample, response: journaled.response });
        stats.fromJournal++;
        continue;
      }
      const cached = options.fresh ? undefined : cache?.get(key);
      if (cached !== undefined) {
        journal?.append({ key, id: c.id, sample, response: cached });
        responses.push({ id: c.id, sample, response: cached });
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
  const record = (job: Job, given: { response: string } | { error: string }) => {
    // Every target's transport bounds its answers; this holds the same limit for any responder.
    const size = "response" in given ? overAnswerLimit(given.response) : undefined;
    const outcome = size === undefined ? given : { error: answerTooLargeReason("the answer", size) };
    const r: CaseResponse =
      "response" in outcome
        ? { id: job.c.id, sample: job.sample, response: outcome.response }
        : { id: job.c.id, sample: job.sample, error: redact(outcome.error) };
    if (r.response !== undefined) {
      const written = redact(r.response);
      if (written === r.response) {
        journal?.append({ key: job.key, ...r });
        cache?.put(job.key, r.response);
      } else journal?.append({ key: job.key, id: r.id, sample: r.sample, response: written, redacted: true });
    } else {
      journal?.append({ key: job.key, ...r });
      stats.errors++;
    }
    responses.push(r);
    progress.update(state());
  };

  // The first answers of this run, while they all fail with one misconfiguration.
  const window = Math.min(MISCONFIGURED_AFTER, jobs.length);
  let answered = 0;
  // Answers already had (journal, cache) show the target works: a failure now is a case's own.
  let alike: AttemptError["options"]["misconfigured"] | null | undefined =
    stats.fromJournal + stats.fromCache > 0 ? null : undefined;
  const watch = (err?: AttemptError) => {
    if (++answered > window || alike === null) return;
    const cause = err?.options.misconfigured;
    alike = cause !== undefined && (alike === undefined || alike === cause) ? cause : null;
    if (alike && err && answered === window) {
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
  const worker = async () => {
    while (next < jobs.length && !abort.signal.aborted) {
      const job = jobs[next++] as Job;
      stats.requested++;
      try {
        const text = await responder.answer(job.request, job.c, job.sample, context);
        record(job, { response: text });
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
  return { responses, stats };
}
