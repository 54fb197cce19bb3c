/**
 * Counting tokens with a real tokenizer (o200k_base), loaded on first use only: the
 * tokenizer is a separate file of the build (see tokenizer-bundle.ts).
 */
import type { ChatMessage } from "./messages.js";

export interface TokenCounter {
  /** The tokenizer's encoding, e.g. o200k_base. */
  encoding: string;
  count(text: string): number;
}

let loading: Promise<TokenCounter> | undefined;

export function loadTokenCounter(): Promise<TokenCounter> {
  loading ??= import("./tokenizer-bundle.js").then((m) => ({
    encoding: m.ENCODING,
    count: m.countTokens,
  }));
  return loading;
}

/**
 * Prompt tokens of a chat request as OpenAI's chat models count them: each message's role
 * and content and 3 tokens of framing, and 3 more that start the reply.
 */
export function chatPromptTokens(messages: readonly ChatMessage[], tokens: TokenCounter): number {
  let n = 3;
  for (const m of messages) n += 3 + tokens.count(m.role) + tokens.count(m.content ?? "");
  return n;
}
