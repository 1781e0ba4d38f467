// What a Settlement proof and transaction need, from one settlement-proof reply (GET
// /auctions/{id}/settlement-proof): the prover's inputs (state root, awayBinding, the result and
// lockup leaves with their digests and state proofs, lockups in slot order) and the payloads
// AtomicSettlement.settle / recordDefault take. Shared by the relayer and `olzk prove`.
import type { AuctionResultPayload, LockupPayload, StateProof } from "../model/index.ts";
import { HomeError } from "./errors.ts";
import type { SettlementProofView, StateProofView } from "./views.ts";

/** The Settlement circuit's inputs (prover/ SettlementProveArgs). */
export interface SettlementInputs {
  stateRoot: bigint;
  awayBinding: bigint;
  result: { auctionId: bigint; digest: bigint; proof: StateProof };
  lockups: { lockId: bigint; digest: bigint; proof: StateProof }[];
}

function includedLeaf(p: StateProofView, what: string, height: bigint) {
  const leaf = p.proof.leaf;
  if (!p.proof.included || !leaf) {
    throw new HomeError(p.kind === 1 ? "lockup-not-found" : "result-not-found", `${what} is not in the Home state at height ${height}`);
  }
  return leaf;
}

export function settlementInputs(sp: SettlementProofView): SettlementInputs {
  const result = includedLeaf(sp.result, `the result of auction ${sp.result.id}`, sp.height);
  return {
    stateRoot: sp.stateRoot,
    awayBinding: result.awayBinding,
    result: { auctionId: sp.result.id, digest: result.payloadDigest, proof: sp.result.proof },
    lockups: sp.lockups.map((l) => ({ lockId: l.id, digest: includedLeaf(l, `lockup ${l.id} of auction ${sp.result.id}`, sp.height).payloadDigest, proof: l.proof })),
  };
}

/** The result and lockup payloads of a settlement-proof reply (the settle / recordDefault arguments). */
export function settlementPayloads(sp: SettlementProofView): { result: AuctionResultPayload; lockups: LockupPayload[] } {
  const result = sp.result.payload;
  if (!result) throw new HomeError("result-not-found", `auction ${sp.result.id} has no result payload at height ${sp.height}`);
  return {
    result,
    lockups: sp.lockups.map((l) => {
      if (!l.payload) throw new HomeError("lockup-not-found", `lockup ${l.id} of auction ${sp.result.id} is not in the Home state at height ${sp.height}`);
      return l.payload;
    }),
  };
}
