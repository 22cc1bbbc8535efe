/**
 * Generates `integrations.schema.json` and `schema/generated/*` from the zod schemas.
 * Run `npm run schema` after editing `schema/config.ts` or `schema/webhook.ts`;
 * `test/schema/generated.test.ts` fails when the committed files have drifted.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, text] of Object.entries(await renderAll())) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
}
