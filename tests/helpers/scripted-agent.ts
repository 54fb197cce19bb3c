/**
 * A real OpenAI-compatible chat endpoint on 127.0.0.1 that plays an agent: for each
 * request it decides, from the conversation it is sent, whether to call a tool (a
 * structured `tool_calls` answer, as the OpenAI API gives) or to answer in text. Tests
 * script the decision per case and per step; the server records every request.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface AgentTurn {
  role: string;
  content?: string | null;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface AgentRequest {
  model: string;
  messages: AgentTurn[];
  tools?: { type: string; function: { name: string; parameters?: Record<string, unknown> } }[];
}

/** A tool to call (arguments made up from its JSON Schema), or a text answer. */
export type AgentMove = { call: string } | { text: string };

export interface ScriptedAgent {
  url: string;
  requests: AgentRequest[];
  close(): Promise<void>;
}

/** Arguments that satisfy a JSON Schema object's required properties, by type. */
export function sampleArguments(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const props = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const name of (schema?.required ?? []) as string[]) {
    const p = props[name] ?? {};
    if (Array.isArray(p.enum)) out[name] = p.enum[0];
    else if (p.type === "integer" || p.type === "number") out[name] = (p.minimum as number | undefined) ?? 1;
    else if (p.type === "boolean") out[name] = false;
    else if (p.type === "array") out[name] = ["someone@example.com"];
    else if (p.type === "object") out[name] = {};
    else out[name] = "x";
  }
  return out;
}

export async function startScriptedAgent(
  decide: (request: AgentRequest) => AgentMove,
): Promise<ScriptedAgent> {
  const requests: AgentRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.startsWith("/v1/chat/completions")) {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as AgentRequest;
      requests.push(parsed);
      const move = decide(parsed);
      const message =
        "call" in move
          ? {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: `call_${requests.length}`,
                  type: "function",
                  function: {
                    name: move.call,
                    arguments: JSON.stringify(
                      sampleArguments(
                        parsed.tools?.find((t) => t.function.name === move.call)?.function.parameters,
                      ),
                    ),
                  },
                },
              ],
            }
          : { role: "assistant", content: move.text };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: 0,
          model: parsed.model,
          choices: [{ index: 0, finish_reason: "call" in move ? "tool_calls" : "stop", message }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
