// Persistence in process: unsealed actions survive a restart and go into the next block;
// a tampered store is refused instead of silently forking.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyStateProof, KIND_LOCKUP } from "../../../home/model/index.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig } from "../../../home/devnet/config.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "olzk-devnet-store-"));
  dirs.push(d);
  return d;
}
const lockBody = (n: number) => ({
  owner: `0x${n.toString(16).padStart(64, "0")}`,
  borrower: "0x3333333333333333333333333333333333333333",
  creditAsset: "0x4444444444444444444444444444444444444444",
  collateral: "1300",
  expiry: Math.floor(Date.now() / 1000) + 3600,
});

describe("devnet store", () => {
  it("keeps accepted but unsealed actions across a restart and seals them next", async () => {
    const dataDir = dir();
    const cfg = resolveConfig({ dataDir, blockMs: 0, port: 0 });
    let c = DevnetChain.open(cfg);
    await c.submit("lock", lockBody(1));
    c.produceBlock();
    const r = await c.submit("lock", lockBody(2));
    expect(r.height).toBe(2n);
    const hash1 = c.latest.hash;
    c.close(); // no block sealed for the second lock

    c = DevnetChain.open(cfg);
    try {
      expect(c.latest.header.height).toBe(1n);
      expect(c.latest.hash).toBe(hash1);
      expect(c.lockup(2n)?.payload.creditLimit).toBe(1000n);
      expect(c.pendingLeaves).toBe(4); // the next block's risk-state leaf; the lock's lockup, account-lockup and account leaves
      const b = c.produceBlock();
      expect(b.header.parentHash).toBe(hash1);
      const p = c.stateProof(KIND_LOCKUP, 2n);
      expect(p.proof.included).toBe(true);
      expect(verifyStateProof(b.header.stateRoot, p.proof)).toBe(true);
      expect((await c.submit("lock", lockBody(3))).result.lockId).toBe(3n);
    } finally {
      c.close();
    }
  });

  it("refuses a store whose headers no longer match the replayed state", async () => {
    const dataDir = dir();
    const cfg = resolveConfig({ dataDir, blockMs: 0, port: 0 });
    const c = DevnetChain.open(cfg);
    await c.submit("lock", lockBody(1));
    c.produceBlock();
    c.close();
    const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite");
    const db = new DatabaseSync(join(dataDir, "chain.sqlite"));
    const row = db.prepare("SELECT header FROM blocks WHERE height = 1").get() as { header: string };
    const h = JSON.parse(row.header);
    h.stateRoot = "12345";
    db.prepare("UPDATE blocks SET header = ? WHERE height = 1").run(JSON.stringify(h));
    db.close();
    expect(() => DevnetChain.open(cfg)).toThrow(/replayed state root differs from block 1/);
  });
});
