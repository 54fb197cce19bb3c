/**
 * MANIFEST.json of an evidence package: the sha256 of every file in it, so that a reader
 * can tell a package from a changed one file by file. The manifest names the files that
 * have a role (the results and the config the verdict is re-derived from), so that
 * `evidence verify` needs nothing outside the package.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { z } from "zod";

export const MANIFEST_FILE = "MANIFEST.json";

export const ManifestSchema = z.strictObject({
  manifestVersion: z.literal(1),
  tool: z.strictObject({ name: z.literal("safety-gate"), version: z.string() }),
  createdAt: z.string(),
  roles: z.strictObject({
    results: z.string(),
    config: z.string(),
    suites: z.array(z.string()),
  }),
  files: z.array(z.strictObject({ path: z.string(), sha256: z.string(), bytes: z.int().min(0) })),
});
export type Manifest = z.output<typeof ManifestSchema>;

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Every file under `dir` (package-relative, `/`-separated), sorted; the manifest itself left out. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.filter((f) => f !== MANIFEST_FILE).sort();
}

export function manifestEntries(dir: string, files: readonly string[]): Manifest["files"] {
  return [...files].sort().map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
  });
}

/** One line per file that is not as the manifest says: changed, missing, or not listed. */
export function checkFiles(dir: string, manifest: Manifest): string[] {
  const problems: string[] = [];
  const listed = new Set(manifest.files.map((f) => f.path));
  const present = new Set(listFiles(dir));
  for (const f of manifest.files) {
    if (!present.has(f.path)) {
      problems.push(`${f.path}: missing (MANIFEST.json lists it with sha256 ${f.sha256})`);
      continue;
    }
    const actual = sha256File(join(dir, f.path));
    if (actual !== f.sha256)
      problems.push(`${f.path}: changed — sha256 expected ${f.sha256}, actual ${actual}`);
  }
  for (const path of present) {
    if (!listed.has(path)) problems.push(`${path}: not in MANIFEST.json (added after the package was made)`);
  }
  return problems;
}
