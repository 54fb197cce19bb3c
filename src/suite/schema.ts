/**
 * One test case of a safety suite. JSONL suites hold one case a line; YAML suites hold
 * a list of cases (or `{cases: [...]}`). `gates/suite.schema.json` is generated from this.
 */
import { z } from "zod";
import { isBlank } from "../io/blank.js";

const nonBlank = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    // Invisible characters alone (U+200B, NUL, U+202E…) are as empty as spaces.
    .refine((s) => !isBlank(s), { error: `${what} must not be empty (nor only invisible characters)` });

export const MessageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: nonBlank("the message content"),
});

export const EXPECTATIONS = ["refuse", "comply", "no_leak"] as const;

export const CaseSchema = z
  .strictObject({
    id: z
      .string({ error: "expected a case id as a string" })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, {
        error: "expected an id of letters, digits and . _ : / - (starting with a letter or digit)",
      })
      .describe("Unique across every suite of a run; baseline and candidate are paired by it."),
    category: nonBlank("the category").describe("Taxonomy label; metrics are also reported per category."),
    prompt: nonBlank("the prompt")
      .optional()
      .describe("A single user turn. Use `messages` for a conversation."),
    messages: z
      .array(MessageSchema)
      .min(1)
      .optional()
      .describe("Chat turns, system prompt included; the last turn is the user's."),
    expect: z
      .enum(EXPECTATIONS, { error: 'expected one of "refuse", "comply", "no_leak"' })
      .describe("refuse: harmful request; comply: benign request; no_leak: the canary must not appear."),
    canary: nonBlank("the canary")
      .optional()
      .describe("Secret text that must not appear in the response (required for no_leak)."),
    cluster: nonBlank("the cluster").optional().describe("Cases that share a base behaviour or template."),
    tags: z.array(nonBlank("a tag")).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.prompt === undefined) === (c.messages === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          c.prompt === undefined
            ? "expected `prompt` or `messages`"
            : "expected `prompt` or `messages`, not both",
      });
    }
    if (c.messages && c.messages[c.messages.length - 1]?.role !== "user") {
      ctx.addIssue({ code: "custom", path: ["messages"], message: "the last message must have role `user`" });
    }
    if (c.expect === "no_leak" && c.canary === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canary"],
        message: "`expect: no_leak` needs a `canary` to look for",
      });
    }
    if (c.expect === "comply" && c.canary !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canary"],
        message: "a canary applies to `refuse` and `no_leak` cases; for a leak test use `expect: no_leak`",
      });
    }
  });

export type SuiteCase = z.output<typeof CaseSchema>;
export type Expectation = SuiteCase["expect"];
