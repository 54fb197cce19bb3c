/**
 * An agent's answer as a reader sees it: the text, and the tool calls it made (name and
 * arguments) — for an agent case the calls are the evidence, so every report shows them
 * where it shows a response. A multi-step run shows each step in order.
 */
import type { AgentStep, ToolCall } from "../targets/target.js";

interface Answered {
  response?: string;
  tool_calls?: ToolCall[];
  steps?: AgentStep[];
}

/** `→ send_email({"to":"x@y.z"})`, one call a line. */
export function callsText(calls: readonly ToolCall[]): string {
  return calls.map((c) => `→ ${c.name}(${c.arguments})`).join("\n");
}

function stepText(s: AgentStep): string {
  const calls = s.tool_calls?.length ? callsText(s.tool_calls) : "";
  return [s.response ?? "", calls].filter((x) => x !== "").join("\n");
}

/** The text to show for a response: its text with its tool calls, every step of a multi-step run. */
export function shownResponse(c: Answered): string | undefined {
  if (c.steps && c.steps.length > 1)
    return c.steps.map((s, i) => `[step ${i + 1}] ${stepText(s)}`).join("\n\n");
  if (!c.tool_calls?.length) return c.response;
  return stepText(c);
}

/** A suite turn as text: its content, and the calls of an assistant turn or the id a tool result answers. */
export function turnText(m: {
  role: string;
  content?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}): string {
  const calls = m.tool_calls ? callsText(m.tool_calls.map((t) => t.function)) : "";
  const body = [m.content ?? "", calls].filter((x) => x !== "").join("\n");
  return `[${m.role}${m.tool_call_id !== undefined ? ` ${m.tool_call_id}` : ""}] ${body}`;
}
