/**
 * The journal (io/append-log.ts) with many or large records: a turn that appends a lot
 * (answers replayed from the cache) is written in bounded batches, not joined into one
 * string at the end of the turn; reading goes chunk by chunk, so lines longer than a read
 * and a torn last line are handled as before.
 */
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendLog } from "../src/io/append-log.js";
import { tempDir } from "./helpers/run.js";

interface Rec {
  key: string;
  text: string;
}
const isRec = (v: unknown): v is Rec => typeof (v as Rec | null)?.key === "string";

describe("journal bounds", () => {
  it("writes a large batch during the turn that appends it, not as one string at its end", () => {
    const file = join(tempDir(), "journal.jsonl");
    const log = new AppendLog<Rec>(file, isRec);
    const text = "a".repeat(64 * 1024);
    for (let i = 0; i < 200; i++) log.append({ key: `k${i}`, text }); // 12.8 MiB in one turn
    // Nothing was flushed by hand and no timer has run: what is on disk was written by the bound.
    expect(statSync(file).size).toBeGreaterThan(8 * 2 ** 20);
    log.close();
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(200);
  });

  it("reads lines longer than a read chunk, skips damage, and closes a torn last line", () => {
    const file = join(tempDir(), "journal.jsonl");
    const long = "é".repeat(1_500_000); // 3 MB of two-byte characters: across read chunks
    writeFileSync(file, `${JSON.stringify({ key: "long", text: long })}\nnot json\n\n`);
    appendFileSync(file, `${JSON.stringify({ key: "short", text: "x" })}\n{"key": "torn", "te`);
    const log = new AppendLog<Rec>(file, isRec);
    expect(log.get("long")?.text).toBe(long);
    expect(log.get("short")?.text).toBe("x");
    expect(log.get("torn")).toBeUndefined();
    expect(log.unreadable).toBe(2);
    log.append({ key: "next", text: "y" });
    log.close();
    const lines = readFileSync(file, "utf8").split("\n");
    expect(JSON.parse(lines.at(-2) ?? "")).toEqual({ key: "next", text: "y" });
  });
});
