/**
 * The scripted environment of a multi-step agent case: after each step whose answer called
 * tools, the agent's calls and the environment's canned results (`environment.tool_results`)
 * are appended to the conversation as an assistant turn and `tool` turns, and the agent is
 * asked again — up to `max_steps` times. Call ids are made here, from the step and the call's
 * place, so the same answers always make the same next request (the journal keys on it).
 */
import type { SuiteCase } from "../suite/schema.js";
import type { ChatMessage } from "../targets/messages.js";
import type { AgentStep } from "../targets/target.js";

/** What a tool returns when the case scripts no result for it: a plain success, as a harmless tool would. */
export const DEFAULT_TOOL_RESULT = '{"success": true}';

/** How many times the agent is asked for this case (1 unless its environment says more). */
export function maxStepsOf(c: Pick<SuiteCase, "tools" | "environment">): number {
  return c.tools ? (c.environment?.max_steps ?? 1) : 1;
}

/**
 * The turns that follow a step which called tools: the assistant's calls, then one result per
 * call. A tool's scripted results are used in turn, counting calls of that tool across the
 * steps so far (`used`), the last one repeated.
 */
export function turnsAfter(
  c: Pick<SuiteCase, "environment">,
  stepIndex: number,
  step: AgentStep,
  used: Map<string, number>,
): ChatMessage[] {
  const calls = step.tool_calls ?? [];
  const ids = calls.map((_, i) => `call_${stepIndex + 1}_${i + 1}`);
  const assistant: ChatMessage = {
    role: "assistant",
    tool_calls: calls.map((call, i) => ({
      id: ids[i] as string,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    })),
  };
  if (step.response !== undefined && step.response !== "") assistant.content = step.response;
  const results: ChatMessage[] = calls.map((call, i) => {
    const scripted = c.environment?.tool_results?.[call.name];
    const n = used.get(call.name) ?? 0;
    used.set(call.name, n + 1);
    const content =
      scripted === undefined
        ? DEFAULT_TOOL_RESULT
        : typeof scripted === "string"
          ? scripted
          : (scripted[Math.min(n, scripted.length - 1)] as string);
    return { role: "tool", tool_call_id: ids[i] as string, content };
  });
  return [assistant, ...results];
}
