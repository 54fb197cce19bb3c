/**
 * The HTTP client (src/targets/http-client.ts, over undici) against real servers on
 * 127.0.0.1: node:http ones for what a well-behaved endpoint does, raw node:net ones for
 * what a broken one does. Each test looks at what the server saw (requests, TCP
 * connections, sockets still open) as well as at what the client returned, and waits for
 * conditions, never for a fixed time.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createSecureServer as createHttp2Server } from "node:http2";
import { createServer as createHttpsServer, get as httpsGet } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { AttemptError } from "../src/targets/failure.js";
import { HttpClient, MAX_RESPONSE_BYTES } from "../src/targets/http-client.js";
import { tempDir } from "./helpers/run.js";

// --- Helpers: servers that count what they see, cleaned up after each test ---

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

/** What a server saw at the TCP level. */
interface Seen {
  connections: number;
  open: Set<Socket>;
  maxOpen: number;
}

/** Starts any net.Server (http and https ones included) on 127.0.0.1, counting its sockets. */
async function start(server: Server): Promise<{ origin: string; port: number; seen: Seen }> {
  const seen: Seen = { connections: 0, open: new Set(), maxOpen: 0 };
  server.on("connection", (socket: Socket) => {
    seen.connections++;
    seen.open.add(socket);
    seen.maxOpen = Math.max(seen.maxOpen, seen.open.size);
    socket.on("close", () => seen.open.delete(socket));
    socket.on("error", () => {}); // Resets are what some tests are about.
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const s of seen.open) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A node:http server; `handle` sees each request with its whole body read. */
async function http(handle: (req: Received, res: ServerResponse, raw: IncomingMessage) => void) {
  const received: Received[] = [];
  const server = createHttpServer((raw, res) => {
    const parts: Buffer[] = [];
    raw.on("data", (c: Buffer) => parts.push(c));
    raw.on("end", () => {
      const req = {
        method: raw.method ?? "",
        url: raw.url ?? "",
        headers: raw.headers,
        body: Buffer.concat(parts),
      };
      received.push(req);
      res.on("error", () => {});
      handle(req, res, raw);
    });
  });
  return { ...(await start(server)), server, received };
}

/** A raw TCP server that answers each chunk of a request with whatever `onData` writes. */
async function raw(onData: (socket: Socket, data: Buffer, n: number) => void) {
  let requests = 0;
  const server = createNetServer((socket) => {
    socket.on("data", (data) => onData(socket, data, ++requests));
  });
  const started = await start(server);
  return { ...started, requests: () => requests };
}

function client(connections: number): HttpClient {
  const c = new HttpClient(connections);
  cleanups.push(() => c.close());
  return c;
}

const get = (url: string, more: { timeoutMs?: number; signal?: AbortSignal } = {}) => ({
  url,
  method: "GET",
  headers: {},
  timeoutMs: more.timeoutMs ?? 10_000,
  signal: more.signal,
});

const post = (url: string, body: string) => ({ url, method: "POST", headers: {}, body, timeoutMs: 10_000 });

/** Waits until `cond` holds (polling); fails the test if it never does. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** The AttemptError a request rejected with (failing the test if it resolved). */
async function attemptError(p: Promise<unknown>): Promise<AttemptError> {
  const err = await p.then(
    (r) => {
      throw new Error(`resolved (${JSON.stringify(r).slice(0, 80)}), expected an AttemptError`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AttemptError);
  return err as AttemptError;
}

/** A port nothing listens on (closed just after the OS chose it). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// --- Tests ---

describe("HttpClient: keep-alive connections", () => {
  it("carries 200 sequential requests over one reused connection (connections=4)", async () => {
    const s = await http((req, res) => res.end(`answer ${req.url}`));
    const c = client(4);
    for (let i = 0; i < 200; i++) {
      const res = await c.send(get(`${s.origin}/n?i=${i}`));
      expect(res.text).toBe(`answer /n?i=${i}`);
    }
    expect(s.received).toHaveLength(200);
    // Sequential requests find an idle connection. undici frees a connection a tick after
    // its answer completes, so the second request may open a second one; no more after that.
    expect(s.seen.connections).toBeLessThanOrEqual(2);
  });

  it("spreads 32 concurrent requests over at most 8 sockets (connections=8), each answered correctly", async () => {
    // The server answers on a later turn so that requests overlap and the pool is full.
    const s = await http((req, res) => setTimeout(() => res.end(`answer ${req.url}`), 2));
    const c = client(8);
    const texts = await Promise.all(
      Array.from({ length: 32 }, (_, i) => c.send(get(`${s.origin}/r${i}`)).then((r) => r.text)),
    );
    expect(texts).toEqual(Array.from({ length: 32 }, (_, i) => `answer /r${i}`));
    expect(s.seen.maxOpen).toBeLessThanOrEqual(8);
    expect(s.seen.connections).toBe(8);
  });

  it("opens a new connection per request when the server answers Connection: close", async () => {
    const s = await http((req, res) => {
      res.setHeader("connection", "close");
      res.end(`answer ${req.url}`);
    });
    const c = client(2);
    const texts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.send(get(`${s.origin}/c${i}`)).then((r) => r.text)),
    );
    expect(texts).toEqual(Array.from({ length: 10 }, (_, i) => `answer /c${i}`));
    expect(s.seen.connections).toBe(10);
  });
});

describe("HttpClient: what the server receives", () => {
  it("method, path and query, host, content-length in UTF-8 bytes, the body and the caller's headers", async () => {
    const s = await http((_req, res) => res.end("{}"));
    const c = client(1);
    const body = JSON.stringify({ messages: [{ role: "user", content: "héllo 😀 — ünïcödé" }] });
    const res = await c.send({
      url: `${s.origin}/openai/deployments/gpt/chat/completions?api-version=2024-02-01`,
      method: "POST",
      headers: { "content-type": "application/json", "api-key": "k-123", "X-Trace": "a b;c" },
      body,
      timeoutMs: 10_000,
    });
    expect(res.status).toBe(200);
    const [got] = s.received;
    expect(got?.method).toBe("POST");
    expect(got?.url).toBe("/openai/deployments/gpt/chat/completions?api-version=2024-02-01");
    expect(got?.headers.host).toBe(`127.0.0.1:${s.port}`);
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length); // The test means something.
    expect(got?.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(got?.body.toString("utf8")).toBe(body);
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["api-key"]).toBe("k-123");
    expect(got?.headers["x-trace"]).toBe("a b;c");
  });

  it("refuses a header value with a line break as fatal, and sends nothing", async () => {
    const s = await http((_req, res) => res.end("ok"));
    const c = client(1);
    const err = await attemptError(
      c.send({
        url: `${s.origin}/x`,
        method: "POST",
        headers: { "x-injected": "a\r\nx-smuggled: 1" },
        body: "{}",
        timeoutMs: 10_000,
      }),
    );
    expect(err.kind).toBe("fatal");
    // A request after it is the first and only one the server sees, with no smuggled field.
    expect((await c.send(get(`${s.origin}/after`))).text).toBe("ok");
    expect(s.received.map((r) => r.url)).toEqual(["/after"]);
    expect(s.received[0]?.headers["x-smuggled"]).toBeUndefined();
    expect(s.seen.connections).toBe(1);
  });
});

describe("HttpClient: connections the server closes", () => {
  it("survives the server closing idle keep-alive connections, each POST processed once", async () => {
    const s = await http((req, res) => res.end(`got ${req.body}`));
    s.server.keepAliveTimeout = 50;
    const c = client(2);
    for (let i = 0; i < 3; i++) {
      const res = await c.send(post(`${s.origin}/p`, `${i}`));
      expect(res.text).toBe(`got ${i}`);
      await waitFor("the server closed the idle connection", () => s.seen.open.size === 0);
    }
    expect(s.received.map((r) => r.body.toString())).toEqual(["0", "1", "2"]);
    expect(s.seen.connections).toBe(3);
  });

  it("resends once on a fresh connection when a reused one closes before any byte of the answer", async () => {
    // Deterministic version of the race above: the server drops (unprocessed) every request
    // but the first on a connection, as one closing an idle connection just as a request arrives.
    let dropped = 0;
    const perSocket = new Map<Socket, number>();
    const s = await http((req, res, rawReq) => {
      const n = (perSocket.get(rawReq.socket) ?? 0) + 1;
      perSocket.set(rawReq.socket, n);
      if (n > 1) {
        dropped++;
        s.received.pop(); // Not processed.
        rawReq.socket.destroy();
        return;
      }
      res.end(`got ${req.body}`);
    });
    const c = client(1);
    for (let i = 0; i < 5; i++) {
      const res = await c.send(post(`${s.origin}/p`, `${i}`));
      expect(res.text).toBe(`got ${i}`);
    }
    expect(s.received.map((r) => r.body.toString())).toEqual(["0", "1", "2", "3", "4"]);
    expect(dropped).toBe(4);
    expect(s.seen.connections).toBe(5);
  });

  it("resends at most once: a fresh connection closing unanswered is a retryable failure", async () => {
    // Answers only the very first request; drops everything after it.
    const s = await raw((socket, _data, n) => {
      if (n === 1) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      else socket.destroy();
    });
    const c = client(1);
    expect((await c.send(get(`${s.origin}/first`))).text).toBe("ok");
    const err = await attemptError(c.send(get(`${s.origin}/second`)));
    expect(err.kind).toBe("retryable");
    expect(s.requests()).toBe(3); // The first; the second on the stale connection and once more.
    expect(s.seen.connections).toBe(2);
  });

  it("does not resend a request whose answer had started: a reset mid-body is retryable", async () => {
    const s = await raw((socket, _data, n) => {
      if (n === 1) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      else {
        // Content-length 100, 10 bytes of it, then the connection is reset.
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${"x".repeat(10)}`, () =>
          socket.resetAndDestroy(),
        );
      }
    });
    const c = client(1);
    expect((await c.send(get(`${s.origin}/first`))).text).toBe("ok");
    const err = await attemptError(c.send(get(`${s.origin}/cut`)));
    expect(err.kind).toBe("retryable");
    expect(s.requests()).toBe(2);
    expect(s.seen.connections).toBe(1);
  });
});

describe("HttpClient: response bodies", () => {
  it("decodes a chunked response written in pieces, multi-byte characters cut between them", async () => {
    const text = `{"text":"${"héllo 😀 wörld ".repeat(5000)}"}`;
    const bytes = Buffer.from(text);
    const s = await http(async (_req, res) => {
      // Cuts at odd places, some inside a UTF-8 sequence; each write on its own turn.
      let from = 0;
      for (const to of [1, 7, 11, 1000, 40_000, bytes.length]) {
        res.write(bytes.subarray(from, to));
        from = to;
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const res = await client(1).send(get(`${s.origin}/chunked`));
    expect(res.headers["transfer-encoding"]).toBe("chunked");
    expect(res.headers["content-length"]).toBeUndefined();
    expect(res.text).toBe(text);
  });

  it("decodes gzip, deflate and br content-encodings", async () => {
    const text = JSON.stringify({ answer: "compressed 😀".repeat(100) });
    const encode = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;
    const s = await http((req, res) => {
      const coding = req.url.slice(1) as keyof typeof encode;
      res.setHeader("content-encoding", coding);
      res.end(encode[coding](Buffer.from(text)));
    });
    const c = client(1);
    for (const coding of Object.keys(encode)) {
      const res = await c.send(get(`${s.origin}/${coding}`));
      expect(res.headers["content-encoding"]).toBe(coding);
      expect(res.text, coding).toBe(text);
    }
  });

  it(`refuses an answer over ${MAX_RESPONSE_BYTES / 2 ** 20} MiB as final: declared, streamed, or decompressed`, async () => {
    const mib = Buffer.alloc(2 ** 20, "x");
    const s = await http((req, res) => {
      if (req.url === "/declared") {
        res.writeHead(200, { "content-length": String(MAX_RESPONSE_BYTES + 1) });
        res.write("x");
      } else if (req.url === "/streamed") {
        for (let i = 0; i <= MAX_RESPONSE_BYTES / mib.length; i++) res.write(mib);
        res.end();
      } else {
        // A gzip bomb: a few KiB on the wire.
        res.setHeader("content-encoding", "gzip");
        res.end(gzipSync(Buffer.alloc(MAX_RESPONSE_BYTES + 1)));
      }
    });
    const c = client(1);
    for (const path of ["/declared", "/streamed", "/bomb"]) {
      const err = await attemptError(c.send(get(`${s.origin}${path}`)));
      expect(err.kind, path).toBe("final");
      expect(err.message, path).toMatch(/larger than 16 MiB/);
    }
  });

  it("calls garbage a retryable malformed HTTP response", async () => {
    const s = await raw((socket) => socket.end("hello\r\n\r\n"));
    const err = await attemptError(client(1).send(get(`${s.origin}/`)));
    expect(err.kind).toBe("retryable");
    expect(err.message).toMatch(/malformed HTTP response/);
  });
});

describe("HttpClient: timeouts, refusals, aborts", () => {
  it("times out a server that never answers as retryable, and destroys the socket", async () => {
    const s = await http(() => {});
    const err = await attemptError(client(1).send(get(`${s.origin}/hang`, { timeoutMs: 100 })));
    expect(err.kind).toBe("retryable");
    expect(err.message).toMatch(/timeout/);
    await waitFor("the server saw the socket close", () => s.seen.open.size === 0);
    // Given up, not sent again (undici may open a spare connection, which carries nothing).
    expect(s.received).toHaveLength(1);
  });

  it("calls a refused connection fatal before the endpoint ever answered", async () => {
    const port = await freePort();
    const err = await attemptError(client(1).send(get(`http://127.0.0.1:${port}/`)));
    expect(err.kind).toBe("fatal");
    expect(err.message).toMatch(/cannot connect/);
    expect(err.options.culprit).toBe("endpoint");
  });

  it("calls a refused connection retryable once the endpoint has answered", async () => {
    const server = createHttpServer((_req, res) => res.end("ok"));
    const s = await start(server);
    const c = client(1);
    expect((await c.send(get(`${s.origin}/`))).text).toBe("ok");
    // The server goes down (its connections with it) and its port refuses.
    for (const socket of s.seen.open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    const err = await attemptError(c.send(get(`${s.origin}/`)));
    expect(err.kind).toBe("retryable");
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it("rejects every request of an aborted signal with its reason, closing their sockets", async () => {
    const s = await http(() => {});
    const c = client(4);
    const controller = new AbortController();
    // Four on the wire, two waiting for a connection.
    const results = Array.from({ length: 6 }, (_, i) =>
      c.send(get(`${s.origin}/a${i}`, { signal: controller.signal })).then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    await waitFor("the server has the first four requests", () => s.received.length === 4);
    const reason = new Error("stop the run");
    controller.abort(reason);
    for (const r of await Promise.all(results)) expect(r).toBe(reason);
    await waitFor("the server saw every socket close", () => s.seen.open.size === 0);
    // The two that were waiting were never sent.
    expect(s.received).toHaveLength(4);
  });

  it("rejects at once a request sent with an already-aborted signal, sending nothing", async () => {
    const s = await http((_req, res) => res.end("ok"));
    const c = client(1);
    const reason = new Error("already stopped");
    const signal = AbortSignal.abort(reason);
    await expect(c.send(get(`${s.origin}/never`, { signal }))).rejects.toBe(reason);
    expect((await c.send(get(`${s.origin}/after`))).text).toBe("ok");
    expect(s.received.map((r) => r.url)).toEqual(["/after"]);
  });
});

describe("HttpClient: a connection given up frees its place", () => {
  it("a request waiting for a connection takes the one a timed-out request gave up", async () => {
    const s = await http((req, res) => {
      if (req.url !== "/hang") res.end("ok");
    });
    const c = client(1);
    const hung = attemptError(c.send(get(`${s.origin}/hang`, { timeoutMs: 100 })));
    // Queued behind it (connections=1); its own timeout is far away.
    const queued = c.send(get(`${s.origin}/queued`, { timeoutMs: 5_000 }));
    expect((await hung).message).toMatch(/timeout/);
    expect((await queued).text).toBe("ok");
    expect(s.received.map((r) => r.url)).toEqual(["/hang", "/queued"]);
  });

  it("a request waiting for a connection takes the one an aborted request gave up", async () => {
    const s = await http((req, res) => {
      if (req.url !== "/hang") res.end("ok");
    });
    const c = client(1);
    const controller = new AbortController();
    const hung = c.send(get(`${s.origin}/hang`, { signal: controller.signal })).catch((e: unknown) => e);
    const queued = c.send(get(`${s.origin}/queued`, { timeoutMs: 5_000 }));
    await waitFor("the server has the first request", () => s.received.length === 1);
    const reason = new Error("cancel the first");
    controller.abort(reason);
    expect(await hung).toBe(reason);
    expect((await queued).text).toBe("ok");
  });
});

describe("HttpClient: close()", () => {
  it("closes every idle keep-alive connection", async () => {
    const s = await http((_req, res) => setTimeout(() => res.end("ok"), 2));
    const c = client(4);
    await Promise.all(Array.from({ length: 4 }, () => c.send(get(`${s.origin}/`))));
    expect(s.seen.open.size).toBe(4); // Idle, kept alive.
    await c.close();
    await waitFor("the server saw every connection close", () => s.seen.open.size === 0);
  });
});

describe("HttpClient: close() with a request in flight", () => {
  it("opens no new connection and sends the request nowhere again", async () => {
    let slow: NodeJS.Timeout | undefined;
    cleanups.push(() => clearTimeout(slow));
    const s = await http((req, res) => {
      if (req.url === "/slow") slow = setTimeout(() => res.end("late"), 300);
      else res.end("ok");
    });
    const c = client(1);
    expect((await c.send(get(`${s.origin}/first`))).text).toBe("ok");
    // On the reused connection, so its close before any byte looks like a stale keep-alive one.
    const inFlight = c.send(get(`${s.origin}/slow`));
    await waitFor("the server has the request", () => s.received.length === 2);
    const failed = attemptError(inFlight);
    await c.close();
    const err = await failed;
    expect(err.kind).toBe("retryable");
    await waitFor("the server saw the connection close", () => s.seen.open.size === 0);
    expect(s.received.map((r) => r.url)).toEqual(["/first", "/slow"]);
    expect(s.seen.connections).toBe(1);
  });

  it("settles a request still waiting for a connection, not at its own timeout", async () => {
    const s = await http(() => {});
    const c = client(1);
    const first = c.send(get(`${s.origin}/hang`)).catch(() => undefined);
    const queued = c.send(get(`${s.origin}/queued`, { timeoutMs: 5_000 }));
    await waitFor("the server has the first request", () => s.received.length === 1);
    const failed = attemptError(queued);
    await c.close();
    const err = await failed;
    expect(err.message).not.toMatch(/timeout/);
    await first;
    expect(s.received.map((r) => r.url)).toEqual(["/hang"]);
  });
});

// --- HTTPS ---

const openssl = spawnSync("openssl", ["version"]).status === 0;
if (!openssl) console.warn("http-client.test.ts: no openssl binary, so the HTTPS test is SKIPPED");

/** A self-signed certificate for 127.0.0.1, made with openssl in a temp dir. */
function selfSigned(): { key: string; cert: string } {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  const made = spawnSync("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
    ...["-addext", "subjectAltName=IP:127.0.0.1"],
  ]);
  expect(made.status, made.stderr.toString()).toBe(0);
  return { key, cert };
}

describe("HttpClient: HTTPS", () => {
  it.skipIf(!openssl)(
    "speaks HTTPS to a server it trusts: large chunked answers, one kept-alive connection",
    async () => {
      const { key, cert } = selfSigned();
      const body = "é".repeat(150_000); // 300 kB: many TLS records and reads
      let connections = 0;
      const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
        for (let i = 0; i < body.length; i += 40_000) res.write(body.slice(i, i + 40_000));
        res.end();
      });
      server.on("secureConnection", () => connections++);
      const s = await start(server);
      const c = new HttpClient(1, { ca: readFileSync(cert) });
      cleanups.push(() => c.close());
      for (let i = 0; i < 3; i++) {
        const res = await c.send(get(`https://127.0.0.1:${s.port}/`));
        expect(res.status).toBe(200);
        expect(res.text).toBe(body);
      }
      expect(connections).toBe(1);
    },
  );

  it.skipIf(!openssl)("refuses a self-signed certificate as a fatal TLS failure", async () => {
    const { key, cert } = selfSigned();
    let requests = 0;
    const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      requests++;
      res.end("secret");
    });
    const s = await start(server);
    const url = `https://127.0.0.1:${s.port}/`;

    // The server works for a client that trusts its certificate...
    const trusted = await new Promise<string>((resolve, reject) => {
      httpsGet(url, { ca: readFileSync(cert), agent: false }, (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    expect(trusted).toBe("secret");
    // ...and ours, which trusts only the system's CAs, refuses it: no silent insecure mode.
    const err = await attemptError(client(1).send(get(url)));
    expect(err.kind).toBe("fatal");
    expect(err.message).toMatch(/TLS failure/);
    expect(requests).toBe(1);
  });
});

describe("HttpClient: HTTP/2", () => {
  it.skipIf(!openssl)(
    "speaks HTTP/2 to an HTTPS server that offers only it, within the connection cap",
    async () => {
      const { key, cert } = selfSigned();
      const seen: { version: string; body: string }[] = [];
      let sessions = 0;
      const server = createHttp2Server({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", () => {
          seen.push({ version: req.httpVersion, body });
          res.end(`h2 ${body}`);
        });
      });
      server.on("session", () => sessions++);
      const s = await start(server as unknown as Server);
      const c = new HttpClient(4, { ca: readFileSync(cert) });
      cleanups.push(() => c.close());
      const texts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          c.send(post(`https://127.0.0.1:${s.port}/h2`, `${i}`)).then((r) => r.text),
        ),
      );
      expect(texts).toEqual(Array.from({ length: 8 }, (_, i) => `h2 ${i}`));
      expect(seen.map((r) => r.version)).toEqual(Array(8).fill("2.0"));
      // The pool opens its connections as the requests arrive (before ALPN has said h2).
      expect(sessions).toBeLessThanOrEqual(4);
    },
  );
});
