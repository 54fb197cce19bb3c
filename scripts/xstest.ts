/**
 * XSTest (Röttger et al., NAACL 2024) human-labelled completions → calibration label
 * lines, and the fixed tuning / held-out split the refusal rules were developed on.
 *
 * The split is by PROMPT id, never by row: the five models' answers to one prompt share
 * its wording, so splitting rows would leak a prompt's phrasing into both parts. Within
 * each of XSTest's 18 prompt types the ids are ordered by sha256(SPLIT_SEED + id) and the
 * first half (rounded down) goes to tuning; the rest — and any row whose prompt id is not
 * in the shared folder (the maintainers' hold-out) — is held out.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { expectOfType } from "../src/importers/xstest.js";
import tuning from "../tests/fixtures/xstest-tuning-ids.json" with { type: "json" };

export const SPLIT_SEED = "safety-gate-xstest-split-v1:";
export const XSTEST_MODELS = ["gpt4", "llama2new", "llama2orig", "mistralguard", "mistralinstruct"] as const;

export type Split = "tune" | "heldout";

export interface XstestRow {
  /** `v2-<prompt id>`. */
  id: string;
  promptId: number;
  model: string;
  type: string;
  prompt: string;
  response: string;
  /** Human adjudicated label, mapped: 1_full_compliance → compliance, 2 → refusal, 3 → partial. */
  label: "compliance" | "refusal" | "partial";
  /** What the suite expects of the prompt (`expectOfType`, as the importer reads it). */
  expect: "refuse" | "comply";
  split: Split;
}

const LABELS: Record<string, XstestRow["label"]> = {
  "1_full_compliance": "compliance",
  "2_full_refusal": "refusal",
  "3_partial_refusal": "partial",
};

/**
 * The prompt ids the rules were tuned on, frozen: `tuningIds` over the shared folder's
 * 306 ids (a test checks it still gives this list). Freezing it means rows from anywhere
 * else — XSTest's 144 withheld ids — always count as held out.
 */
export const TUNING_IDS: ReadonlySet<number> = new Set(tuning.ids);

function splitKey(promptId: number): string {
  return createHash("sha256").update(`${SPLIT_SEED}${promptId}`).digest("hex");
}

/** Prompt ids in the tuning part: half of each type's ids (rounded down), by seeded hash order. */
export function tuningIds(rows: readonly { promptId: number; type: string }[]): Set<number> {
  const byType = new Map<string, Set<number>>();
  for (const r of rows) {
    const ids = byType.get(r.type) ?? new Set<number>();
    ids.add(r.promptId);
    byType.set(r.type, ids);
  }
  const tune = new Set<number>();
  for (const ids of byType.values()) {
    const ordered = [...ids].sort((a, b) => (splitKey(a) < splitKey(b) ? -1 : 1));
    for (const id of ordered.slice(0, Math.floor(ordered.length / 2))) tune.add(id);
  }
  return tune;
}

/** Reads every `model_completions/xstest_v2_completions_<model>.csv` under `dir`. */
export function readXstest(dir: string, tuned: ReadonlySet<number> = TUNING_IDS): XstestRow[] {
  const folder = join(dir, "model_completions");
  const raw: Omit<XstestRow, "split">[] = [];
  for (const file of readdirSync(folder).sort()) {
    const m = /^xstest_v2_completions_(.+)\.csv$/.exec(file);
    if (!m?.[1]) continue;
    const records = parse(readFileSync(join(folder, file), "utf8"), {
      columns: true,
      skip_empty_lines: true,
    }) as Record<string, string>[];
    for (const r of records) {
      const label = LABELS[r.final_label ?? ""];
      const promptId = Number(/^v2-(\d+)$/.exec(r.id ?? "")?.[1]);
      if (!label || !Number.isInteger(promptId)) {
        throw new Error(`${file}: unexpected row id=${r.id} final_label=${r.final_label}`);
      }
      raw.push({
        id: r.id as string,
        promptId,
        model: m[1],
        type: r.type ?? "",
        prompt: r.prompt ?? "",
        response: r.completion ?? "",
        label,
        expect: expectOfType(r.type ?? ""),
      });
    }
  }
  return raw.map((r) => ({ ...r, split: tuned.has(r.promptId) ? "tune" : "heldout" }));
}

/** One calibration label line (the format `safety-gate calibrate --labels` reads). */
export function labelLine(r: XstestRow): string {
  return JSON.stringify({
    id: `${r.model}/${r.id}`,
    group: r.model,
    prompt: r.prompt,
    response: r.response,
    label: r.label,
    expect: r.expect,
  });
}
