/**
 * The seam between model-backed graders (LLM judge, Llama-Guard-style classifier) and
 * whatever talks to the model. Graders only need "send these messages, get the text
 * back"; retries, timeouts, rate limits and the HTTP details belong to the client that
 * implements this (the OpenAI-compatible client in src/targets).
 */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatModel {
  /**
   * Which model answers, e.g. `gpt-4o-mini@https://api.example.com/v1` — recorded in
   * results so a baseline judged by another model is recognised. Never a secret.
   */
  readonly identity: string;
  /** The assistant's reply text; rejects when no reply could be had. */
  complete(messages: readonly ChatMessage[]): Promise<string>;
  /**
   * Told when this model cannot serve as the grader at all (its first verdicts all in the
   * wrong format): no more requests are sent, and the run stops with exit 2 at `key` of the
   * grader's entry. Optional: a model without it just keeps recording error grades.
   */
  misconfigured?(message: string, key: string): void;
}
