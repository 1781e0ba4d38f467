// Writes the generated tables of the docs from their one definition: the devnet config keys
// (home/devnet/config.ts) into home/devnet/README.md, the Home API error codes (home/api
// errors.ts with the server's statuses) into home/devnet/API.md and the relayer's config keys
// (relayer/config.ts) into relayer/README.md, between their marker comments. `--check` compares
// instead of writing and exits 1 on a difference (test/home/devnet/docs.test.ts and
// test/relayer/config-docs.test.ts check the same).
//   npm run docs [-- --check]
import { readFileSync, writeFileSync } from "node:fs";
import { GENERATED_DOCS, withTable } from "../home/devnet/docs.ts";
import { RELAYER_GENERATED_DOCS } from "../relayer/docs.ts";

const check = process.argv.includes("--check");
let stale = false;
for (const d of [...GENERATED_DOCS, ...RELAYER_GENERATED_DOCS]) {
  const text = readFileSync(d.file, "utf8");
  const next = withTable(text, d.marker, d.table());
  if (next === text) continue;
  stale = true;
  if (check) console.error(`${d.file}: the ${d.marker} table is out of date (npm run docs)`);
  else {
    writeFileSync(d.file, next);
    console.log(`${d.file}: ${d.marker} table written`);
  }
}
process.exitCode = check && stale ? 1 : 0;
