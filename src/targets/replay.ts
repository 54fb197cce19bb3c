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
import { StepsSchema, ToolCallSchema } from "../report/results-schema.js";
import type { LoadedCase } from "../suite/load.js";
import { answerTooLargeReason, overAnswerLimit } from "./answer-limit.js";
import { type CaseResponse, RECORDED_LABELS, type Target } from "./target.js";

/**
 * A verdict the source recorded for a case that has no response text — e.g. JailbreakBench
 * artifacts, where an attack that found no jailbreak submits no prompt and is scored as
 * not jailbroken. It stands in for grading and is kept, with its origin, as the evidence.
 */
export const RecordedGradeSchema = z.strictObject({
  grader: z
    .string({ error: "expected the name of who decided, e.g. jailbreakbench-artifact" })
    .min(1)
    .describe("Who decided: the dataset or judge the verdict comes from."),
  label: z
    .enum(RECORDED_LABELS, { error: `expected one of ${RECORDED_LABELS.map((l) => `"${l}"`).join(", ")}` })
    .describe(
      "refusal / compliance for refuse and comply cases; leak / no_leak for no_leak cases; misuse / no_misuse for no_call cases; task_done / task_not_done for call cases.",
    ),
  reason: z.string({ error: "expected the reason as a string" }).min(1),
});

export const ResponseLineSchema = z
  .strictObject({
    id: z.string({ error: "expected the case id as a string" }).min(1),
    response: z.string({ error: "expected the response text as a string" }).optional(),
    tool_calls: z
      .array(ToolCallSchema, {
        error: 'expected a list of calls, e.g. [{"name": "send_email", "arguments": "{}"}]',
      })
      .optional()
      .describe("Agent cases: the tool calls of the final step (`arguments` a JSON string)."),
    steps: StepsSchema.optional().describe("Agent cases run for several steps: every step, in order."),
    sample: z.int({ error: "expected a sample index (whole number ≥ 0)" }).min(0).default(0),
    error: z.string({ error: "expected an error description as a string" }).min(1).optional(),
    grade: RecordedGradeSchema.optional().describe(
      "A verdict recorded by the source in place of a response (no response text to grade).",
    ),
  })
  .superRefine((r, ctx) => {
    // An agent's answer is its text, its tool calls, or both: one kind of answer however given.
    const answered = r.response !== undefined || r.tool_calls !== undefined || r.steps !== undefined;
    const given = [
      ...(answered ? ["response"] : []),
      ...(["error", "grade"] as const).filter((k) => r[k] !== undefined),
    ];
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          given.length === 0
            ? "expected `response` (the model's text, and/or `tool_calls`) or `error` (why there is none)"
            : `expected one of \`response\`, \`error\` or \`grade\`, got ${given.map((k) => `\`${k}\``).join(" and ")}`,
      });
    }
  });

export function readResponseFile(file: string, caseIds: ReadonlySet<string>): CaseResponse[] {
  const shown = displayPath(file);
  const lines = parseJsonLines(readText(file, "responses file"), shown);
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const out: CaseResponse[] = [];
  const samplesOf = new Map<string, { samples: number[]; at: Problem["position"] }>();
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
    const recorded = samplesOf.get(r.id);
    if (recorded) recorded.samples.push(r.sample);
    else samplesOf.set(r.id, { samples: [r.sample], at: line.locate(["id"]) });
    // A recorded answer over the limit every target has is an error case, as it would have been live.
    const size = r.response === undefined ? undefined : overAnswerLimit(r.response);
    if (size !== undefined) {
      out.push({
        id: r.id,
        sample: r.sample,
        error: `${answerTooLargeReason("recorded response", size)} (${shown}:${line.line})`,
      });
      continue;
    }
    const answer: CaseResponse = {
      id: r.id,
      sample: r.sample,
      response: r.response,
      error: r.error,
      grade: r.grade,
    };
    if (r.tool_calls) answer.tool_calls = r.tool_calls;
    if (r.steps) answer.steps = r.steps;
    out.push(answer);
  }
  problems.push(...unevenSamples(samplesOf, shown));
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/**
 * Every case of a file must have the same samples 0…k−1. A case with fewer would be scored on what
 * happens to be there — a failing sample left out of a 5-sample case turns 1/5 into 0/4 — so a partial
 * recording is an input error at the case's first line, not a silent dilution. A sample that could not
 * be obtained is recorded as an `error` line, and then counts as an error.
 */
function unevenSamples(
  samplesOf: ReadonlyMap<string, { samples: number[]; at: Problem["position"] }>,
  file: string,
): Problem[] {
  let k = 0;
  for (const { samples } of samplesOf.values()) for (const s of samples) k = Math.max(k, s + 1);
  const problems: Problem[] = [];
  const range = k === 1 ? "sample 0" : `samples 0–${k - 1}`;
  for (const [id, { samples, at }] of samplesOf) {
    if (samples.length === k) continue; // duplicates are already errors, so k distinct indices < k are 0…k−1
    const have = new Set(samples);
    const missing = Array.from({ length: k }, (_, i) => i).filter((i) => !have.has(i));
    problems.push({
      file,
      ...(at ? { position: at } : {}),
      keyPath: "id",
      message: `"${id}" has ${samples.length} of the ${k} samples other cases have (missing sample ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}): every case needs ${range}, so that no case's score rests on fewer samples; add the missing lines (\`error\` records a sample that failed) or drop the extra samples`,
    });
  }
  return problems;
}

export class ReplayTarget implements Target {
  readonly identity;

  constructor(
    private readonly file: string,
    label?: string,
  ) {
    this.identity = { kind: "replay", source: displayPath(file), label };
  }

  async respond(cases: readonly LoadedCase[]): Promise<Iterable<CaseResponse>> {
    return readResponseFile(this.file, new Set(cases.map((c) => c.id)));
  }
}
