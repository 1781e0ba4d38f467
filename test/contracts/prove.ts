// Real Groth16 proofs for the contract tests, from the prover API (prover/prover.ts): HeaderQuorum
// proofs of signed Home headers and Settlement proofs of auction results with their lockups, as
// Solidity calldata (bigints). The prover caches proofs on disk by input hash (build/proofs), so
// reruns of the suite do not prove again.
import type { SignedHeader, SparseMerkleTree } from "../../home/model/index.ts";
import { auctionResultDigest, KIND_AUCTION_RESULT, KIND_LOCKUP, leafKey, lockupDigest } from "../../home/model/index.ts";
import { proveHeaderQuorum, proveSettlement as proveSettlementCircuit, type ProofResult } from "../../prover/prover.ts";
import type { SettlementCase } from "./home-scenario.ts";

export type ProofCalldata = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export interface Proved {
  proof: ProofCalldata;
  pub: bigint[];
}

const OPTS = { profile: "dev", network: "hardhat" } as const;

function calldata(r: ProofResult): Proved {
  if (r.calldata.proof.length !== 8) throw new Error(`prover returned ${r.calldata.proof.length} proof words`);
  return { proof: r.calldata.proof as unknown as ProofCalldata, pub: r.calldata.pubSignals };
}

/** HeaderQuorum proof of a signed header. */
export async function proveHeader(sh: SignedHeader): Promise<Proved> {
  return calldata(await proveHeaderQuorum(sh, OPTS));
}

/** Settlement proof of a case's result and lockups (slot order) in `tree`. */
export async function proveSettlement(tree: SparseMerkleTree, c: SettlementCase): Promise<Proved> {
  const r = await proveSettlementCircuit(
    {
      stateRoot: tree.root,
      awayBinding: c.binding,
      result: {
        auctionId: c.result.auctionId,
        digest: auctionResultDigest(c.result),
        proof: tree.prove(leafKey(KIND_AUCTION_RESULT, c.result.auctionId)),
      },
      lockups: c.lockups.map((l) => ({ lockId: l.lockId, digest: lockupDigest(l), proof: tree.prove(leafKey(KIND_LOCKUP, l.lockId)) })),
    },
    OPTS,
  );
  return calldata(r);
}
