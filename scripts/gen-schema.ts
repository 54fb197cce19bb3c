import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedSchemas } from "./schemas.js";

for (const [name, content] of Object.entries(generatedSchemas())) {
  writeFileSync(join("gates", name), content);
  console.log(`wrote gates/${name}`);
}
