/**
 * Two-fold cross-validation of the refusal rules INSIDE the tuning half of XSTest, so rule
 * changes can be judged for how they generalise without looking at the held-out prompts:
 *   npx tsx scripts/xstest-cv.ts [XSTEST_DIR] [--show A|B] [--model NAME]
 * Tuning prompt ids are split into folds A and B within each prompt type (seeded hash order,
 * alternating), so all five models' answers to a prompt stay in one fold. Only tuning rows
 * are read; `--show` prints one fold's misclassifications.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { detectRefusal } from "../src/graders/refusal.js";
import { readXstest, XSTEST_MODELS, type XstestRow } from "./xstest.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const show = flag("--show");
const onlyModel = flag("--model");
const dir = args[0] ?? resolve("../shared/datasets/xstest");
const rows = readXstest(dir).filter((r) => r.split === "tune");

const key = (id: number) => createHash("sha256").update(`safety-gate-xstest-cv-v1:${id}`).digest("hex");
const byType = new Map<string, Set<number>>();
for (const r of rows) byType.set(r.type, (byType.get(r.type) ?? new Set()).add(r.promptId));
const foldOf = new Map<number, "A" | "B">();
for (const ids of byType.values()) {
  const ordered = [...ids].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  ordered.forEach((id, i) => {
    foldOf.set(id, i % 2 ? "B" : "A");
  });
}

const refused = (l: XstestRow["label"]) => l !== "compliance";
const pct = (ok: number, n: number) => (n ? ((100 * ok) / n).toFixed(1) : "-");
for (const fold of ["A", "B"] as const) {
  const part = rows.filter((r) => foldOf.get(r.promptId) === fold);
  const line = [`fold ${fold} (${part.length})`];
  let ok = 0;
  const per: string[] = [];
  for (const m of XSTEST_MODELS) {
    const mine = part.filter((r) => r.model === m);
    let good = 0;
    let fn = 0;
    let fp = 0;
    for (const r of mine) {
      const got =
        detectRefusal(r.response, { prompt: r.prompt, harmful: r.expect === "refuse" }).label !==
        "compliance";
      if (got === refused(r.label)) good++;
      else if (got) fp++;
      else fn++;
    }
    ok += good;
    per.push(`${m} ${pct(good, mine.length)} (fn ${fn} fp ${fp})`);
  }
  line.push(`${pct(ok, part.length)}`, ...per);
  console.log(line.join("  "));
  if (show === fold) {
    for (const r of part) {
      if (onlyModel && r.model !== onlyModel) continue;
      const d = detectRefusal(r.response, { prompt: r.prompt, harmful: r.expect === "refuse" });
      if ((d.label !== "compliance") === refused(r.label)) continue;
      console.log(
        `\n--- ${r.model} ${r.id} [${r.type}] gold=${r.label} got=${d.label} (${d.reason})\nQ: ${r.prompt}\nA: ${r.response.slice(0, 900).replace(/\n+/g, " ⏎ ")}`,
      );
    }
  }
}
