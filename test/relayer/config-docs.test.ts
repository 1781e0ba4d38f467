// The relayer README's config key table is what the config schema generates (npm run docs),
// and the schema documents every key, so the README cannot drift from what resolveConfig accepts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withTable } from "../../home/devnet/docs.ts";
import { RELAYER_CONFIG_KEYS } from "../../relayer/config.ts";
import { RELAYER_GENERATED_DOCS } from "../../relayer/docs.ts";

describe("relayer config docs", () => {
  it("relayer/README.md's key table is what npm run docs writes", () => {
    for (const d of RELAYER_GENERATED_DOCS) {
      const text = readFileSync(d.file, "utf8");
      expect(withTable(text, d.marker, d.table()), `${d.file} (run npm run docs)`).toBe(text);
    }
  });

  it("documents every key the schema accepts", () => {
    const leaves = RELAYER_CONFIG_KEYS.filter((k) => !k.container);
    expect(leaves.length).toBeGreaterThan(30);
    for (const k of leaves) expect(k.doc?.description, k.path.join(".")).toBeTruthy();
  });
});
