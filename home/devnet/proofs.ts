// State proofs served by the devnet: one leaf at one height (GET /state/proof), and everything a
// Settlement proof of an auction needs at one height (GET /auctions/:id/settlement-proof). Read
// from the state history and the sealed blocks; nothing here writes.
import { getAddress } from "viem";
import {
  bytesToHex,
  encodeLeafPayload,
  leafContract,
  leafKey,
  lockupSlotIds,
  splitAwayBinding,
  KIND_AUCTION_RESULT,
  KIND_LOCKUP,
  type LeafKind,
} from "../model/index.ts";
import { HomeError, stateProofView, type StateProofOf, type StateProofView } from "../api/index.ts";
import type { BlockRecord } from "./block-log.ts";
import type { StateHistory } from "./state-history.ts";

/** What the proofs read: the state history and the sealed blocks (each leaf write's binding names its Away contract). */
export interface ProofSource {
  history: StateHistory;
  latestHeight(): bigint;
  block(height: bigint): BlockRecord | undefined;
}

export interface SettlementProof {
  result: StateProofOf<typeof KIND_AUCTION_RESULT>;
  lockups: StateProofOf<typeof KIND_LOCKUP>[];
}

/** The proof of leaf (kind, id) at `height` (default: the latest block), with its payload when included. */
export function stateProofAt(src: ProofSource, kind: LeafKind, id: bigint, height?: bigint): StateProofView {
  const latest = src.latestHeight();
  const h = height ?? latest;
  if (h < 0n || h > latest) throw new HomeError("block-not-found", `no block at height ${h} (latest is ${latest})`);
  const block = src.block(h)!;
  const key = leafKey(kind, id);
  const proof = src.history.treeAt(h).prove(key);
  const write = proof.included ? src.history.writeAt(key, h) : null;
  // The contract the leaf is bound to, on the Away chain of its lockup or auction; null for the Home-global risk-state and account leaves.
  const contract = write && leafContract(kind) !== "home" ? getAddress(splitAwayBinding(write.awayBinding).contract) : null;
  const common = { height: h, stateRoot: block.header.stateRoot, headerHash: block.hash, id, proof, awayContract: contract };
  return stateProofView({ ...common, payloadAbi: write ? bytesToHex(encodeLeafPayload(write)) : null }, kind, write);
}

/**
 * Everything a Settlement proof of an auction needs, at one height: the result leaf's
 * proof and the proofs of the lockups it uses, in the circuit's slot order (mode 1: the
 * fills with lockId != 0 in fill order; mode 2: the auctioneer's lock).
 */
export function settlementProofAt(src: ProofSource, auctionId: bigint, height?: bigint): SettlementProof {
  const result = stateProofAt(src, KIND_AUCTION_RESULT, auctionId, height);
  if (result.kind !== KIND_AUCTION_RESULT || !result.proof.included || !result.payload) {
    throw new HomeError("result-not-found", `auction ${auctionId} has no result leaf at height ${result.height}`);
  }
  const lockups = lockupSlotIds(result.payload).map((id) => {
    const p = stateProofAt(src, KIND_LOCKUP, id, result.height);
    if (p.kind !== KIND_LOCKUP) throw new Error(`state proof of lockup ${id} has kind ${p.kind}`);
    return p;
  });
  return { result, lockups };
}
