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

  async respond(cases: readonly LoadedCase[]): Promise<Iterable<CaseResponse>> {
    let run: Awaited<ReturnType<typeof runCases>>;
    try {
      run = await runCases(this.responder, cases, this.options);
    } catch (err) {
      throw err instanceof TargetUnusableError ? this.explain(err) : err;
    }
    this.cost = run.cost;
    return run.responses;
  }
}
