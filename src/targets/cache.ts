/**
 * The persistent response cache (`cache: DIR`), usable by anything that calls a model:
 * one append-only file per target fingerprint (endpoint, build, …), keyed on the exact
 * request. Only answers are cached, never errors, so a transient failure is asked again.
 */
import { join } from "node:path";
import { AppendLog } from "../io/append-log.js";
import { hashOf, sha256 } from "../io/canonical.js";

interface CacheRecord {
  key: string;
  response: string;
}

const isCacheRecord = (v: unknown): v is CacheRecord => {
  const r = v as CacheRecord | null;
  return typeof r?.key === "string" && typeof r.response === "string";
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

  close(): void {
    this.log.close();
  }
}
