/**
 * `replay:` recorded responses, JSONL `{id, response}` with optional `sample` and `error`.
 * The file is checked in full before anything is graded: a response for an id that is
 * in no suite, or two responses for the same (id, sample), is an input error. Several
 * samples of a case (`sample` 0, 1, …) are scored together: the case's failure score is
 * the share of its usable samples that failed.
 */
import { z } from "zod";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJsonLines } from "../io/source.js";
import { readText } from "../io/text.js";
import { check } from "../io/validate.js";
import type { LoadedCase } from "../suite/load.js";
import type { CaseResponse, Target } from "./target.js";

export const ResponseLineSchema = z
  .strictObject({
    id: z.string({ error: "expected the case id as a string" }).min(1),
    response: z.string({ error: "expected the response text as a string" }).optional(),
    sample: z.int({ error: "expected a sample index (whole number ≥ 0)" }).min(0).default(0),
    error: z.string({ error: "expected an error description as a string" }).min(1).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.response === undefined) === (r.error === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          r.response === undefined
            ? "expected `response` (the model's text) or `error` (why there is none)"
            : "expected `response` or `error`, not both",
      });
    }
  });

export function readResponseFile(file: string, caseIds: ReadonlySet<string>): CaseResponse[] {
  const shown = displayPath(file);
  const lines = parseJsonLines(readText(file, "responses file"), shown);
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const out: CaseResponse[] = [];
  for (const line of lines) {
    const result = check(ResponseLineSchema, line.data, line);
    if (result.problems) {
      problems.push(...result.problems);
      continue;
    }
    const r = result.value as z.output<typeof ResponseLineSchema>;
    if (!caseIds.has(r.id)) {
      problems.push({
        file: shown,
        position: line.locate(["id"]),
        keyPath: "id",
        message: `"${r.id}" is not a case id of any suite in this run; check the suite or remove this line`,
      });
      continue;
    }
    const key = `${r.id}\u0000${r.sample}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        file: shown,
        position: line.locate(["id"]),
        keyPath: "id",
        message: `second response for "${r.id}" sample ${r.sample} (first at line ${first}); keep one`,
      });
      continue;
    }
    seen.set(key, line.line);
    out.push({ id: r.id, sample: r.sample, response: r.response, error: r.error });
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

export class ReplayTarget implements Target {
  readonly identity;

  constructor(
    private readonly file: string,
    label?: string,
  ) {
    this.identity = { kind: "replay", source: displayPath(file), label };
  }

  async *respond(cases: readonly LoadedCase[]): AsyncIterable<CaseResponse> {
    yield* readResponseFile(this.file, new Set(cases.map((c) => c.id)));
  }
}
