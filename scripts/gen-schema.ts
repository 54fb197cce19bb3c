import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderTaxonomyMarkdown } from "../src/suite/taxonomy.js";
import { renderConfigReference } from "./config-doc.js";
import { generatedSchemas } from "./schemas.js";

const schemas = generatedSchemas();
for (const [name, content] of Object.entries(schemas)) {
  writeFileSync(join("gates", name), content);
  console.log(`wrote gates/${name}`);
}

// The taxonomy's documentation is generated from the taxonomy too (tests/builtin-suites.test.ts checks it).
writeFileSync(join("docs", "taxonomy.md"), renderTaxonomyMarkdown());
console.log("wrote docs/taxonomy.md");

// The configuration reference is generated from the config schema (tests/schemas.test.ts checks it).
writeFileSync(join("docs", "configuration.md"), renderConfigReference(schemas["schema.json"] ?? ""));
console.log("wrote docs/configuration.md");
