// HomeSource over the Home devnet's HTTP API (home/devnet/API.md): /status for the head,
// /auctions for cleared results, /state/proof for leaves and their state proofs at a height,
// /headers/:h (SSZ) for signed headers, POST /actions/consume-receipt to carry an Away
// receipt back. Transient faults (connection refused, timeouts, 5xx) are retried with backoff.
import type { Address } from "viem";
import { decodeSignedHeader } from "../home/model/ssz.ts";
import type { AuctionResultPayload, Fill, LockupPayload } from "../home/model/leaves.ts";
import type { StateProof } from "../home/model/smt.ts";
import { withRetry } from "./backoff.ts";
import type { HomeAuction, HomeSource, HomeView, SettlementMaterial } from "./ports.ts";

const KIND_LOCKUP = 1;
const KIND_AUCTION_RESULT = 2;
const TWO_160 = 1n << 160n;

export class HomeHttpError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
    this.name = "HomeHttpError";
  }
}

export interface ProofJSON {
  height: string;
  stateRoot: string;
  leafKey: string;
  included: boolean;
  leaf: { leafKey: string; awayBinding: string; payloadDigest: string } | null;
  siblings: string[];
  payload: any;
  awayContract: string | null;
}

export function stateProofFromJSON(p: ProofJSON): StateProof {
  return {
    leafKey: BigInt(p.leafKey),
    siblings: p.siblings.map(BigInt),
    leaf: p.leaf ? { leafKey: BigInt(p.leaf.leafKey), awayBinding: BigInt(p.leaf.awayBinding), payloadDigest: BigInt(p.leaf.payloadDigest) } : null,
    included: p.included,
  };
}

export function resultFromJSON(j: any): AuctionResultPayload {
  return {
    auctionId: BigInt(j.auctionId), auctioneer: j.auctioneer, sellAsset: j.sellAsset, sellAmount: BigInt(j.sellAmount),
    buyAsset: j.buyAsset, clearingPrice: BigInt(j.clearingPrice), mode: Number(j.mode), auctioneerLockId: BigInt(j.auctioneerLockId),
    auctioneerMaxRateBps: Number(j.auctioneerMaxRateBps), lp: j.lp, settleDeadline: BigInt(j.settleDeadline), clearedAt: BigInt(j.clearedAt),
    fills: (j.fills as any[]).map((f): Fill => ({ winner: f.winner, sellAmount: BigInt(f.sellAmount), payAmount: BigInt(f.payAmount), lockId: BigInt(f.lockId), maxRateBps: Number(f.maxRateBps) })),
  };
}

export function lockupFromJSON(j: any): LockupPayload {
  return {
    lockId: BigInt(j.lockId), owner: j.owner, borrower: j.borrower, creditAsset: j.creditAsset,
    creditLimit: BigInt(j.creditLimit), expiry: BigInt(j.expiry), status: Number(j.status),
  };
}

/** Lock ids of a result in ENCODING.md slot order (mode 1: fills with a lock; mode 2: the auctioneer's). */
export function lockIdsInSlotOrder(r: AuctionResultPayload): bigint[] {
  if (r.mode === 2) return r.auctioneerLockId !== 0n ? [r.auctioneerLockId] : [];
  return r.fills.filter((f) => f.lockId !== 0n).map((f) => f.lockId);
}

export function httpHomeSource(baseUrl: string, opts: { timeoutMs?: number; onRetry?: () => void; maxAttempts?: number } = {}): HomeSource {
  const base = baseUrl.replace(/\/+$/, "");
  // height at which each cleared result was first seen sealed (stable across polls)
  const resultHeights = new Map<bigint, { height: bigint; awayBinding: bigint; contract: Address }>();

  const call = async (path: string, init: RequestInit & { ssz?: boolean } = {}): Promise<any> =>
    withRetry(
      async () => {
        const res = await fetch(base + path, {
          ...init,
          headers: { accept: init.ssz ? "application/octet-stream" : "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
          signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
        });
        if (!res.ok) {
          let msg = `${res.status}`;
          let code: string | undefined;
          try {
            const body = await res.json();
            msg = body.error ?? msg;
            code = typeof body.code === "string" ? body.code : undefined;
          } catch {
            /* not JSON */
          }
          const err = new HomeHttpError(res.status, `Home ${init.method ?? "GET"} ${path}: ${res.status} ${msg}`, code);
          (err as any).status = res.status;
          throw err;
        }
        return init.ssz ? new Uint8Array(await res.arrayBuffer()) : res.json();
      },
      { maxAttempts: opts.maxAttempts ?? 6, baseMs: 200, maxMs: 5_000, onRetry: opts.onRetry },
    );

  const proof = (kind: number, id: bigint, height?: bigint): Promise<ProofJSON> =>
    call(`/state/proof?kind=${kind}&id=${id}${height !== undefined ? `&height=${height}` : ""}`);

  return {
    async view(): Promise<HomeView> {
      const st = await call("/status");
      const latestHeight = BigInt(st.height);
      const latestEpoch = BigInt(st.epoch);
      const K = BigInt(st.epochBlocks);
      // epochs are K blocks: epoch e ends at (e+1)K-1
      const epochEnds: HomeView["epochEnds"] = [];
      for (let e = 0n; (e + 1n) * K - 1n <= latestHeight; e++) epochEnds.push({ epoch: e, height: (e + 1n) * K - 1n });
      const { auctions } = await call("/auctions");
      const out: HomeAuction[] = [];
      for (const a of auctions as any[]) {
        if (!a.result) continue; // not cleared
        const id = BigInt(a.auctionId);
        let seen = resultHeights.get(id);
        if (!seen) {
          const p = await proof(KIND_AUCTION_RESULT, id);
          if (!p.included || !p.leaf) continue; // cleared but not sealed into a block yet
          const binding = BigInt(p.leaf.awayBinding);
          seen = { height: BigInt(p.height), awayBinding: binding, contract: `0x${(binding % TWO_160).toString(16).padStart(40, "0")}` as Address };
          resultHeights.set(id, seen);
        }
        out.push({
          auctionId: id,
          awayChainId: Number(seen.awayBinding / TWO_160),
          awayContract: seen.contract,
          height: seen.height,
          settleDeadline: BigInt(a.result.settleDeadline),
          receiptConsumed: a.receipt !== null && a.receipt !== undefined,
        });
      }
      return { latestHeight, latestEpoch, epochEnds, auctions: out };
    },

    async signedHeader(height: bigint) {
      return decodeSignedHeader(await call(`/headers/${height}`, { ssz: true }));
    },

    async settlementMaterial(auctionId: bigint, height: bigint): Promise<SettlementMaterial> {
      const rp = await proof(KIND_AUCTION_RESULT, auctionId, height);
      if (!rp.included || !rp.leaf || !rp.payload) throw new Error(`auction ${auctionId} has no result leaf at height ${height}`);
      const result = resultFromJSON(rp.payload);
      const lockups: LockupPayload[] = [];
      const lockArgs = [];
      for (const lockId of lockIdsInSlotOrder(result)) {
        const lp = await proof(KIND_LOCKUP, lockId, height);
        if (!lp.included || !lp.leaf || !lp.payload) throw new Error(`lockup ${lockId} is not in Home state at height ${height}`);
        lockups.push(lockupFromJSON(lp.payload));
        lockArgs.push({ proof: stateProofFromJSON(lp), digest: BigInt(lp.leaf.payloadDigest), lockId });
      }
      return {
        height,
        proverArgs: {
          stateRoot: BigInt(rp.stateRoot),
          awayBinding: BigInt(rp.leaf.awayBinding),
          result: { proof: stateProofFromJSON(rp), digest: BigInt(rp.leaf.payloadDigest), auctionId },
          lockups: lockArgs,
        },
        result,
        lockups,
      };
    },

    async postReceipt(_chainId: number, auctionId: bigint) {
      try {
        await call(`/actions/consume-receipt?wait=1`, { method: "POST", body: JSON.stringify({ auctionId: auctionId.toString() }) });
        return "consumed";
      } catch (e) {
        if (e instanceof HomeHttpError && e.code === "receipt-consumed") return "already";
        if (e instanceof HomeHttpError && (e.status === 422 || e.status === 502 || e.code === "receipt-open")) {
          // Home could not see the (closed) receipt on Away yet (confirmations) or its Away RPC failed: retry later
          (e as any).status = 503;
        }
        throw e;
      }
    },
  };
}
