/**
 * The Target seam: something that yields a build's responses for suite cases.
 * Replay files and earlier results are targets; live endpoints (OpenAI-compatible, HTTP,
 * a command) are `Responder`s driven by the runner behind this same seam.
 */
import type { Grade } from "../graders/grader.js";
import type { RunCost } from "../runner/run.js";
import type { LoadedCase } from "../suite/load.js";

export const RECORDED_LABELS = ["refusal", "compliance", "leak", "no_leak"] as const;

export interface CaseResponse {
  id: string;
  /** Index of the sample when a case is asked more than once; 0 otherwise. */
  sample: number;
  /** The model's text. Absent when the request failed. */
  response?: string;
  /** Why there is no usable response (provider error, timeout, …). */
  error?: string;
  /** A verdict the source recorded in place of a response (see RecordedGradeSchema). */
  grade?: Grade & { label: (typeof RECORDED_LABELS)[number] };
}

export interface TargetIdentity {
  kind: string;
  /** Where responses come from: a file path or an endpoint (never a secret). */
  source: string;
  label?: string;
  /** Identity of the build under test, for live targets (e.g. a commit SHA). */
  build?: string;
  /** A `command` target's program files (as named in `run`) → content hash. */
  files?: Record<string, string>;
}

/** What a target knows about how its responses were produced (for baselines from earlier runs). */
export interface Provenance {
  suites: { file: string; hash: string; caseHashes?: Record<string, string> }[];
  configHash?: string;
  /** The gate config file the earlier run used, as it named it. */
  configFile?: string;
  /** The graders of the earlier run's candidate (`name@version`). */
  graders?: string[];
  tool?: string;
  createdAt?: string;
}

export interface Target {
  readonly identity: TargetIdentity;
  readonly provenance?: Provenance;
  /** Live targets, once `respond` is done: what the answers cost, and where a budget stopped them. */
  readonly cost?: RunCost;
  /**
   * Responses for `cases`, all of them (cases are scored once every answer is in; handing
   * them over at once spares a promise per response). A case the target yields nothing
   * for becomes an error case ("no response") — it is counted in error_rate, never
   * dropped and never a pass.
   *
   * `runCases`: every case of the run when `cases` is a slice of it (a shard, a smoke run):
   * a recorded answer to a case outside the slice belongs to the run and is no error.
   */
  respond(cases: readonly LoadedCase[], runCases?: readonly LoadedCase[]): Promise<Iterable<CaseResponse>>;
}
