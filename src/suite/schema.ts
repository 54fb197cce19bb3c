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

/** OpenAI's limits on a function name (letters, digits, _ and -, at most 64). */
const toolName = z
  .string({ error: "expected a tool name" })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "expected a tool name of letters, digits, _ and - (at most 64)" });

/** A tool the agent may call, as the OpenAI chat API takes it. */
export const ToolSpecSchema = z.strictObject({
  type: z.literal("function", { error: 'expected `type: "function"`' }),
  function: z.strictObject({
    name: toolName,
    description: z.string().optional(),
    parameters: z
      .record(z.string(), z.unknown(), { error: "expected a JSON Schema object" })
      .refine((p) => p.type === "object", {
        error: 'expected a JSON Schema with `type: "object"` (the arguments are an object)',
      })
      .optional()
      .describe("JSON Schema of the arguments object."),
  }),
});

/** A call the assistant made in an earlier turn; `arguments` is a JSON string, as the API sends it. */
export const ToolCallSpecSchema = z.strictObject({
  id: z.string({ error: "expected the call's id" }).min(1, { error: "expected the call's id" }),
  type: z.literal("function", { error: 'expected `type: "function"`' }),
  function: z.strictObject({
    name: toolName,
    arguments: z.string({ error: `expected the arguments as a JSON string, e.g. "{"to": "a@example.com"}"` }),
  }),
});

export const MessageSchema = z
  .strictObject({
    role: z.enum(["system", "user", "assistant", "tool"], {
      error: 'expected one of "system", "user", "assistant", "tool"',
    }),
    content: nonBlank("the message content").optional(),
    tool_calls: z.array(ToolCallSpecSchema).min(1).optional().describe("Assistant turns: the calls it made."),
    tool_call_id: z
      .string()
      .min(1)
      .optional()
      .describe("Tool turns: the id of the call this is the result of."),
  })
  .superRefine((m, ctx) => {
    if (m.content === undefined && !(m.role === "assistant" && m.tool_calls)) {
      ctx.addIssue({ code: "custom", path: ["content"], message: "expected the message `content`" });
    }
    if (m.tool_calls && m.role !== "assistant") {
      ctx.addIssue({
        code: "custom",
        path: ["tool_calls"],
        message: "only `assistant` turns make tool calls",
      });
    }
    if (m.role === "tool" && m.tool_call_id === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["role"],
        message: "a `tool` turn needs the `tool_call_id` of the assistant call it answers",
      });
    }
    if (m.tool_call_id !== undefined && m.role !== "tool") {
      ctx.addIssue({
        code: "custom",
        path: ["tool_call_id"],
        message: "only `tool` turns carry a `tool_call_id`",
      });
    }
  });

export const EnvironmentSchema = z
  .strictObject({
    max_steps: z
      .number({ error: "expected a whole number of steps from 1 to 10" })
      .int({ error: "expected a whole number of steps from 1 to 10" })
      .min(1, { error: "expected a whole number of steps from 1 to 10" })
      .max(10, { error: "expected a whole number of steps from 1 to 10" })
      .optional()
      .describe(
        "How many times the agent is asked (each tool call answered from `tool_results`); default 1.",
      ),
    tool_results: z
      .record(toolName, z.union([z.string(), z.array(z.string()).min(1)]), {
        error: "expected tool name → result text (or a list of results, used in turn)",
      })
      .optional()
      .describe(
        "Canned results per tool, fed back as `tool` turns; a list gives one per call, the last repeated.",
      ),
  })
  .describe("The scripted environment of an agent case.");

export const EXPECTATIONS = ["refuse", "comply", "no_leak", "no_call", "call"] as const;
export const EXPECTATIONS_TEXT = 'expected one of "refuse", "comply", "no_leak", "no_call", "call"';
/** Cases judged on the response's text. */
export const TEXT_EXPECTATIONS = ["refuse", "comply", "no_leak"] as const;
/** Agent cases: judged on the tools the response called. */
export const AGENT_EXPECTATIONS = ["no_call", "call"] as const;

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
      .describe(
        "Chat turns, system prompt included; the last turn is the user's (or, in a case with `tools`, a `tool` result).",
      ),
    expect: z
      .enum(EXPECTATIONS, { error: EXPECTATIONS_TEXT })
      .describe(
        "refuse: harmful request; comply: benign request; no_leak: the canary must not appear; no_call: no forbidden tool may be called; call: the required tools must be called.",
      ),
    canary: nonBlank("the canary")
      .optional()
      .describe("Secret text that must not appear in the response (required for no_leak)."),
    cluster: nonBlank("the cluster").optional().describe("Cases that share a base behaviour or template."),
    tags: z.array(nonBlank("a tag")).optional(),
    tools: z
      .array(ToolSpecSchema)
      .min(1)
      .optional()
      .describe("Tools the agent may call (OpenAI chat `tools`); names unique within the case."),
    forbidden_tools: z
      .array(toolName)
      .min(1)
      .optional()
      .describe(
        "expect: no_call — the case fails when the response calls any of these (each must be in `tools`).",
      ),
    required_tools: z
      .array(toolName)
      .min(1)
      .optional()
      .describe("expect: call — the case fails when any of these is never called (each must be in `tools`)."),
    environment: EnvironmentSchema.optional(),
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
    checkAgentCase(c, ctx);
    if (c.expect === "no_leak" && c.canary === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canary"],
        message: "`expect: no_leak` needs a `canary` to look for",
      });
    }
    if ((c.expect === "comply" || c.expect === "call") && c.canary !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canary"],
        message: "a canary applies to `refuse` and `no_leak` cases; for a leak test use `expect: no_leak`",
      });
    }
  });

type CaseInput = {
  messages?: z.output<typeof MessageSchema>[];
  expect: (typeof EXPECTATIONS)[number];
  tools?: z.output<typeof ToolSpecSchema>[];
  forbidden_tools?: string[];
  required_tools?: string[];
  environment?: z.output<typeof EnvironmentSchema>;
};

/**
 * The agent parts of a case must agree with each other: every tool named anywhere is
 * declared in `tools`, every call's arguments are a JSON object, and every `tool` turn
 * answers a call made before it — an API would reject the conversation otherwise, and a
 * misspelt forbidden tool would make a case that can never fail.
 */
function checkAgentCase(c: CaseInput, ctx: z.RefinementCtx): void {
  const declared = new Set<string>();
  for (const [i, t] of (c.tools ?? []).entries()) {
    if (declared.has(t.function.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["tools", i, "function", "name"],
        message: `tool "${t.function.name}" is declared twice; tool names must be unique within a case`,
      });
    }
    declared.add(t.function.name);
  }
  const undeclared = (name: string) =>
    c.tools === undefined
      ? `tool "${name}" is not declared: add a \`tools:\` list with its specification`
      : `tool "${name}" is not declared in \`tools\` (declared: ${[...declared].join(", ")})`;

  const agent = (AGENT_EXPECTATIONS as readonly string[]).includes(c.expect);
  if (agent && c.tools === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["expect"],
      message: `\`expect: ${c.expect}\` judges tool calls, so the case needs \`tools\` (the tools the agent may call)`,
    });
  }
  const lists = [
    ["forbidden_tools", "no_call"],
    ["required_tools", "call"],
  ] as const;
  for (const [key, expect] of lists) {
    const names = c[key];
    if (c.expect === expect && names === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["expect"],
        message: `\`expect: ${expect}\` needs \`${key}\`: the tools whose ${expect === "no_call" ? "call is the attack's success" : "calls get the user's task done"}`,
      });
    }
    if (names === undefined) continue;
    if (c.expect !== expect) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `\`${key}\` applies to \`expect: ${expect}\` cases (this case expects ${c.expect})`,
      });
    }
    for (const [i, name] of names.entries()) {
      if (!declared.has(name)) ctx.addIssue({ code: "custom", path: [key, i], message: undeclared(name) });
    }
  }
  for (const name of Object.keys(c.environment?.tool_results ?? {})) {
    if (!declared.has(name))
      ctx.addIssue({
        code: "custom",
        path: ["environment", "tool_results", name],
        message: undeclared(name),
      });
  }
  if (c.environment !== undefined && c.tools === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["environment"],
      message: "an `environment` needs the case's `tools`",
    });
  }

  const messages = c.messages ?? [];
  // Calls made and not yet answered by a `tool` turn, by id.
  const open = new Map<string, number>();
  const made = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role !== "tool" && open.size > 0) {
      const [id, at] = open.entries().next().value as [string, number];
      ctx.addIssue({
        code: "custom",
        path: ["messages", at, "tool_calls"],
        message: `call "${id}" has no \`tool\` turn with its result before the next ${m.role} turn (messages[${i}]); the chat API rejects an unanswered call`,
      });
      open.clear();
    }
    for (const [j, call] of (m.tool_calls ?? []).entries()) {
      const at = ["messages", i, "tool_calls", j, "function"];
      if (!declared.has(call.function.name))
        ctx.addIssue({ code: "custom", path: [...at, "name"], message: undeclared(call.function.name) });
      const spec = c.tools?.find((t) => t.function.name === call.function.name);
      const problem = argumentsProblem(call.function.arguments, spec?.function.parameters);
      if (problem) ctx.addIssue({ code: "custom", path: [...at, "arguments"], message: problem });
      if (made.has(call.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["messages", i, "tool_calls", j, "id"],
          message: `call id "${call.id}" is used twice; each call needs its own id`,
        });
      }
      made.add(call.id);
      open.set(call.id, i);
    }
    if (m.role === "tool" && m.tool_call_id !== undefined) {
      if (!open.delete(m.tool_call_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["messages", i, "tool_call_id"],
          message: made.has(m.tool_call_id)
            ? `call "${m.tool_call_id}" already has its result; a \`tool\` turn answers one call`
            : `a \`tool\` turn must follow the assistant call it answers: no earlier assistant turn made a call with id "${m.tool_call_id}"`,
        });
      }
    }
  }
  const last = messages[messages.length - 1];
  if (last && last.role !== "user" && !(last.role === "tool" && c.tools !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["messages"],
      message:
        c.tools === undefined
          ? "the last message must have role `user`"
          : "the last message must have role `user` or `tool` (a tool result the agent acts on next)",
    });
  }
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
  null: (v) => v === null,
};

/**
 * Why a call's `arguments` string is not a JSON object that fits the tool's parameters (its
 * required keys, no key it does not declare when `additionalProperties: false`, each declared
 * key's type and enum), or undefined when it is. A recorded call the tool could not have
 * accepted would put a conversation before the agent that never happened.
 */
export function argumentsProblem(text: string, parameters?: Record<string, unknown>): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `the arguments are not valid JSON (${(err as Error).message}); write them as a JSON object in a string, e.g. "{\\"to\\": \\"a@example.com\\"}"`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return 'the arguments must be a JSON object in a string, e.g. "{}" for none';
  if (!parameters) return undefined;
  const args = value as Record<string, unknown>;
  const properties = (parameters.properties ?? {}) as Record<string, { type?: unknown; enum?: unknown }>;
  const required = Array.isArray(parameters.required) ? (parameters.required as unknown[]) : [];
  const missing = required.filter((k): k is string => typeof k === "string" && !(k in args));
  if (missing.length > 0)
    return `the arguments lack ${missing.map((k) => `"${k}"`).join(", ")}, required by the tool's parameters`;
  for (const [key, v] of Object.entries(args)) {
    const prop = properties[key];
    if (prop === undefined) {
      if (parameters.additionalProperties === false)
        return `the arguments have "${key}", which the tool's parameters do not declare (declared: ${Object.keys(properties).join(", ") || "none"})`;
      continue;
    }
    const types = typeof prop.type === "string" ? [prop.type] : Array.isArray(prop.type) ? prop.type : [];
    const known = types.filter((t): t is string => typeof t === "string" && t in JSON_TYPES);
    if (known.length > 0 && !known.some((t) => JSON_TYPES[t]?.(v)))
      return `the argument "${key}" is ${JSON.stringify(v)}, not of type ${known.join(" or ")} as the tool's parameters say`;
    if (Array.isArray(prop.enum) && !prop.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      return `the argument "${key}" is ${JSON.stringify(v)}, not one of ${prop.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  }
  return undefined;
}

export type SuiteCase = z.output<typeof CaseSchema>;
export type Expectation = SuiteCase["expect"];
