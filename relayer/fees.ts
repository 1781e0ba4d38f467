// EIP-1559 fees for the relayer's transactions: a first fee from the chain's fee history
// (`eth_feeHistory`: a percentile of the priority fees paid in recent blocks, plus a margin
// over the next block's base fee), the fee of a replacement (at least `bumpPercent` above the
// stuck transaction's, and at least the current estimate), and the per-chain cap no fee ever
// exceeds. Pure functions over bigints (wei); submit.ts does the RPC and the signing.

export interface FeeConfig {
  /** Highest maxFeePerGas ever signed (wei). */
  capWei: bigint;
  /** A transaction not mined this long after it was signed is replaced with a higher fee. */
  bumpAfterMs: number;
  /** How much a replacement raises both fees, in percent (nodes require at least 10). */
  bumpPercent: number;
  /** Percentile of the priority fees paid in each recent block (eth_feeHistory rewardPercentiles). */
  priorityPercentile: number;
  /** How many recent blocks the fee history covers. */
  historyBlocks: number;
  /** maxFeePerGas = next base fee * (100 + margin) / 100 + priority fee: room for the base fee to rise. */
  baseFeeMarginPercent: number;
  /** Lowest priority fee offered (wei), also when recent blocks were empty. */
  minPriorityFeeWei: bigint;
}

export const DEFAULT_FEES: FeeConfig = {
  capWei: 200n * 10n ** 9n,
  bumpAfterMs: 30_000,
  bumpPercent: 20,
  priorityPercentile: 50,
  historyBlocks: 10,
  baseFeeMarginPercent: 100,
  minPriorityFeeWei: 0n,
};

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** What eth_feeHistory returns (viem's getFeeHistory), as far as the estimate needs it. */
export interface FeeHistory {
  /** One per block of the range, plus the next block's. */
  baseFeePerGas: bigint[];
  gasUsedRatio: number[];
  /** Per block, one reward per requested percentile. */
  reward?: bigint[][];
}

const percentOf = (v: bigint, pct: number): bigint => (v * BigInt(Math.round(pct * 100)) + 9_999n) / 10_000n; // rounded up
const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Median of the priority-fee percentile over the blocks that had transactions in them. */
export function priorityFeeFromHistory(h: FeeHistory): bigint | undefined {
  const paid = (h.reward ?? [])
    .map((r, i) => ({ fee: r[0], used: h.gasUsedRatio[i] ?? 0 }))
    .filter((x): x is { fee: bigint; used: number } => x.fee !== undefined && x.used > 0)
    .map((x) => x.fee)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return paid.length ? paid[Math.floor((paid.length - 1) / 2)] : undefined;
}

/** The fee a new transaction is offered, before the cap. */
export function feesFromHistory(h: FeeHistory, cfg: Pick<FeeConfig, "baseFeeMarginPercent" | "minPriorityFeeWei">): Fees {
  const nextBaseFee = h.baseFeePerGas.at(-1) ?? 0n;
  const tip = maxOf(priorityFeeFromHistory(h) ?? 0n, cfg.minPriorityFeeWei);
  return { maxFeePerGas: percentOf(nextBaseFee, 100 + cfg.baseFeeMarginPercent) + tip, maxPriorityFeePerGas: tip };
}

/** Clamp to the cap (the priority fee never exceeds the max fee). */
export function capFees(f: Fees, capWei: bigint): { fees: Fees; capped: boolean } {
  const maxFeePerGas = minOf(f.maxFeePerGas, capWei);
  return { fees: { maxFeePerGas, maxPriorityFeePerGas: minOf(f.maxPriorityFeePerGas, maxFeePerGas) }, capped: maxFeePerGas < f.maxFeePerGas };
}

export type Replacement =
  | { ok: true; fees: Fees; capped: boolean }
  /** The cap leaves no room for a replacement the node would accept. */
  | { ok: false; wanted: Fees };

/**
 * Fees of the transaction that replaces `old` (same nonce): each fee at least `bumpPercent`
 * above the old one (what nodes require to accept a replacement) and at least the current
 * estimate, clamped to the cap. Refused when the clamped fees would not be a valid replacement.
 */
export function replacementFees(old: Fees, current: Fees, cfg: Pick<FeeConfig, "capWei" | "bumpPercent">): Replacement {
  const minMax = percentOf(old.maxFeePerGas, 100 + cfg.bumpPercent);
  const minTip = percentOf(old.maxPriorityFeePerGas, 100 + cfg.bumpPercent);
  const wanted = { maxFeePerGas: maxOf(minMax, current.maxFeePerGas), maxPriorityFeePerGas: maxOf(minTip, current.maxPriorityFeePerGas) };
  const { fees, capped } = capFees(wanted, cfg.capWei);
  if (fees.maxFeePerGas < minMax || fees.maxPriorityFeePerGas < minTip) return { ok: false, wanted };
  return { ok: true, fees, capped };
}
