import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderTaxonomyMarkdown } from "../src/suite/taxonomy.js";
import { generatedSchemas } from "./schemas.js";

for (const [name, content] of Object.entries(generatedSchemas())) {
  writeFileSync(join("gates", name), content);
  console.log(`wrote gates/${name}`);
}

// The taxonomy's documentation is generated from the taxonomy too (tests/builtin-suites.test.ts checks it).
writeFileSync(join("docs", "taxonomy.md"), renderTaxonomyMarkdown());
console.log("wrote docs/taxonomy.md");
