/**
 * The persistent response cache (`cache: DIR`), usable by anything that calls a model:
 * one append-only file per target fingerprint (endpoint, build, …), keyed on the exact
 * request. Only answers are cached, never errors, so a transient failure is asked again.
 */
import { join } from "node:path";
import { AppendLog } from "../io/append-log.js";
import { hashOf, sha256 } from "../io/canonical.js";
import type { ToolCall } from "./target.js";
import type { Answer } from "./tool-calls.js";

interface CacheRecord {
  key: string;
  /** Absent only when the answer was tool calls alone. */
  response?: string;
  /** An agent's tool calls, beside its text (which may then be ""). */
  tool_calls?: ToolCall[];
}

const isCacheRecord = (v: unknown): v is CacheRecord => {
  const r = v as CacheRecord | null;
  return (
    typeof r?.key === "string" &&
    (typeof r.response === "string" || Array.isArray(r.tool_calls)) &&
    (r.tool_calls === undefined || Array.isArray(r.tool_calls))
  );
};

/** The hash of what decides a target's answers besides the request (never a secret in it). */
export function fingerprintOf(fingerprint: unknown): string {
  return hashOf(fingerprint);
}

/**
 * Key of one request. Requests are built deterministically, so plain JSON identifies one;
 * a config whose keys were reordered can only miss the cache, never hit it wrongly.
 */
export function requestKey(fingerprint: string, ...parts: unknown[]): string {
  return sha256(
    [fingerprint, ...parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p)))].join("\n"),
  );
}

export class ResponseCache {
  private readonly log: AppendLog<CacheRecord>;

  constructor(dir: string, fingerprint: string) {
    this.log = new AppendLog(
      join(dir, `${fingerprint.replace(/^sha256:/, "").slice(0, 32)}.jsonl`),
      isCacheRecord,
    );
  }

  get path(): string {
    return this.log.path;
  }

  get(key: string): string | undefined {
    return this.log.get(key)?.response;
  }

  put(key: string, response: string): void {
    this.log.append({ key, response });
  }

  /** An answer with its tool calls (a live agent's); `get` still gives its text. */
  getAnswer(key: string): Answer | undefined {
    const r = this.log.get(key);
    if (!r) return undefined;
    const answer: Answer = {};
    if (r.response !== undefined) answer.response = r.response;
    if (r.tool_calls) answer.tool_calls = r.tool_calls;
    return answer;
  }

  putAnswer(key: string, answer: Answer): void {
    this.log.append({
      key,
      ...(answer.response !== undefined ? { response: answer.response } : {}),
      ...(answer.tool_calls ? { tool_calls: answer.tool_calls } : {}),
    });
  }

  close(): void {
    this.log.close();
  }
}
