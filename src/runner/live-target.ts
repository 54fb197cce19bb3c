/** A live endpoint behind the Target seam: a Responder driven by the runner. */
import type { InputError } from "../io/diagnostic.js";
import type { LoadedCase } from "../suite/load.js";
import { TargetUnusableError } from "../targets/failure.js";
import type { Responder } from "../targets/responder.js";
import type { CaseResponse, Target, TargetIdentity } from "../targets/target.js";
import { type RunCost, type RunnerOptions, runCases } from "./run.js";

export class LiveTarget implements Target {
  readonly identity: TargetIdentity;
  cost?: RunCost;

  constructor(
    private readonly responder: Responder,
    private readonly options: RunnerOptions,
    /** Turns "this target cannot be used" into a problem at the config line at fault. */
    private readonly explain: (err: TargetUnusableError) => InputError,
  ) {
    // A URL or a command line may carry a credential from the environment: it is recorded too.
    const { identity } = responder;
    this.identity = { ...identity, source: options.redactor.redact(identity.source) };
  }

  /** Requests sent so far (answers from the journal or cache are not requests). */
  requested = 0;
  private asked = false;

  /**
   * `part`: these cases are one look of a sequential run; the responder stays open for the next
   * (call `close()` after the last), and `--fresh` clears the journal only before the first.
   */
  async respond(
    cases: readonly LoadedCase[],
    _runCases?: readonly LoadedCase[],
    part = false,
  ): Promise<Iterable<CaseResponse>> {
    let run: Awaited<ReturnType<typeof runCases>>;
    const options = { ...this.options, keepOpen: part, fresh: this.options.fresh && !this.asked };
    this.asked = true;
    try {
      run = await runCases(this.responder, cases, options);
    } catch (err) {
      throw err instanceof TargetUnusableError ? this.explain(err) : err;
    }
    this.cost = run.cost;
    this.requested += run.stats.requested;
    return run.responses;
  }

  close(): Promise<void> {
    return this.responder.close();
  }
}
