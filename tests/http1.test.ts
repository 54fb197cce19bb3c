/**
 * The HTTP/1.1 response parser (src/targets/http1.ts) as a pure state machine. Its law:
 * a response reads the same however the socket cuts it into chunks — whole, at random
 * byte positions, or one byte at a time (every cut inside every CRLF) — and reads as
 * the response that was written. Malformed or oversized answers are HttpProtocolErrors,
 * also whatever the cuts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HttpProtocolError,
  MAX_HEAD_BYTES,
  type ParsedResponse,
  ResponseParser,
  requestHead,
} from "../src/targets/http1.js";

const LIMIT = 1 << 20;

/** Feeds the chunks in turn; a complete response may only come with the last one (no leftover). */
function parse(chunks: Buffer[], opts: { max?: number; noBody?: boolean } = {}): ParsedResponse {
  const parser = new ResponseParser(opts.max ?? LIMIT, opts.noBody);
  for (const [i, chunk] of chunks.entries()) {
    const res = parser.feed(chunk);
    if (res) {
      expect(i, "complete before its last byte").toBe(chunks.length - 1);
      expect(parser.leftover.length).toBe(0);
      return res;
    }
  }
  // Nothing completed on the bytes alone: only the connection's close can (a close-delimited body).
  return parser.end();
}

/** The bytes cut at the given positions (any integers; taken modulo the length, no empty chunk). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((n) => n % bytes.length).filter((n) => n > 0))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

const bytewise = (bytes: Buffer) => [...bytes].map((b) => Buffer.from([b]));

/** The error thrown while reading these chunks (and closing after them). */
function parseError(
  chunks: Buffer[],
  opts: { max?: number } = {},
): HttpProtocolError & { tooLarge?: boolean } {
  try {
    parse(chunks, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProtocolError);
    return err as HttpProtocolError;
  }
  throw new Error("no HttpProtocolError");
}

// --- A model of a valid response, its bytes, and what the parser must read from them ---

type Framing = "length" | "chunked" | "close";

interface Model {
  version: "1.0" | "1.1";
  status: number;
  reason: string | undefined;
  interim: (100 | 103)[];
  /** The caller's fields, in order; names may repeat. */
  fields: { name: string; value: string; ows: [string, string] }[];
  framing: Framing;
  /** Where among the fields the framing and connection fields go, and how their names are cased. */
  framingAt: number;
  upper: boolean;
  connection: string | undefined;
  body: Buffer;
  /** Cut points of the chunked body, size digits' case, extensions, trailers. */
  chunkCuts: number[];
  chunkExt: string[];
  trailers: [string, string][];
}

const FRAMING_NAMES = new Set(["content-length", "transfer-encoding", "connection", "link"]);
const tokenName = fc
  .stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,16}$/)
  .filter((n) => !FRAMING_NAMES.has(n.toLowerCase()));
/** A small pool of names, differently cased, so that duplicates are common. */
const fieldName = fc.oneof(
  fc.constantFrom("Set-Cookie", "set-cookie", "X-Request-Id", "x-request-id", "Vary", "Cache-Control"),
  tokenName,
);
/** Printable ASCII with no whitespace at either end (the parser strips optional whitespace). */
const fieldValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 })
  .map((s) => s.trim());
const ows = fc.constantFrom("", " ", "  ", "\t", " \t");
/** Random bytes, or text with multi-byte UTF-8 (emoji, combining marks) to cut mid-character. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc.string({ unit: "grapheme", maxLength: 80 }).map((s) => Buffer.from(s, "utf8")),
);

const model: fc.Arbitrary<Model> = fc
  .record({
    version: fc.constantFrom("1.0" as const, "1.1" as const),
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    reason: fc.constantFrom(undefined, "", "OK", "Too Many Requests", "Weird: reason; text"),
    interim: fc.array(fc.constantFrom(100 as const, 103 as const), { maxLength: 2 }),
    fields: fc.array(fc.record({ name: fieldName, value: fieldValue, ows: fc.tuple(ows, ows) }), {
      maxLength: 8,
    }),
    framing: fc.constantFrom<Framing>("length", "chunked", "close"),
    framingAt: fc.nat(),
    upper: fc.boolean(),
    connection: fc.constantFrom(undefined, "close", "Close", "keep-alive", "Keep-Alive"),
    body,
    chunkCuts: fc.array(fc.nat(), { maxLength: 8 }),
    chunkExt: fc.array(fc.constantFrom("", ";x=y", ";a=1;b", ' ; q="v"'), { minLength: 10, maxLength: 10 }),
    trailers: fc.array(fc.tuple(fc.constantFrom("X-Trailer-Sum", "x-trailer-n"), fieldValue), {
      maxLength: 2,
    }),
  })
  // Chunked framing does not exist in HTTP/1.0.
  .map((m) => (m.version === "1.0" && m.framing === "chunked" ? { ...m, framing: "length" as const } : m));

function framingFields(m: Model): [string, string][] {
  const name = (n: string) => (m.upper ? n.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()) : n);
  const out: [string, string][] = [];
  if (m.framing === "length") out.push([name("content-length"), String(m.body.length)]);
  if (m.framing === "chunked") out.push([name("transfer-encoding"), "chunked"]);
  if (m.connection !== undefined) out.push([name("connection"), m.connection]);
  return out;
}

function allFields(m: Model): [string, string][] {
  const fields = m.fields.map((f): [string, string] => [f.name, f.value]);
  fields.splice(m.framingAt % (fields.length + 1), 0, ...framingFields(m));
  return fields;
}

function serialize(m: Model): Buffer {
  const parts: Buffer[] = [];
  for (const code of m.interim) {
    // Interim responses carry their own fields, which must not leak into the final one.
    parts.push(
      Buffer.from(
        code === 100
          ? "HTTP/1.1 100 Continue\r\n\r\n"
          : "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nX-Request-Id: early\r\n\r\n",
        "latin1",
      ),
    );
  }
  let head = `HTTP/${m.version} ${m.status}${m.reason === undefined ? "" : ` ${m.reason}`}\r\n`;
  const fields = m.fields.map((f): [string, string, [string, string]] => [f.name, f.value, f.ows]);
  fields.splice(
    m.framingAt % (fields.length + 1),
    0,
    ...framingFields(m).map(([n, v]): [string, string, [string, string]] => [n, v, [" ", ""]]),
  );
  for (const [name, value, [before, after]] of fields) head += `${name}:${before}${value}${after}\r\n`;
  parts.push(Buffer.from(`${head}\r\n`, "latin1"));
  if (m.framing === "chunked") parts.push(chunked(m));
  else parts.push(m.body);
  return Buffer.concat(parts);
}

function chunked(m: Model): Buffer {
  const parts: Buffer[] = [];
  const pieces = m.body.length === 0 ? [] : cut(m.body, m.chunkCuts);
  for (const [i, piece] of pieces.entries()) {
    const size = piece.length.toString(16);
    const ext = m.chunkExt[i % m.chunkExt.length];
    parts.push(Buffer.from(`${i % 2 ? size.toUpperCase() : size}${ext}\r\n`), piece, Buffer.from("\r\n"));
  }
  const trailers = m.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join("");
  parts.push(Buffer.from(`0${m.chunkExt[0]}\r\n${trailers}\r\n`));
  return Buffer.concat(parts);
}

/** What RFC 9110 §5.3 says the fields mean: names case-insensitive, repeats joined with ", ", cookies apart. */
function expected(m: Model): ParsedResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [rawName, value] of allFields(m)) {
    const name = rawName.toLowerCase();
    const prev = headers[name];
    if (name === "set-cookie") headers[name] = [...((prev as string[] | undefined) ?? []), value];
    else headers[name] = prev === undefined ? value : `${prev}, ${value}`;
  }
  const connection = (m.connection ?? "").toLowerCase();
  const keepAlive =
    m.framing !== "close" && (m.version === "1.1" ? connection !== "close" : connection === "keep-alive");
  return { status: m.status, headers, body: m.body, keepAlive };
}

describe("ResponseParser: a response reads the same whatever its chunks", () => {
  it("whole, cut at random positions, or byte by byte: the status, fields and body written", () => {
    fc.assert(
      fc.property(model, fc.array(fc.nat(), { maxLength: 12 }), (m, at) => {
        const bytes = serialize(m);
        const whole = parse([bytes]);
        expect(whole).toEqual(expected(m));
        expect(parse(cut(bytes, at))).toEqual(whole);
        expect(parse(bytewise(bytes))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it("reads one fixed response identically for each of its two-chunk cuts", () => {
    // Every position, so each CRLF of the head, chunk lines and trailers is cut once.
    const bytes = Buffer.from(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=1\r\n" +
        "set-cookie: b=2\r\nX-A: 1\r\nx-a: 2\r\n\r\n4;x=y\r\n😀\r\n3\r\nhé\r\n0\r\nX-T: 1\r\n\r\n",
    );
    const want: ParsedResponse = {
      status: 200,
      headers: { "transfer-encoding": "chunked", "set-cookie": ["a=1", "b=2"], "x-a": "1, 2" },
      body: Buffer.from("😀hé"),
      keepAlive: true,
    };
    expect(parse([bytes])).toEqual(want);
    for (let i = 1; i < bytes.length; i++) expect(parse(cut(bytes, [i]))).toEqual(want);
  });
});

const ok = (head: string, rest = "") => Buffer.from(`${head}\r\n\r\n${rest}`, "latin1");

describe("ResponseParser: responses without a body", () => {
  it("204 and 304 have an empty body whatever content-length or transfer-encoding say", () => {
    for (const head of [
      "HTTP/1.1 204 No Content\r\ncontent-length: 5",
      "HTTP/1.1 304 Not Modified\r\ncontent-length: 5",
      "HTTP/1.1 304 Not Modified\r\ntransfer-encoding: chunked",
    ]) {
      const res = new ResponseParser(LIMIT).feed(ok(head));
      expect(res?.body.length, head).toBe(0);
      expect(res?.keepAlive, head).toBe(true);
    }
  });

  it("an answer to HEAD (noBody) is complete after its head, content-length notwithstanding", () => {
    for (const head of [
      "HTTP/1.1 200 OK\r\ncontent-length: 100",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked",
    ]) {
      const res = parse([ok(head)], { noBody: true });
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(0);
      expect(res.keepAlive).toBe(true);
    }
  });
});

describe("ResponseParser: bytes after a complete response", () => {
  it("are leftover, and the connection is not reused", () => {
    for (const [bytes, body] of [
      [ok("HTTP/1.1 200 OK\r\ncontent-length: 2", "hiEXTRA"), "hi"],
      [ok("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked", "2\r\nhi\r\n0\r\n\r\nEXTRA"), "hi"],
      // A 204 "with a body": the bytes are not its body, and the server cannot be trusted.
      [ok("HTTP/1.1 204 No Content\r\ncontent-length: 5", "EXTRA"), ""],
    ] as const) {
      const parser = new ResponseParser(LIMIT);
      const res = parser.feed(bytes);
      expect(res?.body.toString()).toBe(body);
      expect(parser.leftover.toString()).toBe("EXTRA");
      expect(res?.keepAlive).toBe(false);
    }
  });
});

describe("ResponseParser: malformed responses are HttpProtocolErrors, however cut", () => {
  const chunkedHead = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked";
  const cases: [string, Buffer, RegExp][] = [
    ["not HTTP at all", ok("hello"), /not an HTTP\/1.x status line/],
    ["HTTP/2 status line", ok("HTTP/2 200 OK"), /not an HTTP\/1.x status line/],
    ["two-digit status", ok("HTTP/1.1 20 OK"), /not an HTTP\/1.x status line/],
    ["status without a space", ok("HTTP/1.1 200OK"), /not an HTTP\/1.x status line/],
    [
      "header line without colon",
      ok("HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0"),
      /malformed header/,
    ],
    ["space before the colon", ok("HTTP/1.1 200 OK\r\nfoo : bar\r\ncontent-length: 0"), /malformed header/],
    [
      "folded header line",
      ok("HTTP/1.1 200 OK\r\nfoo: bar\r\n baz\r\ncontent-length: 0"),
      /malformed header/,
    ],
    [
      "conflicting content-length",
      ok("HTTP/1.1 200 OK\r\ncontent-length: 12, 13", "x"),
      /bad content-length/,
    ],
    [
      "two differing content-length fields",
      ok("HTTP/1.1 200 OK\r\ncontent-length: 12\r\nContent-Length: 13", "x"),
      /bad content-length/,
    ],
    ["negative content-length", ok("HTTP/1.1 200 OK\r\ncontent-length: -1"), /bad content-length/],
    ["hex content-length", ok("HTTP/1.1 200 OK\r\ncontent-length: 0x10"), /bad content-length/],
    ["signed content-length", ok("HTTP/1.1 200 OK\r\ncontent-length: +5"), /bad content-length/],
    ["empty content-length", ok("HTTP/1.1 200 OK\r\ncontent-length:"), /bad content-length/],
    ["bad chunk size", ok(chunkedHead, "zz\r\nhi\r\n0\r\n\r\n"), /bad chunk size/],
    ["negative chunk size", ok(chunkedHead, "-5\r\nhello\r\n0\r\n\r\n"), /bad chunk size/],
    ["empty chunk size", ok(chunkedHead, "\r\n0\r\n\r\n"), /bad chunk size/],
    ["missing CRLF after chunk", ok(chunkedHead, "5\r\nhelloXY0\r\n\r\n"), /chunk not followed by CRLF/],
    ["101 protocol switch", ok("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket"), /protocol switch/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      expect(parseError([bytes]).message).toMatch(message);
      expect(parseError(bytewise(bytes)).message).toMatch(message);
    });
  }

  it("accepts a repeated identical content-length ('12, 12')", () => {
    const res = parse([ok("HTTP/1.1 200 OK\r\ncontent-length: 12\r\ncontent-length: 12", "hello world!")]);
    expect(res.body.toString()).toBe("hello world!");
  });
});

describe("ResponseParser: limits against a hostile server", () => {
  it("rejects a head over 64 KiB, complete or still arriving, without buffering much more", () => {
    const big = `HTTP/1.1 200 OK\r\nx: ${"a".repeat(MAX_HEAD_BYTES)}`;
    expect(parseError([ok(big)]).message).toMatch(/headers too large/);

    // A head that never ends: the parser gives up once it holds more than the limit.
    const parser = new ResponseParser(LIMIT);
    const kib = Buffer.alloc(1024, "a");
    let fed = 0;
    expect(() => {
      parser.feed(Buffer.from("HTTP/1.1 200 OK\r\nx: "));
      for (; fed < 10 * MAX_HEAD_BYTES; fed += kib.length) parser.feed(kib);
    }).toThrow(/headers too large/);
    expect(fed).toBeLessThanOrEqual(MAX_HEAD_BYTES + kib.length);
  });

  it("accepts a head of exactly 64 KiB fed whole", () => {
    const prefix = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx: ";
    const head = `${prefix}${"a".repeat(MAX_HEAD_BYTES - prefix.length)}`;
    expect(head.length).toBe(MAX_HEAD_BYTES);
    expect(parse([ok(head)]).status).toBe(200);
  });

  it("accepts a head of exactly 64 KiB also when its blank line arrives in pieces", () => {
    // The chunking law at the size limit: whole, this head is accepted (above); cut inside
    // the CRLFCRLF after it, the 1-3 bytes of the terminator already held count as head.
    const prefix = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx: ";
    const bytes = ok(`${prefix}${"a".repeat(MAX_HEAD_BYTES - prefix.length)}`);
    for (const at of [bytes.length - 3, bytes.length - 2, bytes.length - 1]) {
      expect(parse(cut(bytes, [at])).status, `cut at ${at} of ${bytes.length}`).toBe(200);
    }
  });

  it("flags a body over maxBodyBytes as tooLarge: by content-length before any body byte, or as it grows", () => {
    const max = 100;
    // Declared too large: refused at the head, the body need not be read.
    const declared = parseError([ok("HTTP/1.1 200 OK\r\ncontent-length: 101")], { max });
    expect(declared.tooLarge).toBe(true);
    // Grows too large: chunked, or delimited by the close.
    const chunks = "1e\r\n".concat("x".repeat(30), "\r\n").repeat(4).concat("0\r\n\r\n");
    const grown = parseError(cut(ok("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked", chunks), [60, 90]), {
      max,
    });
    expect(grown.tooLarge).toBe(true);
    expect(parseError([ok("HTTP/1.1 200 OK", "y".repeat(101))], { max }).tooLarge).toBe(true);
    // Exactly the limit is fine, in each framing.
    expect(parse([ok("HTTP/1.1 200 OK\r\ncontent-length: 100", "z".repeat(100))], { max }).body.length).toBe(
      100,
    );
    const hundred = "32\r\n".concat("x".repeat(50), "\r\n").repeat(2).concat("0\r\n\r\n");
    expect(parse([ok("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked", hundred)], { max }).body.length).toBe(
      100,
    );
    expect(parse([ok("HTTP/1.1 200 OK", "y".repeat(100))], { max }).body.length).toBe(100);
  });

  it("does not flag malformed responses as tooLarge", () => {
    expect(parseError([ok("hello")]).tooLarge).toBeUndefined();
  });
});

describe("ResponseParser: the connection closes", () => {
  it("before any byte: 'before any response' (a stale keep-alive connection, safe to resend)", () => {
    const parser = new ResponseParser(LIMIT);
    parser.feed(Buffer.alloc(0));
    expect(parser.started).toBe(false);
    expect(() => parser.end()).toThrow(/before any response/);
  });

  it("mid-head, mid-body or mid-chunk: the response was cut off", () => {
    for (const partial of [
      "HTTP/1.1 200 OK\r\ncontent-le",
      "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
    ]) {
      const parser = new ResponseParser(LIMIT);
      expect(parser.feed(Buffer.from(partial))).toBeUndefined();
      expect(parser.started).toBe(true);
      expect(() => parser.end(), partial).toThrow(/before the response was complete/);
    }
  });
});

describe("ResponseParser: fields read as RFC 9110/9112 say", () => {
  it("strips only spaces and tabs around a value (a trailing 0xA0 byte is part of it)", () => {
    const r = parse([ok("HTTP/1.1 200 OK\r\nx-a: \t v\xa0 \r\ncontent-length: 0")]);
    expect(r.headers["x-a"]).toBe("v\xa0");
  });

  it("a message framed by both transfer-encoding and content-length is read as chunked, and its connection is not reused", () => {
    const r = parse([
      ok("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3", "2\r\nhi\r\n0\r\n\r\n"),
    ]);
    expect(r.body.toString()).toBe("hi");
    expect(r.keepAlive).toBe(false);
  });
});

describe("requestHead", () => {
  it("takes the caller's Host header whatever its case, and sends it once", () => {
    const head = requestHead("POST", new URL("http://127.0.0.1:9/v1?q=1"), { Host: "example.test", a: "b" });
    expect(head).toBe("POST /v1?q=1 HTTP/1.1\r\nhost: example.test\r\na: b\r\nconnection: keep-alive\r\n");
  });
});
