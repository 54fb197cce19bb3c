/**
 * One HTTP attempt over a keep-alive connection pool, with a per-attempt timeout.
 * Transport failures come back as classified `AttemptError`s: a connection that cannot
 * be made before the endpoint has ever answered is fatal (the URL is wrong or the server
 * is down — retrying every case would only delay the bad news), while the same failure
 * mid-run, a reset, a timeout or a cut-off body is retryable.
 *
 * The wire format is http1.ts (why we speak it ourselves is said there). Connections:
 * at most `connections` per origin, one request at a time each (no pipelining), reused
 * while the server keeps them alive and dropped after KEEP_ALIVE_MS idle — before a
 * typical server's own idle timeout, so a request rarely meets a connection the server
 * is closing; when one does (closed before any byte of the answer), the request is sent
 * once more on a fresh connection, since the server never read it.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { answerTooLarge, MAX_ANSWER_BYTES } from "./answer-limit.js";
import { AttemptError } from "./failure.js";
import { frameRequest, HttpProtocolError, ResponseParser, requestHead } from "./http1.js";

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Untrusted servers must not exhaust our memory with one answer: the limit every target shares. */
export const MAX_RESPONSE_BYTES = MAX_ANSWER_BYTES;
/** Idle connections are closed after this (Node's and uvicorn's servers close theirs after 5 s). */
const KEEP_ALIVE_MS = 4_000;
/** As undici's default: long enough for a TLS handshake across the world. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Where every connection's reads land (one thread, one read at a time): see Connection. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

const CANNOT_CONNECT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "SG_CONNECT_TIMEOUT",
]);
const TLS = /^(CERT_|ERR_TLS_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_|ERR_SSL_)/;

/** A failure of one attempt, before it is classified. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Pending {
  url: URL;
  /** The whole request, written as UTF-8. */
  wire: string;
  noBody: boolean;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (r: HttpResponse) => void;
  reject: (e: unknown) => void;
  /** When it times out (Date.now() time). */
  deadline: number;
  conn?: Connection;
  /** Sent again after a stale keep-alive connection dropped it unread. */
  resent?: boolean;
  done?: boolean;
}

/** One socket to the origin, carrying one request at a time. */
class Connection {
  readonly socket: Socket;
  busy: Pending | undefined;
  private parser: ResponseParser | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly connectTimer: NodeJS.Timeout;
  /** Requests this connection has completed: a failure on a reused one may be a stale close. */
  served = 0;

  constructor(
    readonly pool: Pool,
    url: URL,
  ) {
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Reads land in one shared buffer and come straight to the parser, past the stream
    // machinery (a 'data' event and nextTicks per read); each read is copied out at once,
    // since the buffer is reused by the next.
    const onread = {
      buffer: READ_BUFFER,
      callback: (n: number, buf: Uint8Array) => {
        this.onData(Buffer.from(buf.subarray(0, n)));
        return true;
      },
    };
    this.socket =
      url.protocol === "https:"
        ? tlsConnect({
            host,
            port,
            servername: /^[\d.]+$|:/.test(host) ? undefined : host,
            ALPNProtocols: ["http/1.1"],
            ...pool.tls,
            // Documented for tls.connect too, missing from @types/node's ConnectionOptions.
            ...({ onread } as object),
          })
        : netConnect({ host, port, onread });
    this.socket.setNoDelay(true);
    // A host that never answers the handshake (a firewall dropping packets) is a wrong URL.
    this.connectTimer = setTimeout(
      () =>
        this.fail(
          new TransportError(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`, "SG_CONNECT_TIMEOUT"),
        ),
      CONNECT_TIMEOUT_MS,
    );
    this.socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () =>
      clearTimeout(this.connectTimer),
    );
    this.socket.on("error", (err: NodeJS.ErrnoException) => {
      this.fail(new TransportError(err.message, err.code ?? "ECONNRESET"));
    });
    this.socket.on("close", () => this.onClose());
  }

  send(p: Pending): void {
    this.clearIdle();
    this.busy = p;
    p.conn = this;
    this.parser = new ResponseParser(MAX_RESPONSE_BYTES, p.noBody);
    this.socket.write(p.wire);
  }

  private onData(chunk: Buffer): void {
    const p = this.busy;
    const parser = this.parser;
    if (!p || !parser) {
      // Bytes nobody asked for: the connection cannot be trusted for the next request.
      this.socket.destroy();
      return;
    }
    let res: ReturnType<ResponseParser["feed"]>;
    try {
      res = parser.feed(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (!res) return;
    this.busy = undefined;
    this.parser = undefined;
    this.served++;
    if (res.keepAlive) {
      this.idleTimer = setTimeout(() => this.socket.destroy(), KEEP_ALIVE_MS);
      this.idleTimer.unref();
    } else this.socket.destroy();
    this.pool.complete(this, p, res);
  }

  private onClose(): void {
    this.clearIdle();
    clearTimeout(this.connectTimer);
    const p = this.busy;
    const parser = this.parser;
    if (p && parser) {
      try {
        // Only a body delimited by the close completes here; anything else was cut off.
        const res = parser.end();
        this.busy = undefined;
        this.pool.complete(this, p, res);
        return;
      } catch (err) {
        this.fail(err);
        return;
      }
    }
    this.pool.remove(this);
    // A connection given up under its request (timeout, abort) frees a place for the queue.
    this.pool.drain();
  }

  /** The request on this connection (if any) fails; the connection is dropped. */
  fail(err: unknown): void {
    const p = this.busy;
    const stale = this.served > 0 && this.parser?.started === false;
    this.busy = undefined;
    this.parser = undefined;
    this.socket.destroy();
    this.pool.remove(this);
    if (p) this.pool.failed(p, err, stale);
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** The connections to one origin and the requests waiting for one. */
class Pool {
  private readonly all = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly queue: Pending[] = [];
  /** After close(), nothing is sent and no connection is opened. */
  private closed = false;

  constructor(
    private readonly client: HttpClient,
    private readonly max: number,
    /** Extra TLS options (a CA to trust besides the system's, for tests and private CAs). */
    readonly tls: { ca?: string | Buffer },
  ) {}

  enqueue(p: Pending): void {
    this.queue.push(p);
    this.drain();
  }

  drain(): void {
    while (this.queue.length > 0 && !this.closed) {
      let conn = this.idle.pop();
      if (!conn) {
        if (this.all.size >= this.max) return;
        conn = new Connection(this, (this.queue[0] as Pending).url);
        this.all.add(conn);
      }
      conn.send(this.queue.shift() as Pending);
    }
  }

  complete(conn: Connection, p: Pending, res: ReturnType<ResponseParser["end"]>): void {
    if (!conn.socket.destroyed) this.idle.push(conn);
    else this.remove(conn);
    this.client.settle(p, res);
    this.drain();
  }

  failed(p: Pending, err: unknown, stale: boolean): void {
    if (stale && !p.resent && !p.done && !this.closed) {
      p.resent = true;
      this.enqueue(p);
      return;
    }
    this.client.reject(p, err);
    this.drain();
  }

  remove(conn: Connection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Cancels a request still waiting for a connection, or drops the connection carrying it. */
  cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    if (p.conn?.busy === p) {
      p.conn.busy = undefined;
      p.conn.socket.destroy();
    }
  }

  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0))
      this.client.reject(p, new TransportError("client closed", "SG_CLOSED"));
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}

interface Route {
  url: URL;
  head: string;
  pool: Pool;
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();
  /** Set once the endpoint has answered anything: from then on, connection failures are transient. */
  private reached = false;
  /**
   * Requests in flight, by the signal that may cancel them: one abort listener per signal,
   * not per request (weakly held, so a signal per request leaks nothing).
   */
  private readonly inFlight = new WeakMap<AbortSignal, Set<Pending>>();
  /** Requests not yet settled, for the timeout sweep. */
  private readonly watched = new Set<Pending>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweepEvery = Number.POSITIVE_INFINITY;

  constructor(
    private readonly connections: number,
    /** Besides the system's CAs (and NODE_EXTRA_CA_CERTS), a CA to trust. */
    private readonly tls: { ca?: string | Buffer } = {},
  ) {}

  /**
   * The last request's parsed URL, head and pool: a target sends every request to one URL
   * with one set of headers, so these are made once, not per request.
   */
  private last: { url: string; method: string; headers: Record<string, string>; route: Route } | undefined;

  private routeFor(req: HttpRequest): Route {
    const last = this.last;
    if (last && last.url === req.url && last.method === req.method && last.headers === req.headers) {
      return last.route;
    }
    const url = new URL(req.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`unsupported protocol ${url.protocol} (use http: or https:)`);
    }
    const route = { url, head: requestHead(req.method, url, req.headers), pool: this.poolFor(url) };
    this.last = { url: req.url, method: req.method, headers: req.headers, route };
    return route;
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    const { signal } = req;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let route: Route;
    try {
      route = this.routeFor(req);
    } catch (err) {
      return Promise.reject(new AttemptError((err as Error).message, "fatal", { culprit: "endpoint" }));
    }
    const { url, pool } = route;
    return new Promise<HttpResponse>((resolve, reject) => {
      const p: Pending = {
        url,
        wire: frameRequest(route.head, req.body),
        noBody: req.method === "HEAD",
        timeoutMs: req.timeoutMs,
        deadline: Date.now() + req.timeoutMs,
        signal,
        resolve,
        reject,
      };
      this.watch(p);
      if (signal) this.track(signal, p);
      pool.enqueue(p);
    });
  }

  private poolFor(url: URL): Pool {
    let pool = this.pools.get(url.origin);
    if (!pool) {
      pool = new Pool(this, this.connections, this.tls);
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  /** A response arrived: decode it and hand it over. */
  settle(p: Pending, res: ReturnType<ResponseParser["end"]>): void {
    this.reached = true;
    if (p.done) return;
    let text: string;
    try {
      text = decode(res.body, res.headers["content-encoding"]).toString("utf8");
    } catch (err) {
      this.reject(p, err);
      return;
    }
    this.finish(p);
    p.resolve({ status: res.status, headers: res.headers, text });
  }

  reject(p: Pending, err: unknown): void {
    if (p.done) return;
    this.finish(p);
    p.reject(err instanceof AttemptError ? err : this.classify(err, p.timeoutMs));
  }

  /**
   * Timeouts by one sweep over the requests in flight, every tenth of the shortest timeout
   * (at most a second), rather than a timer per request: a timer object per request and
   * its bookkeeping were a measurable share of the client's CPU; a timeout may fire up to
   * a tenth late.
   */
  private watch(p: Pending): void {
    this.watched.add(p);
    const every = Math.min(1000, Math.max(5, Math.floor(p.timeoutMs / 10)));
    if (this.sweeper && every >= this.sweepEvery) return;
    clearInterval(this.sweeper);
    this.sweepEvery = every;
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const p of this.watched) {
      if (now < p.deadline) continue;
      this.poolFor(p.url).cancel(p);
      this.reject(p, new TransportError("timeout", "SG_TIMEOUT"));
    }
    if (this.watched.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private finish(p: Pending): void {
    p.done = true;
    this.watched.delete(p);
    if (p.signal) this.inFlight.get(p.signal)?.delete(p);
  }

  private track(signal: AbortSignal, p: Pending): void {
    let set = this.inFlight.get(signal);
    if (!set) {
      const requests = new Set<Pending>();
      set = requests;
      this.inFlight.set(signal, requests);
      signal.addEventListener(
        "abort",
        () => {
          for (const q of requests) {
            this.poolFor(q.url).cancel(q);
            if (!q.done) {
              this.finish(q);
              q.reject(signal.reason);
            }
          }
          requests.clear();
        },
        { once: true },
      );
    }
    set.add(p);
  }

  private classify(err: unknown, timeoutMs: number): AttemptError {
    const e = err as { code?: string; message?: string; tooLarge?: boolean };
    const code = e.code ?? "";
    if (code === "SG_TIMEOUT") {
      return new AttemptError(`no complete response within ${timeoutMs / 1000} s (timeout)`, "retryable");
    }
    if (e.tooLarge) {
      return answerTooLarge("response");
    }
    if (err instanceof HttpProtocolError) {
      return new AttemptError(`malformed HTTP response (${e.message})`, "retryable");
    }
    const what = `${code ? `${code}: ` : ""}${e.message ?? String(err)}`;
    if (TLS.test(code)) {
      return new AttemptError(`TLS failure (${what}); check the URL and the server certificate`, "fatal", {
        culprit: "endpoint",
      });
    }
    if (CANNOT_CONNECT.has(code) && !this.reached) {
      return new AttemptError(`cannot connect (${what}); is the server running at this URL?`, "fatal", {
        culprit: "endpoint",
      });
    }
    return new AttemptError(`network error (${what})`, "retryable");
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}

/** We ask for no compression, but a server may compress anyway. */
function decode(body: Buffer, encoding: string | string[] | undefined): Buffer {
  const coding = String(encoding ?? "identity")
    .trim()
    .toLowerCase();
  const opts = { maxOutputLength: MAX_RESPONSE_BYTES };
  try {
    if (coding === "identity" || coding === "") return body;
    if (coding === "gzip" || coding === "x-gzip") return gunzipSync(body, opts);
    if (coding === "deflate") return inflateSync(body, opts);
    if (coding === "br") return brotliDecompressSync(body, opts);
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === "ERR_BUFFER_TOO_LARGE")
      throw Object.assign(new HttpProtocolError("response too large"), { tooLarge: true });
    throw new HttpProtocolError(`cannot decode ${coding} body: ${e.message}`);
  }
  throw new HttpProtocolError(`unsupported content-encoding ${JSON.stringify(coding)}`);
}
