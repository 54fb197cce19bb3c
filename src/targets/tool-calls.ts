/**
 * Tool calls as targets return them. APIs differ in shape — OpenAI's
 * `{id, type, function: {name, arguments: "<JSON>"}}`, or a flat `{name, arguments}` whose
 * arguments may be an object — so every target reads them through one normaliser into
 * `{name, arguments: "<JSON string>"}`, the form results and graders use.
 */
import type { ToolCall } from "./target.js";

/** What a live target answered: its text, its tool calls, or both. */
export interface Answer {
  response?: string;
  tool_calls?: ToolCall[];
}

/** The answer a responder gave as an Answer (a plain string is text only). */
export function asAnswer(given: string | Answer): Answer {
  return typeof given === "string" ? { response: given } : given;
}

/**
 * `value` as tool calls, or why it is not: a list whose items have a name (at the top or
 * under `function`) and arguments (a string, or an object, stringified). `null`/absent is none.
 */
export function normaliseToolCalls(value: unknown): { calls?: ToolCall[]; problem?: string } {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) return { problem: `tool calls must be a list (found ${typeof value})` };
  const calls: ToolCall[] = [];
  for (const [i, item] of value.entries()) {
    const f = (item as { function?: unknown } | null)?.function ?? item;
    const name = (f as { name?: unknown } | null)?.name;
    const args = (f as { arguments?: unknown } | null)?.arguments;
    if (typeof name !== "string" || name === "") return { problem: `tool call ${i} has no name` };
    if (args !== undefined && args !== null && typeof args !== "string" && typeof args !== "object")
      return {
        problem: `tool call ${i} (${name}) has arguments that are neither a JSON string nor an object`,
      };
    calls.push({
      name,
      arguments:
        typeof args === "string" ? args : args === undefined || args === null ? "{}" : JSON.stringify(args),
    });
  }
  return { calls };
}
