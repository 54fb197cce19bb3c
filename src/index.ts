/** The library surface: the core engine and the statistics, for use outside the CLI. */
export { type GateRun, type RunOptions, runGate } from "./core.js";
export type { Decision, Outcome } from "./gate/decide.js";
export type { ChatMessage, ChatModel } from "./graders/chat.js";
export type { ChatModelFactory } from "./graders/registry.js";
export type { Results } from "./report/results-schema.js";
export * from "./stats/index.js";
