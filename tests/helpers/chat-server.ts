/**
 * A real OpenAI-compatible chat endpoint on 127.0.0.1 that answers with scripted text,
 * and a minimal test-only `ChatModel` over `fetch` to reach it. The product's client
 * (retries, timeouts, caching, keys) is the runner's; this stand-in only lets the judge
 * and classifier graders be exercised over a real HTTP round trip.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage, ChatModel } from "../../src/graders/chat.js";

export interface ScriptedServer {
  url: string;
  requests: { model: string; messages: ChatMessage[] }[];
  close(): Promise<void>;
}

/** `reply` decides the assistant text from the request; `status` ≠ 200 simulates a failure. */
export async function startChatServer(
  reply: (messages: ChatMessage[]) => { status?: number; content?: string },
): Promise<ScriptedServer> {
  const requests: ScriptedServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { model: string; messages: ChatMessage[] };
      requests.push(parsed);
      const { status = 200, content = "" } = reply(parsed.messages);
      if (status !== 200) {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "scripted failure" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          model: parsed.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Test-only: one request, no retries. The runner's client replaces this in the product. */
export function fetchChatModel(baseUrl: string, model: string): ChatModel {
  return {
    identity: `${model}@${baseUrl}`,
    async complete(messages) {
      const res = await fetch(`${baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages, temperature: 0 }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = (await res.json()) as { choices: { message: { content: string } }[] };
      return data.choices[0]?.message.content ?? "";
    },
  };
}
