// HomeSource over the Home HTTP API through the typed HomeClient (home/api): /status for the
// head, /status/next (long-poll) to wait for the next block, /auctions for cleared results (each
// result's leaf proof once, for its height and binding), /headers/:h (SSZ) for signed headers,
// /auctions/:id/settlement-proof for everything a settlement needs at one height, POST
// /actions/consume-receipt to carry an Away receipt back, and the Open Libra formats (/openlibra:
// epoch-ending LedgerInfos, validator sets, vouchers; the BCS bytes decoded, not the JSON mirror). Transient faults (connection refused,
// timeouts, 5xx) are retried with backoff, except the long-poll, which the planner loops itself;
// what to make of a refusal is decided by its code.
import { HomeApiError, HomeClient, MAX_WAIT_MS, settlementInputs, settlementPayloads, type HomeErrorCode } from "../home/api/index.ts";
import { KIND_AUCTION_RESULT, splitAwayBinding, type Address } from "../home/model/index.ts";
import { hexToBytes } from "viem";
import { decodeBcs, EpochState, LedgerInfoWithSignatures } from "../verifier-ts/openlibra/index.ts";
import { withRetry, type BackoffOptions } from "./backoff.ts";
import type { BlockWait, HomeAuction, HomeSource, HomeView, SettlementMaterial } from "./ports.ts";

/**
 * Refusals of consume-receipt that mean "not yet": the receipt is still open on Away, or Home
 * does not see the closed receipt yet (its confirmation depth, an eth_getProof answer for
 * another block, its Away RPC failing or missing, Home restarting).
 */
export const RECEIPT_NOT_YET: ReadonlySet<HomeErrorCode> = new Set([
  "receipt-open",
  "away-state-mismatch",
  "away-proof-invalid",
  "away-rpc-failed",
  "away-rpc-missing",
  "shutting-down",
]);

/** A Home refusal to retry later (the executor backs off and retries errors marked transient). */
export class HomeNotYetError extends Error {
  readonly transient = true;
  constructor(readonly cause: HomeApiError) {
    super(cause.message, { cause });
    this.name = "HomeNotYetError";
  }
}

export function httpHomeSource(baseUrl: string, opts: { timeoutMs?: number; onRetry?: BackoffOptions["onRetry"]; maxAttempts?: number } = {}): HomeSource {
  const home = new HomeClient(baseUrl, {
    timeoutMs: opts.timeoutMs,
    run: (request) => withRetry(request, { maxAttempts: opts.maxAttempts ?? 6, baseMs: 200, maxMs: 5_000, onRetry: opts.onRetry }),
  });
  // height at which each cleared result was first seen sealed (stable across polls), and its binding
  const resultHeights = new Map<bigint, { height: bigint; awayChainId: number; contract: Address }>();

  /** Where a cleared result's leaf was first seen sealed; undefined while it is not sealed yet. */
  const resultLeaf = async (auctionId: bigint) => {
    let seen = resultHeights.get(auctionId);
    if (!seen) {
      const p = await home.stateProof(KIND_AUCTION_RESULT, auctionId);
      if (!p.proof.included || !p.proof.leaf) return undefined;
      const { chainId, contract } = splitAwayBinding(p.proof.leaf.awayBinding);
      seen = { height: p.height, awayChainId: Number(chainId), contract };
      resultHeights.set(auctionId, seen);
    }
    return seen;
  };

  return {
    async view(): Promise<HomeView> {
      const st = await home.status();
      const K = BigInt(st.epochBlocks);
      // epochs are K blocks: epoch e ends at (e+1)K-1
      const epochEnds: HomeView["epochEnds"] = [];
      for (let e = 0n; (e + 1n) * K - 1n <= st.height; e++) epochEnds.push({ epoch: e, height: (e + 1n) * K - 1n });
      const auctions: HomeAuction[] = [];
      for (const a of await home.auctions()) {
        if (!a.result) continue; // not cleared
        const seen = await resultLeaf(a.auctionId);
        if (!seen) continue; // cleared but not sealed into a block yet
        auctions.push({
          auctionId: a.auctionId,
          awayChainId: seen.awayChainId,
          awayContract: seen.contract,
          height: seen.height,
          settleDeadline: a.result.settleDeadline,
          receiptConsumed: a.receipt !== null,
        });
      }
      return { latestHeight: st.height, latestEpoch: st.epoch, epochEnds, auctions };
    },

    signedHeader: (height) => home.signedHeader(height),

    async openLibraEpochEnding(epoch) {
      const r = await home.openLibraEpochEnding(epoch, epoch);
      const li = r.ledgerInfos.find((x) => x.epoch === epoch);
      if (!li) throw new Error(`Home answered epoch-ending LedgerInfos ${r.from}..${r.to} for epoch ${epoch}`);
      return decodeBcs(LedgerInfoWithSignatures, hexToBytes(li.bcs), `the LedgerInfo ending Open Libra epoch ${epoch}`);
    },

    async openLibraEpochState(epoch) {
      return decodeBcs(EpochState, hexToBytes((await home.openLibraEpochState(epoch)).bcs), `the Open Libra validator set of epoch ${epoch}`);
    },

    async openLibraVoucher(epoch) {
      const v = await home.openLibraVoucher(epoch);
      return { epoch: v.epoch, attestationSetRoot: v.attestationSetRoot, signatures: { validatorBitmask: v.validatorBitmask, sig: v.signature } };
    },

    async settlementMaterial(auctionId: bigint, height: bigint): Promise<SettlementMaterial> {
      const sp = await home.settlementProof(auctionId, height);
      return { height, proverArgs: settlementInputs(sp), ...settlementPayloads(sp) };
    },

    async waitForBlock(after: bigint, waitMs: number, signal: AbortSignal): Promise<BlockWait> {
      try {
        const st = await home.nextStatus(after, Math.min(waitMs, MAX_WAIT_MS), { signal });
        return st.height > after ? "block" : "timeout";
      } catch (e) {
        // a Home from before GET /status/next (or a proxy in front of one) answers 404
        if (e instanceof HomeApiError && e.status === 404) return "unsupported";
        throw e;
      }
    },

    async postReceipt(_chainId: number, auctionId: bigint) {
      try {
        await home.act("consume-receipt", { auctionId }, { wait: true });
        return "consumed";
      } catch (e) {
        if (e instanceof HomeApiError && e.code === "receipt-consumed") return "already";
        if (e instanceof HomeApiError && RECEIPT_NOT_YET.has(e.code)) throw new HomeNotYetError(e);
        throw e;
      }
    },
  };
}
