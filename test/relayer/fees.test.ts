// Fee arithmetic of the relayer: the first fee from eth_feeHistory, the fee of a replacement
// and the cap that no fee ever exceeds.
import { describe, expect, it } from "vitest";
import { capFees, DEFAULT_FEES, feesFromHistory, priorityFeeFromHistory, replacementFees } from "../../relayer/fees.ts";

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe("relayer fees", () => {
  it("offers the median priority-fee percentile of non-empty blocks over a margin on the next base fee", () => {
    const h = {
      baseFeePerGas: [gwei(10), gwei(11), gwei(12), gwei(9), gwei(8)], // the last is the next block's
      gasUsedRatio: [0.5, 0, 0.9, 0.1],
      reward: [[gwei(2)], [0n], [gwei(5)], [gwei(1)]],
    };
    expect(priorityFeeFromHistory(h)).toBe(gwei(2)); // median of 1, 2, 5 (the empty block is ignored)
    expect(feesFromHistory(h, DEFAULT_FEES)).toEqual({ maxFeePerGas: gwei(8) * 2n + gwei(2), maxPriorityFeePerGas: gwei(2) });
    expect(feesFromHistory(h, { baseFeeMarginPercent: 25, minPriorityFeeWei: gwei(3) })).toEqual({ maxFeePerGas: gwei(10) + gwei(3), maxPriorityFeePerGas: gwei(3) });
    // only empty blocks: the floor
    const idle = { baseFeePerGas: [gwei(1), gwei(1)], gasUsedRatio: [0], reward: [[0n]] };
    expect(feesFromHistory(idle, { baseFeeMarginPercent: 100, minPriorityFeeWei: 7n })).toEqual({ maxFeePerGas: gwei(2) + 7n, maxPriorityFeePerGas: 7n });
  });

  it("clamps to the cap, the priority fee included", () => {
    expect(capFees({ maxFeePerGas: gwei(50), maxPriorityFeePerGas: gwei(40) }, gwei(30))).toEqual({ fees: { maxFeePerGas: gwei(30), maxPriorityFeePerGas: gwei(30) }, capped: true });
    expect(capFees({ maxFeePerGas: gwei(5), maxPriorityFeePerGas: gwei(1) }, gwei(30))).toEqual({ fees: { maxFeePerGas: gwei(5), maxPriorityFeePerGas: gwei(1) }, capped: false });
  });

  it("replaces with both fees raised by bumpPercent (rounded up) or to the current estimate, within the cap, or not at all", () => {
    const old = { maxFeePerGas: 1_000_000_001n, maxPriorityFeePerGas: 3n };
    const cfg = { capWei: gwei(100), bumpPercent: 10 };
    // estimate below the old fee: +10% each, rounded up so the node's minimum is met
    expect(replacementFees(old, { maxFeePerGas: gwei(0.5), maxPriorityFeePerGas: 0n }, cfg)).toEqual({
      ok: true, capped: false, fees: { maxFeePerGas: 1_100_000_002n, maxPriorityFeePerGas: 4n },
    });
    // base fee jumped: the estimate wins
    expect(replacementFees(old, { maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(2) }, cfg)).toEqual({
      ok: true, capped: false, fees: { maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(2) },
    });
    // estimate above the cap, but the cap still leaves a valid replacement
    expect(replacementFees(old, { maxFeePerGas: gwei(400), maxPriorityFeePerGas: gwei(2) }, cfg)).toEqual({
      ok: true, capped: true, fees: { maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(2) },
    });
    // already at the cap: no replacement the node would take fits under it
    const atCap = { maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(1) };
    expect(replacementFees(atCap, { maxFeePerGas: gwei(400), maxPriorityFeePerGas: gwei(2) }, cfg)).toEqual({
      ok: false, wanted: { maxFeePerGas: gwei(400), maxPriorityFeePerGas: gwei(2) },
    });
    // a priority fee that cannot rise enough under the cap stops it too
    expect(replacementFees({ maxFeePerGas: gwei(95), maxPriorityFeePerGas: gwei(95) }, { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }, cfg).ok).toBe(false);
  });
});
