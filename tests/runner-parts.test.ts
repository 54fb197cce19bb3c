/**
 * The runner's parts, each against its law or its reference: backoff bounds, Retry-After
 * parsing, which failures are retried, rate spacing (on a fake clock), RFC 6901 pointers,
 * request templates, redaction, the append-only log after a torn write, progress lines.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppendLog } from "../src/io/append-log.js";
import { REDACTED, Redactor } from "../src/io/redact.js";
import { createProgress, formatProgress, type ProgressState } from "../src/runner/progress.js";
import { chatCompletionsUrl, completionText } from "../src/targets/chat-completions.js";
import { AttemptError, retryAfterMs, statusFailure } from "../src/targets/failure.js";
import { resolvePointer } from "../src/targets/json-pointer.js";
import { messagesOf } from "../src/targets/messages.js";
import { RateLimiter } from "../src/targets/rate-limit.js";
import { backoffDelay, type RetryPolicy, withRetries } from "../src/targets/retry.js";
import { renderBody, renderUrl } from "../src/targets/template.js";
import { tempDir } from "./helpers/run.js";

const policy: RetryPolicy = { retries: 3, initialDelayMs: 1, maxDelayMs: 8 };

describe("retries", () => {
  it("backoff stays within [ceiling/2, ceiling], the ceiling doubling up to the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r) => {
          const p = { retries: 5, initialDelayMs: 500, maxDelayMs: 30_000 };
          const ceiling = Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** retry);
          const d = backoffDelay(p, retry, () => r);
          return d >= ceiling / 2 && d <= ceiling;
        },
      ),
    );
  });

  it("reads Retry-After as seconds or a date, and OpenAI's retry-after-ms", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterMs({ "retry-after": "0.5" }, now)).toBe(500);
    expect(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3000);
    expect(retryAfterMs({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it("retries retryable failures up to the limit, then records the cause with the attempt count", async () => {
    let calls = 0;
    const p = withRetries(
      async () => {
        calls++;
        throw new AttemptError("server error (HTTP 503)", "retryable");
      },
      { policy },
    );
    await expect(p).rejects.toMatchObject({
      kind: "final",
      message: "server error (HTTP 503) (gave up after 4 attempts)",
    });
    expect(calls).toBe(4);
  });

  it("does not retry final or fatal failures", async () => {
    for (const kind of ["final", "fatal"] as const) {
      let calls = 0;
      await expect(
        withRetries(
          async () => {
            calls++;
            throw new AttemptError("no", kind);
          },
          { policy },
        ),
      ).rejects.toMatchObject({ kind });
      expect(calls).toBe(1);
    }
  });

  it("succeeds after transient failures", async () => {
    let calls = 0;
    const retries: number[] = [];
    const text = await withRetries(
      async () => {
        if (++calls < 3) throw new AttemptError("reset", "retryable");
        return "ok";
      },
      { policy, onRetry: (_e, n) => retries.push(n) },
    );
    expect(text).toBe("ok");
    expect(retries).toEqual([1, 2]);
  });

  it("gives up rather than wait longer than 5 minutes for a Retry-After", async () => {
    await expect(
      withRetries(
        async () => {
          throw new AttemptError("rate limited (HTTP 429)", "retryable", { retryAfterMs: 3_600_000 });
        },
        { policy },
      ),
    ).rejects.toMatchObject({ kind: "final", message: expect.stringContaining("asked to wait 3600 s") });
  });
});

describe("HTTP failures are classified once, where they are understood", () => {
  it.each([
    [401, "", "fatal", "credentials"],
    [403, "", "fatal", "credentials"],
    [404, "The model `x` does not exist.", "fatal", "model"],
    [404, "no route", "fatal", "endpoint"],
    [400, '{"error":"model \\"x\\" not found, try pulling it first"}', "fatal", "model"],
    [400, "context length exceeded", "final", undefined],
    [422, "bad", "final", undefined],
    [429, "slow down", "retryable", undefined],
    [500, "", "retryable", undefined],
    [503, "", "retryable", undefined],
    [408, "", "retryable", undefined],
  ])("HTTP %i %j → %s", (status, body, kind, culprit) => {
    const e = statusFailure(status, body, {});
    expect(e.kind).toBe(kind);
    expect(e.options.culprit).toBe(culprit);
  });

  it("429 slows the whole target and carries Retry-After", () => {
    const e = statusFailure(429, "", { "retry-after": "3" });
    expect(e.options).toMatchObject({ rateLimited: true, retryAfterMs: 3000 });
  });
});

describe("chat completions", () => {
  it("joins the path before a query string (Azure's api-version)", () => {
    expect(chatCompletionsUrl("http://127.0.0.1:8000/v1")).toBe("http://127.0.0.1:8000/v1/chat/completions");
    expect(chatCompletionsUrl("http://h/v1/")).toBe("http://h/v1/chat/completions");
    expect(chatCompletionsUrl("https://x.openai.azure.com/openai/deployments/d?api-version=2024-10-21")).toBe(
      "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21",
    );
  });

  it("takes the content, or OpenAI's separate refusal; a cut-off body is retryable", () => {
    const doc = (message: unknown, finish = "stop") =>
      JSON.stringify({ choices: [{ message, finish_reason: finish }] });
    expect(completionText(doc({ content: "Hi" }))).toBe("Hi");
    expect(completionText(doc({ content: null, refusal: "I can't help with that." }))).toBe(
      "I can't help with that.",
    );
    expect(completionText(doc({ content: "" }))).toBe("");
    expect(() => completionText(doc({ content: null }, "content_filter"))).toThrow(
      expect.objectContaining({ kind: "final" }),
    );
    expect(() => completionText('{"choices":[{"mess')).toThrow(
      expect.objectContaining({ kind: "retryable" }),
    );
    expect(() => completionText('{"object":"list"}')).toThrow(expect.objectContaining({ kind: "retryable" }));
  });
});

describe("rate limiter", () => {
  it("spaces requests evenly at the configured rate, and a 429 pause holds everyone", async () => {
    let t = 0;
    // A fake clock that a wait moves forward: the test runs instantly and exactly.
    const limiter = new RateLimiter(
      600,
      () => t,
      async (ms) => {
        t += ms;
      },
    );
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      starts.push(t);
    }
    expect(starts).toEqual([0, 100, 200, 300, 400]);
    limiter.pause(10_000);
    await limiter.acquire();
    expect(t).toBe(400 + 10_000);
    await limiter.acquire();
    expect(t).toBe(10_500);
  });

  it("without a cap, only a pause makes anyone wait", async () => {
    let t = 0;
    const limiter = new RateLimiter(
      undefined,
      () => t,
      async (ms) => {
        t += ms;
      },
    );
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(t).toBe(0);
    limiter.pause(250);
    await limiter.acquire();
    expect(t).toBe(250);
  });
});

describe("JSON pointer (RFC 6901 §5 examples)", () => {
  const doc = {
    foo: ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
  };
  it.each([
    ["", doc],
    ["/foo", ["bar", "baz"]],
    ["/foo/0", "bar"],
    ["/", 0],
    ["/a~1b", 1],
    ["/c%d", 2],
    ["/e^f", 3],
    ["/g|h", 4],
    ["/i\\j", 5],
    ['/k"l', 6],
    ["/ ", 7],
    ["/m~0n", 8],
  ])("%j", (pointer, expected) => {
    expect(resolvePointer(doc, pointer)).toEqual(expected);
  });
  it("is undefined for missing steps, bad indexes and inherited keys", () => {
    expect(resolvePointer(doc, "/foo/2")).toBeUndefined();
    expect(resolvePointer(doc, "/foo/01")).toBeUndefined();
    expect(resolvePointer(doc, "/nope/x")).toBeUndefined();
    expect(resolvePointer({}, "/constructor")).toBeUndefined();
  });
});

describe("request templates", () => {
  it("insert any prompt as data: the request's shape never changes", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prompt, id) => {
        const messages = messagesOf({ prompt: prompt || " " });
        const v = { prompt, messages, system: "", id, sample: 2 };
        const body = renderBody(
          { a: "{{prompt}}", b: ["x {{ id }} {{sample}}"], m: "{{messages}}", n: 3 },
          v,
        );
        const round = JSON.parse(JSON.stringify(body));
        expect(round).toEqual({ a: prompt, b: [`x ${id} 2`], m: messages, n: 3 });
        const url = new URL(renderUrl("http://h/p?q={{prompt}}", v));
        expect(url.searchParams.get("q")).toBe(prompt);
      }),
    );
  });

  it("puts the target's system prompt first unless the case brings its own", () => {
    expect(messagesOf({ prompt: "hi" }, "be nice")).toEqual([
      { role: "system", content: "be nice" },
      { role: "user", content: "hi" },
    ]);
    const own = {
      messages: [
        { role: "system" as const, content: "case system" },
        { role: "user" as const, content: "hi" },
      ],
    };
    expect(messagesOf(own, "be nice")).toEqual(own.messages);
  });
});

describe("redaction", () => {
  it("no registered secret survives, wherever it is in the text", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), fc.string(), fc.string(), (secret, before, after) => {
        fc.pre(!REDACTED.includes(secret));
        const r = new Redactor();
        r.add(secret);
        expect(r.redact(`${before}${secret}${after}${secret}`)).not.toContain(secret);
      }),
    );
  });
  it("ignores values too short to be secrets", () => {
    const r = new Redactor();
    r.add("abc");
    expect(r.redact("abc def")).toBe("abc def");
  });
});

describe("append-only log", () => {
  const isRec = (v: unknown): v is { key: string; n: number } =>
    typeof (v as { key?: unknown })?.key === "string";

  it("survives a torn last line: skips it, and the next record starts on a fresh line", () => {
    const file = join(tempDir(), "journal.jsonl");
    writeFileSync(file, '{"key":"a","n":1}\n{"key":"b","n":2}\n{"key":"c","n"');
    const log = new AppendLog(file, isRec);
    expect([log.get("a")?.n, log.get("b")?.n, log.get("c")]).toEqual([1, 2, undefined]);
    expect(log.unreadable).toBe(1);
    log.append({ key: "c", n: 3 });
    log.close();
    const again = new AppendLog(file, isRec);
    expect(again.get("c")?.n).toBe(3);
    expect(again.size).toBe(3);
    expect(readFileSync(file, "utf8").endsWith('{"key":"c","n":3}\n')).toBe(true);
  });

  it("the last record for a key wins", () => {
    const file = join(tempDir(), "log.jsonl");
    appendFileSync(file, '{"key":"a","n":1}\n{"key":"a","n":2}\n');
    expect(new AppendLog(file, isRec).get("a")?.n).toBe(2);
  });
});

describe("progress", () => {
  const state = (done: number, extra: Partial<ProgressState> = {}): ProgressState => ({
    label: "candidate",
    total: 2000,
    done,
    reused: 0,
    errors: 0,
    retries: 0,
    elapsedMs: 10_000,
    ...extra,
  });

  it("says done/total, rate, ETA, errors, retries and reuse", () => {
    expect(formatProgress(state(1000, { errors: 1, retries: 3, reused: 500 }))).toBe(
      "candidate 1000/2000 (50.0%) · 50 req/s · ETA 20s · 1 error · 3 retries · 500 reused",
    );
    expect(formatProgress(state(2000))).toBe("candidate 2000/2000 (100%) · 200 req/s · in 10s · 0 errors");
  });

  it("in GitHub Actions: a group with a line every 10 %", () => {
    const out: string[] = [];
    const p = createProgress("github", (l) => out.push(l));
    p.start(state(0));
    for (let d = 1; d <= 2000; d++) p.update(state(d));
    p.finish(state(2000));
    expect(out[0]).toBe("::group::safety-gate candidate: 2000 requests\n");
    expect(out.slice(1, -2).map((l) => l.split(" ")[1])).toEqual([
      "200/2000",
      "400/2000",
      "600/2000",
      "800/2000",
      "1000/2000",
      "1200/2000",
      "1400/2000",
      "1600/2000",
      "1800/2000",
    ]);
    expect(out.at(-1)).toBe("::endgroup::\n");
  });

  it("on a terminal: one line redrawn in place, at most ten times a second", () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress(
      "tty",
      (l) => out.push(l),
      () => t,
    );
    p.start(state(0));
    for (let d = 1; d <= 100; d++) {
      t += 5;
      p.update(state(d));
    }
    p.finish(state(100));
    expect(out.every((l) => l.startsWith("\r\u001b[2K"))).toBe(true);
    expect(out.length).toBeLessThanOrEqual(1 + 5 + 1);
    expect(out.at(-1)?.endsWith("\n")).toBe(true);
  });
});
