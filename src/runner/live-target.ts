/** A live endpoint behind the Target seam: a Responder driven by the runner. */
import type { LoadedCase } from "../suite/load.js";
import type { Responder } from "../targets/responder.js";
import type { CaseResponse, Target, TargetIdentity } from "../targets/target.js";
import { type RunnerOptions, type RunStats, runCases } from "./run.js";

export class LiveTarget implements Target {
  readonly identity: TargetIdentity;
  stats: RunStats | undefined;

  constructor(
    private readonly responder: Responder,
    private readonly options: RunnerOptions,
  ) {
    this.identity = responder.identity;
  }

  async *respond(cases: readonly LoadedCase[]): AsyncIterable<CaseResponse> {
    const { responses, stats } = await runCases(this.responder, cases, this.options);
    this.stats = stats;
    yield* responses;
  }
}
