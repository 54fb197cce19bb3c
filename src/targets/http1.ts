/**
 * HTTP/1.1 on the wire (RFC 9112), for exactly what the live targets need: one request
 * with a complete body, one response read incrementally from a socket. No streaming, no
 * upgrades, no pipelining. The response parser is a pure state machine over byte chunks,
 * so it is tested with every split of a response into chunks (tests/http1.test.ts).
 *
 * Why not undici: at hundreds of requests a second its per-request work (request and
 * header objects, the wasm parser's callbacks, stream and timer machinery) measured about
 * 0.2 ms of CPU per request on this machine, two thirds of the runner's whole budget of
 * 0.3 ms per case (issue 3); reading a complete JSON answer needs far less.
 */

export class HttpProtocolError extends Error {
  readonly code = "SG_HTTP_PROTOCOL";
}

/** Limits against a hostile or broken server. */
export const MAX_HEAD_BYTES = 64 * 1024;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * Field values: visible ASCII, spaces and tabs. No CR, LF or NUL (request smuggling), and
 * no other bytes, so that a whole request is one string written as UTF-8 (the body's encoding).
 */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** Set by us from the request itself; a caller's value would contradict the framing. */
const OURS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

/**
 * The head of a request up to its framing: request line, host, the caller's headers.
 * Callers that send many requests with the same headers make it once (see `frameRequest`).
 */
export function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  if (!TOKEN.test(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(method)}`);
  const host = Object.keys(headers).find((h) => h.toLowerCase() === "host");
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${host ? headers[host] : url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name] as string;
    if (!TOKEN.test(name)) throw new TypeError(`invalid HTTP header name ${JSON.stringify(name)}`);
    if (!FIELD_VALUE.test(value)) {
      throw new TypeError(
        `HTTP header "${name}" has a character that cannot be sent (a line break, or a non-ASCII character)`,
      );
    }
    if (!OURS.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  return `${head}connection: keep-alive\r\n`;
}

/** A whole request, as a string to write as UTF-8: the head is ASCII, the body is UTF-8. */
export function frameRequest(head: string, body: string | undefined): string {
  return body === undefined
    ? `${head}\r\n`
    : `${head}content-length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`;
}

/** Space or horizontal tab: the optional whitespace around a field value. */
const isOws = (c: number) => c === 32 || c === 9;

export interface ParsedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The connection may carry another request. */
  keepAlive: boolean;
}

type State = "head" | "length" | "size" | "data" | "data-end" | "trailers" | "close" | "done";

/**
 * Reads one response. `feed` each chunk as it arrives; it returns the response once
 * complete (bytes after it are `leftover`: a server that sends them is not reused).
 * `end` says the connection closed: it completes a body delimited by the close, and
 * otherwise throws, since the response was cut off.
 */
export class ResponseParser {
  private state: State = "head";
  private buf: Buffer = Buffer.alloc(0);
  private status = 0;
  private headers: Record<string, string | string[]> = {};
  private keepAlive = true;
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  leftover: Buffer = Buffer.alloc(0);
  /** Any byte of a response has arrived (so a closed connection is a cut-off answer, not a stale one). */
  started = false;

  constructor(
    private readonly maxBodyBytes: number,
    /** HEAD requests have no body whatever the headers say. */
    private readonly noBody = false,
  ) {}

  feed(chunk: Buffer): ParsedResponse | undefined {
    if (chunk.length > 0) this.started = true;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      switch (this.state) {
        case "head": {
          const end = this.buf.indexOf("\r\n\r\n", 0, "latin1");
          if (end < 0) {
            // Up to 3 bytes of the blank line may be here already; they are not head.
            if (this.buf.length > MAX_HEAD_BYTES + 3)
              throw new HttpProtocolError("response headers too large");
            return undefined;
          }
          if (end > MAX_HEAD_BYTES) throw new HttpProtocolError("response headers too large");
          const head = this.buf.toString("latin1", 0, end);
          this.buf = this.buf.subarray(end + 4);
          this.startBody(head);
          break;
        }
        case "length":
          if (!this.takeRemaining()) return undefined;
          this.state = "done";
          break;
        case "size": {
          const line = this.takeLine(1024, "chunk size line too long");
          if (line === undefined) return undefined;
          const hex = (line.split(";")[0] as string).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
            throw new HttpProtocolError(`bad chunk size ${JSON.stringify(line.slice(0, 20))}`);
          }
          this.remaining = Number.parseInt(hex, 16);
          this.state = this.remaining === 0 ? "trailers" : "data";
          break;
        }
        case "data":
          if (!this.takeRemaining()) return undefined;
          this.state = "data-end";
          break;
        case "data-end": {
          if (this.buf.length < 2) return undefined;
          if (this.buf[0] !== 13 || this.buf[1] !== 10)
            throw new HttpProtocolError("chunk not followed by CRLF");
          this.buf = this.buf.subarray(2);
          this.state = "size";
          break;
        }
        case "trailers": {
          // Trailer fields are read past, not kept: nothing we use is sent that way.
          const line = this.takeLine(MAX_HEAD_BYTES - 1, "trailers too large");
          if (line === undefined) return undefined;
          if (line === "") this.state = "done";
          break;
        }
        case "close":
          if (this.buf.length > 0) this.push(this.buf);
          this.buf = Buffer.alloc(0);
          return undefined;
        case "done":
          this.leftover = this.buf;
          this.buf = Buffer.alloc(0);
          return this.result();
      }
    }
  }

  /** The connection closed. */
  end(): ParsedResponse {
    if (this.state === "close") {
      this.state = "done";
      return this.result();
    }
    throw new HttpProtocolError(
      this.state === "head" && !this.started
        ? "connection closed before any response"
        : "connection closed before the response was complete",
    );
  }

  /**
   * The next line (without its CRLF), taken from the buffer; undefined until it has all
   * arrived. A line longer than `max` is refused even before its end arrives (one byte of
   * its CRLF may already be here).
   */
  private takeLine(max: number, tooLong: string): string | undefined {
    const eol = this.buf.indexOf("\r\n", 0, "latin1");
    if (eol < 0) {
      if (this.buf.length > max + 1) throw new HttpProtocolError(tooLong);
      return undefined;
    }
    const line = this.buf.toString("latin1", 0, eol);
    this.buf = this.buf.subarray(eol + 2);
    return line;
  }

  /** Moves up to `remaining` body bytes from the buffer to the body; true once none remain. */
  private takeRemaining(): boolean {
    const take = Math.min(this.remaining, this.buf.length);
    if (take > 0) this.push(this.buf.subarray(0, take));
    this.buf = this.buf.subarray(take);
    this.remaining -= take;
    return this.remaining === 0;
  }

  private push(part: Buffer): void {
    this.size += part.length;
    if (this.size > this.maxBodyBytes) {
      throw Object.assign(new HttpProtocolError("response too large"), { tooLarge: true });
    }
    this.chunks.push(part);
  }

  private startBody(head: string): void {
    const lines = head.split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] as string);
    if (!m)
      throw new HttpProtocolError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]?.slice(0, 40))}`);
    const status = Number(m[2]);
    const headers: Record<string, string | string[]> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(":");
      const rawName = line.slice(0, colon);
      if (colon <= 0 || !TOKEN.test(rawName)) {
        throw new HttpProtocolError(`malformed header line ${JSON.stringify(line.slice(0, 40))}`);
      }
      const name = rawName.toLowerCase();
      // Only spaces and tabs surround a value (RFC 9110 §5.5); trim() would also take 0xA0.
      let from = colon + 1;
      let to = line.length;
      while (from < to && isOws(line.charCodeAt(from))) from++;
      while (to > from && isOws(line.charCodeAt(to - 1))) to--;
      const value = line.slice(from, to);
      const prev = headers[name];
      if (prev === undefined) headers[name] = name === "set-cookie" ? [value] : value;
      else if (Array.isArray(prev)) prev.push(value);
      else headers[name] = `${prev}, ${value}`;
    }
    // 1xx (100 Continue, 103 Early Hints) come before the real response: skip them.
    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpProtocolError("unexpected protocol switch (101)");
      return;
    }
    this.status = status;
    this.headers = headers;
    const connection = String(headers.connection ?? "").toLowerCase();
    this.keepAlive = m[1] === "1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const te = headers["transfer-encoding"];
    const length = headers["content-length"];
    if (this.noBody || status === 204 || status === 304) {
      this.state = "done";
    } else if (te !== undefined) {
      // With a content-length as well, the message was framed two ways: read it as chunked
      // (RFC 9112 §6.3), but never trust the connection with another request.
      if (length !== undefined) this.keepAlive = false;
      if (!/(?:^|,)\s*chunked\s*$/i.test(String(te))) {
        // Any other final coding is delimited by the close (RFC 9112 §6.3).
        this.keepAlive = false;
        this.state = "close";
      } else this.state = "size";
    } else if (length !== undefined) {
      // Repeated identical values ("12, 12") are allowed; differing ones are an attack or a bug.
      const values = new Set(
        String(length)
          .split(",")
          .map((v) => v.trim()),
      );
      const [only] = values;
      if (values.size !== 1 || !only || !/^\d{1,15}$/.test(only)) {
        throw new HttpProtocolError(`bad content-length ${JSON.stringify(String(length).slice(0, 30))}`);
      }
      this.remaining = Number(only);
      if (this.remaining > this.maxBodyBytes) {
        throw Object.assign(new HttpProtocolError("response too large"), { tooLarge: true });
      }
      this.state = "length";
    } else {
      this.keepAlive = false;
      this.state = "close";
    }
  }

  private result(): ParsedResponse {
    const body =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    return {
      status: this.status,
      headers: this.headers,
      body,
      keepAlive: this.keepAlive && this.leftover.length === 0,
    };
  }
}
