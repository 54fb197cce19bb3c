/**
 * Proxies (issue 17): live targets reach their endpoint through HTTPS_PROXY / HTTP_PROXY,
 * or a target's own `proxy:`, and NO_PROXY bypasses the environment's. The proxy is a
 * tiny one on 127.0.0.1 written here: a forward proxy for http:// URLs and a CONNECT
 * tunnel for https:// ones. It logs what it is asked and the local ports of its own
 * connections to the endpoint, so a test can tell every request that came through it
 * from one that went around it.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect as netConnect, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { AttemptError } from "../src/targets/failure.js";
import { HttpClient } from "../src/targets/http-client.js";
import { deadUrl, type FakeOpenAI, startFakeOpenAI } from "./helpers/fake-openai.js";
import { quickstartAnswers, quickstartSuite, writeLiveConfig } from "./helpers/live.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
const savedEnv = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
  for (const k of PROXY_VARS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

/** Sets the proxy variables for clients made after it (undici reads them when a client is made). */
function proxyEnv(vars: Partial<Record<"HTTP_PROXY" | "HTTPS_PROXY" | "NO_PROXY", string>>): void {
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
}

async function listen(server: Server): Promise<number> {
  const open = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const s of open) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

interface Proxy {
  url: string;
  /** `POST http://host:port/path` for a forwarded request, `CONNECT host:port` for a tunnel. */
  log: string[];
  /** Local ports of the proxy's own connections to the endpoint. */
  upstreamPorts: Set<number>;
}

/** `refuse`: answer every request and CONNECT with this status instead (e.g. 407). */
async function startProxy(refuse?: number): Promise<Proxy> {
  const log: string[] = [];
  const upstreamPorts = new Set<number>();
  const upstream = new Set<Socket>();
  const server = createHttpServer((req: IncomingMessage, res) => {
    // A forward request: the request target is the absolute URL.
    log.push(`${req.method} ${req.url}`);
    if (refuse) {
      res.writeHead(refuse, { "proxy-authenticate": 'Basic realm="proxy"' }).end();
      return;
    }
    const target = new URL(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("socket", (s: Socket) => {
      upstream.add(s);
      s.once("connect", () => upstreamPorts.add(s.localPort as number));
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}`);
    if (refuse) {
      client.end(`HTTP/1.1 ${refuse} Refused\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? "").split(":");
    const up = netConnect(Number(port), host, () => {
      upstreamPorts.add(up.localPort as number);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    upstream.add(up);
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
    client.on("close", () => up.destroy());
  });
  const port = await listen(server);
  cleanups.push(() => {
    for (const s of upstream) s.destroy();
  });
  return { url: `http://127.0.0.1:${port}`, log, upstreamPorts };
}

/** A JSON endpoint that records the client port of every request. */
async function endpoint(tls?: { key: Buffer; cert: Buffer }) {
  const peers: number[] = [];
  const handle = (req: IncomingMessage, res: import("node:http").ServerResponse) => {
    req.resume();
    req.on("end", () => {
      peers.push(req.socket.remotePort as number);
      res.end(JSON.stringify({ path: req.url }));
    });
  };
  const server = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  const port = await listen(server);
  return { origin: `${tls ? "https" : "http"}://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, peers };
}

function client(connections: number, options?: ConstructorParameters<typeof HttpClient>[1]): HttpClient {
  const c = new HttpClient(connections, options);
  cleanups.push(() => c.close());
  return c;
}

const post = (url: string) => ({ url, method: "POST", headers: {}, body: "{}", timeoutMs: 10_000 });

const openssl = spawnSync("openssl", ["version"]).status === 0;
if (!openssl) console.warn("proxy.test.ts: no openssl binary, so the HTTPS tests are SKIPPED");

/** A self-signed certificate for 127.0.0.1 (as tests/http-client.test.ts makes it). */
function selfSigned(): { key: Buffer; cert: Buffer; certFile: string } {
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
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

describe("proxies from the environment", () => {
  it("HTTP_PROXY carries every http:// request as a forward request, loopback included; NO_PROXY bypasses it", async () => {
    const proxy = await startProxy();
    const api = await endpoint();
    proxyEnv({ HTTP_PROXY: proxy.url });
    const proxied = client(2);
    for (let i = 0; i < 3; i++)
      expect((await proxied.send(post(`${api.origin}/p${i}`))).text).toContain(`/p${i}`);
    expect(proxy.log).toEqual([0, 1, 2].map((i) => `POST ${api.origin}/p${i}`));
    expect(api.peers.every((p) => proxy.upstreamPorts.has(p))).toBe(true);

    proxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    const direct = client(2);
    expect((await direct.send(post(`${api.origin}/direct`))).text).toContain("/direct");
    expect(proxy.log).toHaveLength(3); // Not asked again.
    expect(api.peers).toHaveLength(4);
    expect(proxy.upstreamPorts.has(api.peers[3] as number)).toBe(false);
  });

  it.skipIf(!openssl)(
    "HTTPS_PROXY tunnels every https:// request with CONNECT, TLS end to end; NO_PROXY bypasses it",
    async () => {
      const tls = selfSigned();
      const proxy = await startProxy();
      const api = await endpoint(tls);
      proxyEnv({ HTTPS_PROXY: proxy.url });
      const proxied = client(1, { ca: tls.cert });
      for (let i = 0; i < 3; i++)
        expect((await proxied.send(post(`${api.origin}/s${i}`))).text).toContain(`/s${i}`);
      // One kept-alive tunnel carries the three; the endpoint saw only the proxy's connection.
      expect(proxy.log).toEqual([`CONNECT ${api.host}`]);
      expect(api.peers).toHaveLength(3);
      expect(api.peers.every((p) => proxy.upstreamPorts.has(p))).toBe(true);

      proxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
      expect((await client(1, { ca: tls.cert }).send(post(`${api.origin}/direct`))).text).toContain(
        "/direct",
      );
      expect(proxy.log).toHaveLength(1);
      expect(proxy.upstreamPorts.has(api.peers[3] as number)).toBe(false);
    },
  );

  it("an unreachable proxy is fatal before the first answer, named with its credentials masked", async () => {
    const api = await endpoint();
    const dead = new URL(await deadUrl());
    proxyEnv({ HTTP_PROXY: `http://user:hunter2@${dead.host}` });
    const err = await client(1)
      .send(post(`${api.origin}/x`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttemptError);
    expect((err as AttemptError).kind).toBe("fatal");
    expect((err as AttemptError).message).toMatch(/cannot connect \(ECONNREFUSED/);
    expect((err as AttemptError).message).toContain(
      `through the proxy http://***:***@${dead.host}/ from HTTP_PROXY`,
    );
    expect((err as AttemptError).message).not.toContain("hunter2");
    expect(api.peers).toHaveLength(0);
  });
});

describe("a proxy that refuses us", () => {
  it("refusing a tunnel (403) is fatal before the endpoint is reached", async () => {
    const proxy = await startProxy(403);
    proxyEnv({ HTTPS_PROXY: proxy.url });
    const err = await client(1)
      .send(post("https://127.0.0.1:9/x"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttemptError);
    expect((err as AttemptError).kind).toBe("fatal");
    expect((err as AttemptError).message).toMatch(
      /^the proxy refused the tunnel \(HTTP 403\) \(requests go through/,
    );
    expect(proxy.log).toEqual(["CONNECT 127.0.0.1:9"]);
  });

  it("asking for credentials (407) is fatal, forward or CONNECT, before the endpoint is reached", async () => {
    const proxy = await startProxy(407);
    const api = await endpoint();
    proxyEnv({ HTTP_PROXY: proxy.url });
    const forward = await client(1)
      .send(post(`${api.origin}/x`))
      .catch((e: unknown) => e);
    expect(forward).toBeInstanceOf(AttemptError);
    expect((forward as AttemptError).kind).toBe("fatal");
    expect((forward as AttemptError).message).toMatch(/^the proxy asks for credentials \(HTTP 407\)/);

    // CONNECT is refused before any TLS: no certificate needed for this one.
    proxyEnv({ HTTPS_PROXY: proxy.url });
    const tunnel = await client(1)
      .send(post(`https://${api.host}/x`))
      .catch((e: unknown) => e);
    expect(tunnel).toBeInstanceOf(AttemptError);
    expect((tunnel as AttemptError).kind).toBe("fatal");
    expect((tunnel as AttemptError).message).toMatch(/^the proxy asks for credentials \(HTTP 407\)/);
    expect(proxy.log).toEqual([`POST ${api.origin}/x`, `CONNECT ${api.host}`]);
    expect(api.peers).toHaveLength(0);
  });
});

describe("a target's own proxy", () => {
  it("carries its requests even where NO_PROXY would bypass the environment's proxy", async () => {
    const proxy = await startProxy();
    const api = await endpoint();
    proxyEnv({ NO_PROXY: "*" });
    const c = client(1, { proxy: proxy.url });
    expect((await c.send(post(`${api.origin}/own`))).text).toContain("/own");
    expect(proxy.log).toEqual([`POST ${api.origin}/own`]);
    expect(proxy.upstreamPorts.has(api.peers[0] as number)).toBe(true);
  });
});

describe("a proxy: URL in the config", () => {
  it("takes a ${VAR} in it for a credential (masked and never recorded), whatever the variable's name", () => {
    const dir = tempDir();
    const config = writeLiveConfig(dir, {
      url: "http://127.0.0.1:9/v1",
      baseline: false,
      candidate: ["proxy: http://gate:${PROXY_PW}@proxy.corp:3128"],
    });
    const loaded = loadConfig(config, { ...process.env, PROXY_PW: "pw-0f9e" });
    expect(loaded.candidate.openai?.proxy).toBe("http://gate:pw-0f9e@proxy.corp:3128");
    expect(loaded.secrets).toContain("pw-0f9e");
  });
});

// --- A live run of the CLI (dist/cli.js, rebuilt by `npm run build`) through the proxy ---

async function runCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, "dist/cli.js"), ...args], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
  return { code, stderr };
}

const servers: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The environment of a CLI child: ours without any proxy variable, plus `vars`. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of PROXY_VARS) delete env[k];
  return { ...env, ...vars };
}

describe("a live run through a proxy (the CLI in its own process)", () => {
  it.skipIf(!openssl)(
    "HTTPS_PROXY: every request of the run tunnelled, the endpoint's CA from NODE_EXTRA_CA_CERTS",
    async () => {
      const tls = selfSigned();
      const proxy = await startProxy();
      const api = await startFakeOpenAI({
        answer: quickstartAnswers(),
        tls: { key: tls.key, cert: tls.cert },
      });
      servers.push(api);
      const dir = tempDir();
      const config = writeLiveConfig(dir, { url: api.url, suite: quickstartSuite });
      const r = await runCliProcess(
        ["run", "--config", config, "--out", join(dir, "out"), "--quiet"],
        childEnv({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: tls.certFile }),
      );
      expect([0, 1], r.stderr).toContain(r.code);
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.every((q) => q.outcome === "ok")).toBe(true);
      const host = new URL(api.url).host;
      expect(proxy.log.length).toBeGreaterThan(0);
      expect(proxy.log.every((line) => line === `CONNECT ${host}`)).toBe(true);
      // Every request reached the endpoint on one of the proxy's connections.
      expect(api.requests.filter((q) => !proxy.upstreamPorts.has(q.peerPort as number))).toEqual([]);
    },
  );

  it("HTTP_PROXY logs every request of the run; a target's proxy: wins over NO_PROXY; NO_PROXY alone bypasses", async () => {
    const proxy = await startProxy();
    const api = await startFakeOpenAI({ answer: quickstartAnswers() });
    servers.push(api);
    const run = async (env: Record<string, string>, candidate?: string[]) => {
      const dir = tempDir();
      const config = writeLiveConfig(dir, { url: api.url, suite: quickstartSuite, candidate });
      const r = await runCliProcess(
        ["run", "--config", config, "--out", join(dir, "out"), "--quiet"],
        childEnv(env),
      );
      expect([0, 1], r.stderr).toContain(r.code);
    };
    const chat = `POST ${api.url}/chat/completions`;

    await run({ HTTP_PROXY: proxy.url });
    const first = api.requests.length;
    expect(first).toBeGreaterThan(0);
    expect(proxy.log).toEqual(Array(first).fill(chat));

    // NO_PROXY bypasses the environment's proxy: the proxy is asked nothing more.
    await run({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    expect(api.requests.length).toBe(2 * first);
    expect(proxy.log).toHaveLength(first);

    // The candidate's own proxy: carries its requests (half the run), NO_PROXY or not.
    await run({ NO_PROXY: "*" }, [`proxy: ${proxy.url}`]);
    const third = api.requests.slice(2 * first);
    const candidate = third.filter((q) => q.model === "candidate");
    expect(candidate.length).toBeGreaterThan(0);
    expect(proxy.log).toHaveLength(first + candidate.length);
    expect(candidate.every((q) => proxy.upstreamPorts.has(q.peerPort as number))).toBe(true);
    expect(
      third.filter((q) => q.model === "baseline").some((q) => proxy.upstreamPorts.has(q.peerPort as number)),
    ).toBe(false);
  });
});
