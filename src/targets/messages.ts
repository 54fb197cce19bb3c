/** What a suite case asks, as chat messages: the shape every live target sends in some form. */
import type { SuiteCase } from "../suite/schema.js";

/** A call as the chat API carries it in an assistant turn. */
export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  /** Absent only in an assistant turn that made tool calls and said nothing. */
  content?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

/**
 * The case's conversation, with the target's system prompt first unless the case brings
 * its own (a suite that tests system prompts must not have them overridden).
 */
export function messagesOf(
  c: Pick<SuiteCase, "prompt" | "messages">,
  system?: string,
  history?: readonly ChatMessage[],
): ChatMessage[] {
  const turns: ChatMessage[] = c.messages
    ? c.messages.map((m) => {
        const turn: ChatMessage = { role: m.role };
        if (m.content !== undefined) turn.content = m.content;
        if (m.tool_calls) turn.tool_calls = m.tool_calls;
        if (m.tool_call_id !== undefined) turn.tool_call_id = m.tool_call_id;
        return turn;
      })
    : [{ role: "user", content: c.prompt ?? "" }];
  if (history) turns.push(...history);
  return system !== undefined && turns[0]?.role !== "system"
    ? [{ role: "system", content: system }, ...turns]
    : turns;
}

/** The last user turn: what a single-prompt API is given. */
export function lastUserTurn(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content ?? "";
  }
  return "";
}
