// The generated doc tables are current: the README's config keys (from the config schema) and
// API.md's error codes (from the code union and the server's statuses); every config key is
// documented and every error code has a status.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOME_ERROR_CODES } from "../../../home/api/index.ts";
import { CONFIG_DOCS, DevnetConfigSchema } from "../../../home/devnet/config.ts";
import { GENERATED_DOCS, withTable } from "../../../home/devnet/docs.ts";
import { HTTP_STATUS } from "../../../home/devnet/server.ts";

describe("generated docs", () => {
  it("README config table and API.md error codes are what scripts/docs.ts writes", () => {
    for (const d of GENERATED_DOCS) {
      const text = readFileSync(d.file, "utf8");
      expect(withTable(text, d.marker, d.table()), `${d.file} (run npx tsx scripts/docs.ts)`).toBe(text);
    }
  });

  it("documents every config key and gives every error code a status", () => {
    for (const [key, schema] of Object.entries(DevnetConfigSchema.in.shape)) expect(CONFIG_DOCS.get(schema)?.description, key).toBeTruthy();
    for (const code of HOME_ERROR_CODES) expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
    const api = readFileSync(GENERATED_DOCS[1].file, "utf8");
    for (const code of HOME_ERROR_CODES) expect(api).toContain(`| \`${code}\` |`);
  });
});
