/**
 * The layout is part of the design: no import cycles among src/ modules (type-only imports
 * excepted, since they vanish at run time), and the engine knows nothing of GitHub.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/shared.js";

const src = join(repoRoot, "src");

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Relative imports that exist at run time (not `import type`, not `import { type A, type B }`). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+"(\.[^"]+)"/gm)) {
    if (m[1]) continue;
    const names = /^\{([^}]*)\}$/.exec((m[2] ?? "").trim());
    const allTypes = names?.[1]
      ?.split(",")
      .map((n) => n.trim())
      .filter(Boolean)
      .every((n) => n.startsWith("type "));
    if (allTypes) continue;
    out.push(resolve(dirname(file), (m[3] ?? "").replace(/\.js$/, ".ts")));
  }
  return out;
}

const graph = new Map(modules(src).map((f) => [f, runtimeImports(f)]));

describe("architecture", () => {
  it("has no import cycles", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === "open")
          cycles.push(
            stack
              .slice(stack.indexOf(d))
              .map((x) => relative(src, x))
              .join(" → "),
          );
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
  });

  it("the engine (core and everything it imports) does not reach src/github", () => {
    const seen = new Set<string>();
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const d of graph.get(f) ?? []) walk(d);
    };
    walk(join(src, "core.ts"));
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].map((f) => relative(src, f)).filter((f) => f.startsWith("github/"))).toEqual([]);
  });
});
