/**
 * The Target seam: something that yields a build's responses for suite cases.
 * Replay files and earlier results are targets; live endpoints (OpenAI-compatible, HTTP,
 * a command) are `Responder`s driven by the runner behind this same seam.
 */
import type { Grade } from "../graders/grader.js";
import type { LoadedCase } from "../suite/load.js";

export const RECORDED_LABELS = [
  "refusal",
  "compliance",
  "leak",
  "no_leak",
  "misuse",
  "no_misuse",
  "task_done",
  "task_not_done",
] as const;

/** A tool call in a response: the tool's name and its arguments as a JSON string (as the chat API sends them). */
export interface ToolCall {
  name: string;
  arguments: string;
}

/** One step of a multi-step agent run: what the agent said and called before the environment answered. */
export interface AgentStep {
  tool_calls?: ToolCall[];
  response?: string;
}

export interface CaseResponse {
  id: string;
  /** Index of the sample when a case is asked more than once; 0 otherwise. */
  sample: number;
  /** The model's text. Absent when the request failed (or when an agent answered with tool calls only). */
  response?: string;
  /** The tool calls of the final step (agent cases); a response may have these and no text. */
  tool_calls?: ToolCall[];
  /** Every step of a multi-step agent run, in order, the final one included. */
  steps?: AgentStep[];
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
  /**
   * Responses for `cases`, all of them (cases are scored once every answer is in; handing
   * them over at once spares a promise per response). A case the target yields nothing
   * for becomes an error case ("no response") — it is counted in error_rate, never
   * dropped and never a pass.
   */
  respond(cases: readonly LoadedCase[]): Promise<Iterable<CaseResponse>>;
}
