/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions format, with
 * injectable faults — the model endpoint for tests and the bench. It records every
 * request so tests can say what was (and was not) asked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "reset" }
  | { kind: "truncated" }
  | { kind: "hang" };

export interface FakeRequest {
  model: string;
  /** The last user turn: how tests tell cases apart. */
  prompt: string;
  body: Record<string, unknown>;
  authorization?: string;
  /** The `x-run` header: lets a test tell apart the runs of one config. */
  run?: string;
  /** 1 for the first request with this model and prompt, 2 for the next, … */
  attempt: number;
  at: number;
  /** What the server did. */
  outcome: "ok" | "fault";
  /** The client's TCP port: tells a proxy's connections from direct ones. */
  peerPort?: number;
}

/** An agent's answer: tool calls (arguments as JSON strings), with or without text. */
export interface FakeToolAnswer {
  content?: string | null;
  tool_calls: { name: string; arguments: string }[];
}

export interface FakeOpenAIOptions {
  /** The content of the answer, or an agent's tool calls. */
  answer: (req: FakeRequest) => string | FakeToolAnswer;
  /** A fault for this request, if any (e.g. on first attempts only). */
  fault?: (req: FakeRequest) => Fault | undefined;
  latencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Models the server knows; others get 404 like vLLM. */
  models?: readonly string[];
  /** Called as each request arrives, before it is answered. */
  onRequest?: (req: FakeRequest) => void;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface FakeOpenAI {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

function lastUser(messages: unknown): string {
  const list = Array.isArray(messages) ? (messages as { role?: string; content?: string }[]) : [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i]?.role === "user") return list[i]?.content ?? "";
  return "";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function completion(model: string, answer: string | FakeToolAnswer) {
  const message =
    typeof answer === "string"
      ? { role: "assistant", content: answer }
      : {
          role: "assistant",
          content: answer.content ?? null,
          tool_calls: answer.tool_calls.map((t, i) => ({
            id: `call_srv_${i}`,
            type: "function",
            function: { name: t.name, arguments: t.arguments },
          })),
        };
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message, finish_reason: typeof answer === "string" ? "stop" : "tool_calls" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

export async function startFakeOpenAI(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const requests: FakeRequest[] = [];
  const attempts = new Map<string, number>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    if (req.method !== "POST" || !req.url?.split("?")[0]?.endsWith("/chat/completions")) {
      json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      json(res, 400, { error: { message: "bad JSON" } });
      return;
    }
    const model = String(body.model);
    const prompt = lastUser(body.messages);
    // Each step of a multi-step agent case is its own request (the conversation grows).
    const turns = Array.isArray(body.messages) ? body.messages.length : 0;
    const seen = `${model}\u0000${prompt}\u0000${turns}`;
    const attempt = (attempts.get(seen) ?? 0) + 1;
    attempts.set(seen, attempt);
    const record: FakeRequest = {
      model,
      prompt,
      body,
      authorization: req.headers.authorization,
      run: req.headers["x-run"] as string | undefined,
      attempt,
      at: Date.now(),
      outcome: "fault",
      peerPort: req.socket.remotePort,
    };
    requests.push(record);
    options.onRequest?.(record);
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      json(res, 401, {
        error: { message: `Incorrect API key provided: ${req.headers.authorization ?? "none"}` },
      });
      return;
    }
    if (options.models && !options.models.includes(model)) {
      json(res, 404, { object: "error", message: `The model \`${model}\` does not exist.`, code: 404 });
      return;
    }
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const fault = options.fault?.(record);
    if (fault?.kind === "hang") return;
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      json(
        res,
        fault.status,
        fault.body ?? { error: { message: `injected ${fault.status}` } },
        fault.headers,
      );
      return;
    }
    const full = JSON.stringify(completion(model, options.answer(record)));
    if (fault?.kind === "truncated") {
      json(res, 200, full.slice(0, Math.floor(full.length / 2)));
      return;
    }
    record.outcome = "ok";
    json(res, 200, full);
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL on which nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
