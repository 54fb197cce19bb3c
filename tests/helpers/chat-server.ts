/**
 * A real OpenAI-compatible chat endpoint on 127.0.0.1 that answers with scripted text,
 * so the judge and classifier graders are exercised through the product's own client.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage } from "../../src/graders/chat.js";

export interface ScriptedServer {
  url: string;
  /** Each request's body (its fields as sent), with the path and query it was sent to and its headers. */
  requests: ({
    model: string;
    messages: ChatMessage[];
    temperature?: number;
    authorization?: string;
    url?: string;
    headers?: IncomingHttpHeaders;
  } & Record<string, unknown>)[];
  close(): Promise<void>;
}

/** `reply` decides the assistant text from the request; `status` ≠ 200 simulates a failure. */
export async function startChatServer(
  reply: (
    messages: ChatMessage[],
    authorization?: string,
  ) => { status?: number; content?: string; body?: string },
): Promise<ScriptedServer> {
  const requests: ScriptedServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      // A query string (Azure's `?api-version=`) may follow the path.
      if (
        req.method !== "POST" ||
        new URL(req.url ?? "/", "http://127.0.0.1").pathname !== "/v1/chat/completions"
      ) {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as ScriptedServer["requests"][number];
      requests.push({
        ...parsed,
        authorization: req.headers.authorization,
        url: req.url,
        headers: req.headers,
      });
      const {
        status = 200,
        content = "",
        body: errorBody,
      } = reply(parsed.messages, req.headers.authorization);
      if (status !== 200) {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(errorBody ?? JSON.stringify({ error: { message: "scripted failure" } }));
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
