/**
 * `results:` a baseline taken from an earlier run's results.json — its candidate's
 * recorded responses, re-graded with today's graders so both builds are judged alike.
 * Nothing is re-run. The file is untrusted input and is validated against the schema.
 */
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { readResults } from "../report/results-read.js";
import type { Results } from "../report/results-schema.js";
import type { LoadedCase } from "../suite/load.js";
import { answerTooLargeReason, overAnswerLimit } from "./answer-limit.js";
import type { CaseResponse, Provenance, Target, TargetIdentity } from "./target.js";

export class ResultsTarget implements Target {
  readonly identity: TargetIdentity;
  readonly provenance: Provenance;
  private readonly results: Results;
  /** Keys of the file this version does not know and ignored (a newer safety-gate wrote it). */
  readonly ignoredKeys: string[];

  /** `source` names where the file came from when its path means nothing to a reader (a downloaded artifact). */
  constructor(file: string, label?: string, source?: string) {
    const shown = displayPath(file);
    const doc = parseJson(readText(file, "baseline results file"), shown);
    const read = readResults(doc.data, doc);
    this.results = read.results;
    this.ignoredKeys = read.ignored;
    // Some of the cases, chosen for speed: pairing a release with it would judge it on them alone.
    const smoke = this.results.smoke;
    if (smoke) {
      throw new InputError({
        file: shown,
        message: `the results of a smoke run (${smoke.cases} of ${smoke.of} cases, --limit/--filter) cannot be a baseline; record one with 'safety-gate run --record-baseline ${shown}'`,
      });
    }
    this.identity = {
      kind: "results",
      source: source ?? shown,
      label: label ?? this.results.builds.candidate.target.label,
    };
    this.provenance = {
      suites: this.results.suites.map(({ file: f, hash, caseHashes }) => ({ file: f, hash, caseHashes })),
      configHash: this.results.config.hash,
      configFile: this.results.config.file,
      graders: this.results.builds.candidate.graders,
      tool: `safety-gate@${this.results.tool.version}`,
      createdAt: this.results.createdAt,
    };
  }

  async respond(cases: readonly LoadedCase[]): Promise<Iterable<CaseResponse>> {
    return this.responses(cases);
  }

  private *responses(cases: readonly LoadedCase[]): Iterable<CaseResponse> {
    const wanted = new Set(cases.map((c) => c.id));
    for (const c of this.results.builds.candidate.cases) {
      if (!wanted.has(c.id)) continue;
      for (const s of c.samples ?? [{ ...c, sample: 0 }]) {
        const recorded = s.grades.find((g) => g.grader.startsWith("recorded:"));
        if (s.status !== "error" && s.response === undefined && recorded) {
          const label = recorded.label as NonNullable<CaseResponse["grade"]>["label"];
          yield {
            id: c.id,
            sample: s.sample,
            grade: { ...recorded, grader: recorded.grader.slice(9), label },
          };
          continue;
        }
        const size = s.response === undefined ? undefined : overAnswerLimit(s.response);
        if (s.status === "error" || s.response === undefined) {
          yield { id: c.id, sample: s.sample, error: s.error ?? "no response in the baseline results" };
        } else if (size !== undefined) {
          yield { id: c.id, sample: s.sample, error: answerTooLargeReason("recorded response", size) };
        } else {
          // An agent's recorded calls are its answer as much as its text: both are re-graded.
          const answer: CaseResponse = { id: c.id, sample: s.sample, response: s.response };
          if (s.tool_calls) answer.tool_calls = s.tool_calls;
          if (s.steps) answer.steps = s.steps;
          yield answer;
        }
      }
    }
  }
}
