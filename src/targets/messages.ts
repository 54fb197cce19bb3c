/** What a suite case asks, as chat messages: the shape every live target sends in some form. */
import type { SuiteCase } from "../suite/schema.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * The case's conversation, with the target's system prompt first unless the case brings
 * its own (a suite that tests system prompts must not have them overridden).
 */
export function messagesOf(c: Pick<SuiteCase, "prompt" | "messages">, system?: string): ChatMessage[] {
  const turns: ChatMessage[] = c.messages
    ? c.messages.map((m) => ({ role: m.role, content: m.content }))
    : [{ role: "user", content: c.prompt ?? "" }];
  return system !== undefined && turns[0]?.role !== "system"
    ? [{ role: "system", content: system }, ...turns]
    : turns;
}

/** The last user turn: what a single-prompt API is given. */
export function lastUserTurn(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content;
  }
  return "";
}
