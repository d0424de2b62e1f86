// Writes schema/hookdex.schema.json (the JSON Schema editors use for hookdex.yaml) from the zod
// schema in src/config/config-schema.ts, as built to dist/. Run through `pnpm -F @hookdex/core schema`,
// which builds first; config-json-schema.test.ts fails when the committed file is out of date.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const { configJsonSchemaFile } = await import('../dist/config/config-schema.js');
const target = fileURLToPath(new URL('../schema/hookdex.schema.json', import.meta.url));
await writeFile(target, `${JSON.stringify(configJsonSchemaFile(), null, 2)}\n`);

// NOTE: `pnpm lint` checks JSON formatting too; let Biome lay the file out so that lint stays clean.
let biome;
try {
  biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
} catch {
  console.warn('Biome not found: the schema was written unformatted; run `pnpm lint:fix`.');
}
if (biome !== undefined)
  execFileSync(process.execPath, [biome, 'format', '--write', target], { stdio: 'inherit' });
console.log(`Wrote ${target}`);
