// Transaction accumulator proofs (types/src/proof/definition.rs, AccumulatorProof::verify): the
// leaf is hash(TransactionInfo), siblings are listed leaf level first, at each level the node is
// the left child when its index is even; the root must be the LedgerInfo's executed_state_id.
import { encodeBcs, TransactionInfo, type LedgerInfo, type TransactionInfoWithProof } from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { accumulatorNode, bytesEqual, cryptoHash, toHex } from "./hash.ts";

export const MAX_ACCUMULATOR_PROOF_DEPTH = 63;

/** hash(TransactionInfo): the accumulator leaf. */
export function transactionInfoHash(info: typeof TransactionInfo.$inferInput): Uint8Array {
  return cryptoHash("TransactionInfo", encodeBcs(TransactionInfo, info));
}

/** Folds a leaf up its siblings to the root it implies. */
export function accumulatorRoot(leaf: Uint8Array, index: bigint, siblings: readonly Uint8Array[]): Uint8Array {
  if (siblings.length > MAX_ACCUMULATOR_PROOF_DEPTH) {
    throw new OpenLibraError("ProofTooDeep", `accumulator proof has ${siblings.length} siblings, at most ${MAX_ACCUMULATOR_PROOF_DEPTH}`);
  }
  let hash = leaf;
  let i = index;
  for (const s of siblings) {
    hash = i % 2n === 0n ? accumulatorNode(hash, s) : accumulatorNode(s, hash);
    i /= 2n;
  }
  return hash;
}

/**
 * TransactionInfoWithProof::verify: the TransactionInfo is the one at `version` in the ledger the
 * (already verified) LedgerInfo commits to. Returns its state checkpoint hash (the state root of
 * that version); throws NoStateCheckpoint if it has none.
 */
export function verifyTransactionInfo(li: LedgerInfo, version: bigint, proof: TransactionInfoWithProof): Uint8Array {
  const c = li.commitInfo;
  if (version > c.version) {
    throw new OpenLibraError("VersionTooNew", `transaction version ${version} is newer than the LedgerInfo's version ${c.version}`);
  }
  const root = accumulatorRoot(transactionInfoHash(proof.transactionInfo), version, proof.ledgerInfoToTransactionInfoProof.siblings);
  if (!bytesEqual(root, c.executedStateId)) {
    throw new OpenLibraError("AccumulatorRootMismatch", `the proof of version ${version} folds to ${toHex(root)}, not the LedgerInfo's accumulator root ${toHex(c.executedStateId)}`);
  }
  const checkpoint = proof.transactionInfo.stateCheckpointHash;
  if (checkpoint === null) throw new OpenLibraError("NoStateCheckpoint", `the TransactionInfo at version ${version} has no state checkpoint hash`);
  return checkpoint;
}
