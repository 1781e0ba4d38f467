// Real Groth16 proofs for the contract tests, from the prover API (prover/prover.ts): header proofs
// of signed Home headers (AggregatedHeaderQuorum by default, or the per-validator HeaderQuorum),
// Settlement proofs of auction results with their lockups, and HeaderSettlement proofs of both, as Solidity calldata (bigints). The prover caches proofs on disk by input hash (build/proofs), so
// reruns of the suite do not prove again.
import type { SignedHeader, SparseMerkleTree } from "../../home/model/index.ts";
import { auctionResultDigest, KIND_AUCTION_RESULT, KIND_LOCKUP, leafKey, lockupDigest } from "../../home/model/index.ts";
import {
  proveHeader as proveHeaderCircuit,
  proveHeaderSettlement as proveHeaderSettlementCircuit,
  proveSettlement as proveSettlementCircuit,
  type HeaderProofKind,
  type ProofResult,
  type SettlementProveArgs,
} from "../../prover/prover.ts";
import type { SettlementCase } from "./home-scenario.ts";

export type ProofCalldata = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export interface Proved {
  proof: ProofCalldata;
  pub: bigint[];
}

/** IHomeLightClient.HeaderProof of each kind. */
export const HEADER_PROOF = { aggregated: 0, perValidator: 1 } as const;

/** A header proof with the kind submitHeader must be told. */
export interface ProvedHeader extends Proved {
  kind: (typeof HEADER_PROOF)[HeaderProofKind];
}

const OPTS = { profile: "dev", network: "hardhat" } as const;

function calldata(r: ProofResult): Proved {
  if (r.calldata.proof.length !== 8) throw new Error(`prover returned ${r.calldata.proof.length} proof words`);
  return { proof: r.calldata.proof as unknown as ProofCalldata, pub: r.calldata.pubSignals };
}

/** A header proof of a signed header: aggregated (its aggregate signature) unless `kind` says perValidator. */
export async function proveHeader(sh: SignedHeader, kind: HeaderProofKind = "aggregated"): Promise<ProvedHeader> {
  return { ...calldata(await proveHeaderCircuit(sh, { ...OPTS, kind })), kind: HEADER_PROOF[kind] };
}

/** The prover's settlement arguments of a case's result and lockups (slot order) in `tree`. */
function settlementArgs(tree: SparseMerkleTree, c: SettlementCase): SettlementProveArgs {
  return {
    stateRoot: tree.root,
    awayBinding: c.binding,
    result: {
      auctionId: c.result.auctionId,
      digest: auctionResultDigest(c.result),
      proof: tree.prove(leafKey(KIND_AUCTION_RESULT, c.result.auctionId)),
    },
    lockups: c.lockups.map((l) => ({ lockId: l.lockId, digest: lockupDigest(l), proof: tree.prove(leafKey(KIND_LOCKUP, l.lockId)) })),
  };
}

/** Settlement proof of a case's result and lockups (slot order) in `tree`. */
export async function proveSettlement(tree: SparseMerkleTree, c: SettlementCase): Promise<Proved> {
  return calldata(await proveSettlementCircuit(settlementArgs(tree, c), OPTS));
}

/**
 * HeaderSettlement proof (settleWithHeader) of a signed header whose stateRoot is `tree`'s and a
 * case in it; `pub` is all its public signals, `headerPub` the header's four.
 */
export async function proveHeaderSettlement(sh: SignedHeader, tree: SparseMerkleTree, c: SettlementCase): Promise<Proved & { headerPub: bigint[] }> {
  const p = calldata(await proveHeaderSettlementCircuit(sh, settlementArgs(tree, c), OPTS));
  return { ...p, headerPub: p.pub.slice(0, 4) };
}
