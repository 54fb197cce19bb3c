/**
 * One HTTP attempt over a keep-alive connection pool (undici), with a per-attempt
 * timeout. Transport failures come back as classified `AttemptError`s: a connection
 * that cannot be made before the endpoint has ever answered is fatal (the URL is wrong
 * or the server is down — retrying every case would only delay the bad news), while the
 * same failure mid-run, a reset, a timeout or a cut-off body is retryable.
 */
import { Agent } from "undici";
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

/** Untrusted servers must not exhaust our memory with one answer. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const CANNOT_CONNECT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS = /^(CERT_|ERR_TLS_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_)/;

export class HttpClient {
  private readonly agent: Agent;
  /** Set once the endpoint has answered anything: from then on, connection failures are transient. */
  private reached = false;

  constructor(connections: number) {
    this.agent = new Agent({
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    try {
      const url = new URL(req.url);
      // A non-streamed completion sends its headers only when the answer is ready, so the
      // headers timeout bounds the whole wait; the body timeout bounds a stalled body.
      // (undici's own timers: cheaper per request than a controller and a timer of ours.)
      const res = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method as "POST",
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      this.reached = true;
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      throw this.classify(err, req.timeoutMs);
    }
  }

  private classify(err: unknown, timeoutMs: number): AttemptError {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? "";
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return new AttemptError(`no complete response within ${timeoutMs / 1000} s (timeout)`, "retryable");
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
    if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") {
      return new AttemptError(`response larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`, "final");
    }
    return new AttemptError(`network error (${what})`, "retryable");
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
