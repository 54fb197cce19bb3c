// Generated files must be the generation of their sources: dist/ (the bundle, `npm run build`)
// and gates/*.json + docs/taxonomy.md + docs/configuration.md (`npm run schema`). Regenerates them and fails when git
// sees a difference, naming what to run. Used by `npm run check` and by .ci/run.
import { execFileSync } from "node:child_process";

const run = (script) => execFileSync("npm", ["run", "-s", script], { stdio: "inherit" });
run("build");
run("schema");
const changed = execFileSync(
  "git",
  ["status", "--porcelain", "--", "dist", "gates", "docs/taxonomy.md", "docs/configuration.md"],
  {
    encoding: "utf8",
  },
);
if (changed.trim() !== "") {
  process.stderr.write(
    `${changed}generated files differ from their sources: run 'npm run build' and 'npm run schema', then commit them\n`,
  );
  process.exit(1);
}
console.log("dist/, gates/, docs/taxonomy.md and docs/configuration.md are the generation of src/");
