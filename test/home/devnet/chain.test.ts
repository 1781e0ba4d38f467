// The simulated chain: header linkage, validator-set rotation across epochs (checked with
// the Home model), and quorum edge cases produced with offline validators.
import { afterEach, describe, expect, it } from "vitest";
import {
  checkSignedHeader,
  checkValidatorSet,
  headerHash,
  validatorSetRoot,
  emptyRoot,
  STATE_DEPTH,
} from "../../../home/model/index.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig, type DevnetConfig } from "../../../home/devnet/config.ts";

const open: DevnetChain[] = [];
function chain(over: Partial<DevnetConfig>): DevnetChain {
  const c = DevnetChain.open(resolveConfig({ dataDir: null, blockMs: 0, port: 0, ...over }));
  open.push(c);
  return c;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

describe("devnet chain", () => {
  it("links headers and rotates the validator set across epochs through epoch-ending headers", () => {
    const c = chain({ seed: "rotation-test", epochBlocks: 3 });
    for (let i = 0; i < 9; i++) c.produceBlock();
    const blocks = c.blocks(0n, 9n);
    expect(blocks.map((b) => b.header.height)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(blocks[0]!.header.parentHash).toBe(0n);
    expect(blocks[0]!.header.stateRoot).toBe(emptyRoot(STATE_DEPTH));
    const roots = new Set<bigint>();
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      const h = b.header;
      expect(h.epoch).toBe(h.height / 3n);
      expect(b.hash).toBe(headerHash(h));
      if (i > 0) expect(h.parentHash).toBe(blocks[i - 1]!.hash);
      const sh = c.signedHeader(b);
      expect(checkSignedHeader(sh)).toEqual({ ok: true });
      expect(validatorSetRoot(sh.validatorSet)).toBe(h.validatorSetRoot);
      roots.add(h.validatorSetRoot);
      const epochEnd = h.height % 3n === 2n;
      if (epochEnd) {
        // The epoch-ending header announces the next set; the next header uses it.
        expect(h.nextValidatorSetRoot).not.toBe(0n);
        expect(blocks[i + 1]?.header.validatorSetRoot ?? h.nextValidatorSetRoot).toBe(h.nextValidatorSetRoot);
        expect(h.nextValidatorSetRoot).not.toBe(h.validatorSetRoot);
      } else {
        expect(h.nextValidatorSetRoot).toBe(0n);
        if (i + 1 < blocks.length) expect(blocks[i + 1]!.header.validatorSetRoot).toBe(h.validatorSetRoot);
      }
    }
    expect(roots.size).toBe(4); // epochs 0, 1, 2, 3
    // Each rotation replaces exactly one validator, and every set's BLS bindings verify.
    for (let e = 0n; e < 3n; e++) {
      const a = c.sim.setOf(e).validators.map((v) => v.attestationKey.Ax);
      const b = c.sim.setOf(e + 1n).validators.map((v) => v.attestationKey.Ax);
      expect(a.filter((x, i) => x !== b[i]).length).toBe(1);
      expect(checkValidatorSet(c.sim.setOf(e + 1n), c.config.homeChainId, { checkBindings: true })).toEqual({ ok: true });
    }
    // The set of epoch 4 is announced only by block 11, the end of epoch 3.
    expect(c.validatorSet(3n)).toBeDefined();
    expect(c.validatorSet(4n)).toBeUndefined();
  });

  it("is deterministic from the seed", () => {
    const a = chain({ seed: "same", epochBlocks: 2 });
    const b = chain({ seed: "same", epochBlocks: 2 });
    const other = chain({ seed: "different", epochBlocks: 2 });
    expect(a.sim.rootOf(3n)).toBe(b.sim.rootOf(3n));
    expect(a.sim.rootOf(0n)).not.toBe(other.sim.rootOf(0n));
  });

  it("marks headers signed by exactly 2/3 of the power as without quorum, and just above as with quorum", () => {
    // Powers 300, 300, 299, 1 (total 900, two thirds = 600).
    const c = chain({ capacity: 4, active: 4, powers: [300n, 300n, 299n, 1n], epochBlocks: 100 });
    c.setOffline([2, 3]); // signed 600 = exactly 2/3
    const exact = c.produceBlock();
    expect(exact.signedPower).toBe(600n);
    expect(exact.quorum).toBe(false);
    expect(exact.signed).toEqual([true, true, false, false]);
    const r = checkSignedHeader(c.signedHeader(exact));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/quorum/);

    c.setOffline([2]); // signed 601: just above
    const above = c.produceBlock();
    expect(above.signedPower).toBe(601n);
    expect(above.quorum).toBe(true);
    expect(checkSignedHeader(c.signedHeader(above))).toEqual({ ok: true });

    c.setOffline(null);
    expect(c.produceBlock().signedPower).toBe(900n);
  });

  it("applies configured per-epoch offline rules, with 2 of 3 equal validators failing quorum", () => {
    const c = chain({ capacity: 4, active: 3, epochBlocks: 2, offline: [{ slot: 1, epoch: 1n }] });
    for (let i = 0; i < 5; i++) c.produceBlock();
    const q = c.blocks(0n, 5n).map((b) => [b.header.epoch, b.quorum, b.signed.filter(Boolean).length]);
    expect(q).toEqual([
      [0n, true, 3],
      [0n, true, 3],
      [1n, false, 2],
      [1n, false, 2],
      [2n, true, 3],
      [2n, true, 3],
    ]);
    // The empty slot never signs.
    expect(c.latest.signed[3]).toBe(false);
  });

  it("uses Home time that only moves forward, with an explicit time warp", () => {
    const c = chain({});
    const t0 = c.nowMs();
    const t1 = c.advanceTime(3600);
    expect(t1 - t0).toBeGreaterThanOrEqual(3600_000);
    const b = c.produceBlock();
    expect(Number(b.header.timestampMs)).toBeGreaterThanOrEqual(t1);
  });
});

describe("devnet block timer", () => {
  it("produces blocks on its interval and answers ?wait=1 once the action's block is sealed", async () => {
    const { startDevnet } = await import("../../../home/devnet/index.ts");
    const dn = await startDevnet({ dataDir: null, port: 0, blockMs: 100 });
    try {
      const { HomeClient } = await import("../../../home/api/index.ts");
      const body = await new HomeClient(dn.url).act(
        "lock",
        {
          owner: `0x${"ab".repeat(32)}`,
          borrower: "0x3333333333333333333333333333333333333333",
          creditAsset: "0x4444444444444444444444444444444444444444",
          collateral: "130",
          expiry: Math.floor(Date.now() / 1000) + 600,
        },
        { wait: true },
      );
      expect(body.sealed).toBe(true);
      const b = dn.chain.block(body.height)!;
      expect(body.sealed && body.stateRoot).toBe(b.header.stateRoot);
      const h0 = dn.chain.latest.header.height;
      const t0 = Date.now();
      while (dn.chain.latest.header.height < h0 + 2n && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(dn.chain.latest.header.height - h0).toBeGreaterThanOrEqual(2n);
    } finally {
      await dn.close();
    }
    // Closed: no more blocks.
    const h = dn.chain.latest.header.height;
    await new Promise((r) => setTimeout(r, 250));
    expect(dn.chain.latest.header.height).toBe(h);
  });
});
