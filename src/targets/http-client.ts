/**
 * One HTTP attempt over undici (keep-alive pooling, HTTP/2 where the server offers it by
 * ALPN, proxies), with a per-attempt timeout and a body cap. Transport failures come back
 * as classified `AttemptError`s: a connection that cannot be made before the endpoint has
 * ever answered is fatal (the URL or the proxy is wrong, or the server is down — retrying
 * every case would only delay the bad news), while the same failure mid-run, a reset, a
 * timeout or a cut-off body is retryable.
 *
 * Proxies: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (or lower case) from the environment, as
 * curl reads them, unless the target names its own `proxy:`, which then carries every
 * request. An http:// URL goes to the proxy as a forward request, an https:// one through a
 * CONNECT tunnel (TLS end to end). Extra CAs: NODE_EXTRA_CA_CERTS (read by Node itself), or
 * `ca` here.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from "undici";
import { answerTooLarge, MAX_ANSWER_BYTES } from "./answer-limit.js";
import { AttemptError } from "./failure.js";

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

export interface HttpClientOptions {
  /** A CA to trust instead of the system's (tests, a private CA). */
  ca?: string | Buffer;
  /** A proxy URL for every request, instead of the environment's. */
  proxy?: string;
}

/** Untrusted servers must not exhaust our memory with one answer: the limit every target shares. */
export const MAX_RESPONSE_BYTES = MAX_ANSWER_BYTES;
/** Idle connections are closed after this (Node's and uvicorn's servers close theirs after 5 s). */
const KEEP_ALIVE_MS = 4_000;
/** As undici's default: long enough for a TLS handshake across the world. */
const CONNECT_TIMEOUT_MS = 10_000;

const CANNOT_CONNECT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS = /^(CERT_|ERR_TLS_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_|ERR_SSL_|UND_ERR_PRX_TLS)/;
/** A connection closed under a request before any byte of its answer. */
const DROPPED = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

/** A failure of our own making (timeout, body cap, decoding), before it is classified. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class HttpClient {
  private readonly dispatcher: Dispatcher;
  /** Set once the endpoint has answered anything: from then on, connection failures are transient. */
  private reached = false;
  private closed = false;
  /** The last URL's origin and path: a target sends every request to one URL, so it is parsed once. */
  private last: { url: string; origin: string; path: string } | undefined;

  constructor(
    /** Connections kept to each origin (HTTP/1.1: the most requests in flight to it). */
    connections: number,
    private readonly options: HttpClientOptions = {},
  ) {
    const tls = options.ca === undefined ? {} : { ca: options.ca };
    const common = {
      connections,
      keepAliveTimeout: KEEP_ALIVE_MS,
      allowH2: true,
      connect: { ...tls, timeout: CONNECT_TIMEOUT_MS },
      requestTls: tls,
      proxyTls: tls,
      // http:// through a proxy as a plain forward request, as curl does; https:// tunnels.
      proxyTunnel: false,
    };
    this.dispatcher = options.proxy
      ? new ProxyAgent({ ...common, uri: options.proxy })
      : new EnvHttpProxyAgent(common);
  }

  private split(url: string): { origin: string; path: string } {
    const last = this.last;
    if (last?.url === url) return last;
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError(`unsupported protocol ${u.protocol} (use http: or https:)`);
    }
    this.last = { url, origin: u.origin, path: `${u.pathname}${u.search}` };
    return this.last;
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    let target: { origin: string; path: string };
    try {
      target = this.split(req.url);
    } catch (err) {
      return Promise.reject(new AttemptError((err as Error).message, "fatal", { culprit: "endpoint" }));
    }
    return this.attempt(req, target, false);
  }

  /**
   * One request through undici's dispatch API, the body gathered as it comes: no stream
   * and no abort signal per request (both cost more CPU than the rest of the exchange).
   */
  private attempt(req: HttpRequest, target: { origin: string; path: string }, resent: boolean) {
    return new Promise<HttpResponse>((resolve, reject) => {
      const { signal } = req;
      const exchange = new Exchange((err, res) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (res) {
          this.reached = true;
          try {
            const text = decode(res.body, res.headers["content-encoding"]).toString("utf8");
            resolve({ status: res.status, headers: res.headers, text });
          } catch (e) {
            reject(this.classify(e, req, target.origin));
          }
          return;
        }
        if (exchange.answered) this.reached = true;
        if (signal?.aborted && err === signal.reason) return reject(err);
        // A kept-alive connection the server closed just as the request went out (it never
        // read it): sent once more at once, rather than costing a retry and its backoff.
        const code = (err as { code?: string }).code ?? "";
        if (!exchange.answered && !resent && this.reached && !this.closed && DROPPED.has(code)) {
          // Once undici has finished with the closed connection: dispatched from inside its
          // error callback, the request would find the pool's state half updated.
          setImmediate(() => resolve(this.attempt(req, target, true)));
          return;
        }
        reject(this.classify(err, req, target.origin));
      });
      const timer = setTimeout(
        () => exchange.giveUp(new TransportError("timeout", "SG_TIMEOUT")),
        req.timeoutMs,
      );
      const onAbort = () => exchange.giveUp(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body,
        },
        exchange,
      );
    });
  }

  private classify(err: unknown, req: HttpRequest, origin: string): AttemptError {
    if (err instanceof AttemptError) return err;
    const e = err as { code?: string; message?: string; name?: string };
    const code = e.code ?? "";
    if (code === "SG_TIMEOUT") {
      return new AttemptError(`no complete response within ${req.timeoutMs / 1000} s (timeout)`, "retryable");
    }
    if (code === "SG_TOO_LARGE") return answerTooLarge("response");
    if (code === "SG_MALFORMED" || code.startsWith("HPE_") || e.name === "HTTPParserError") {
      return new AttemptError(`malformed HTTP response (${e.message})`, "retryable");
    }
    const what = `${code ? `${code}: ` : ""}${e.message ?? String(err)}`;
    const via = this.proxyNote(origin);
    // The proxy, not the endpoint, said no: to a forward request (undici reports a 407 as
    // an invalid argument) or to a CONNECT.
    const proxySaid = /^Proxy (?:Authentication Required \((407)\)|response \((\d+)\))/.exec(e.message ?? "");
    const proxyStatus = proxySaid?.[1] ?? proxySaid?.[2];
    if (proxyStatus === "407") {
      return new AttemptError(
        `the proxy asks for credentials (HTTP 407); put them in its URL, as http://user:\${VAR}@host:port${via}`,
        "fatal",
        { culprit: "endpoint" },
      );
    }
    if (proxyStatus && !this.reached) {
      return new AttemptError(`the proxy refused the tunnel (HTTP ${proxyStatus})${via}`, "fatal", {
        culprit: "endpoint",
      });
    }
    if (code === "UND_ERR_INVALID_ARG") {
      return new AttemptError(`invalid request (${what})`, "fatal", { culprit: "endpoint" });
    }
    if (TLS.test(code)) {
      return new AttemptError(
        `TLS failure (${what}); check the URL and the server certificate${via}`,
        "fatal",
        { culprit: "endpoint" },
      );
    }
    if (CANNOT_CONNECT.has(code) && !this.reached) {
      return new AttemptError(`cannot connect (${what}); is the server running at this URL?${via}`, "fatal", {
        culprit: "endpoint",
      });
    }
    return new AttemptError(`network error (${what})`, "retryable");
  }

  /** Which proxy a failed request may have gone through, credentials masked. */
  private proxyNote(origin: string): string {
    const https = origin.startsWith("https:");
    const env = process.env;
    const [name, value] = this.options.proxy
      ? ["the target's proxy:", this.options.proxy]
      : https
        ? ["HTTPS_PROXY", env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY]
        : ["HTTP_PROXY", env.http_proxy ?? env.HTTP_PROXY];
    if (!value) return "";
    let shown = value;
    try {
      const u = new URL(value);
      if (u.username || u.password) u.username = u.password = "***";
      shown = u.toString();
    } catch {}
    const unless = this.options.proxy ? "" : " unless NO_PROXY matches";
    return ` (requests go through the proxy ${shown} from ${name}${unless})`;
  }

  async close(): Promise<void> {
    this.closed = true;
    // destroy(), not close(): a request still in flight fails now rather than holding the run.
    await this.dispatcher.destroy();
  }
}

/** One request's answer as it arrives, refused past MAX_RESPONSE_BYTES (declared or streamed). */
class Exchange implements Dispatcher.DispatchHandler {
  /** Response headers have arrived. */
  answered = false;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly parts: Buffer[] = [];
  private size = 0;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why we gave up on the request, if we did (it may not have reached a connection yet). */
  private reason: unknown;
  private settled = false;

  constructor(
    private readonly done: (
      err: unknown,
      res?: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
    ) => void,
  ) {}

  /** Settles now; the request is cancelled (before it is sent, if it is still queued). */
  giveUp(reason: unknown): void {
    if (this.settled) return;
    this.reason = reason;
    this.controller?.abort(reason as Error);
    this.settle(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason !== undefined) controller.abort(this.reason as Error);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (status < 200) return; // 1xx: the answer is still to come.
    this.answered = true;
    this.status = status;
    this.headers = headers;
    if (Number(headers["content-length"]) > MAX_RESPONSE_BYTES) controller.abort(tooLarge());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_BYTES) controller.abort(tooLarge());
    else this.parts.push(chunk);
  }

  onResponseEnd(): void {
    const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    if (this.settled) return;
    this.settled = true;
    this.done(undefined, { status: this.status, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.settle(err);
  }

  private settle(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err);
  }
}

function tooLarge(): TransportError {
  return new TransportError("response too large", "SG_TOO_LARGE");
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
    if (e.code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
    throw new TransportError(`cannot decode ${coding} body: ${e.message}`, "SG_MALFORMED");
  }
  throw new TransportError(`unsupported content-encoding ${JSON.stringify(coding)}`, "SG_MALFORMED");
}
