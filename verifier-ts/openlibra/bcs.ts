// BCS types of the Open Libra (Diem) ledger objects this package verifies, defined with @mysten/bcs.
// Field order and types follow 0LNetworkCommunity/diem (types/src/ledger_info.rs, block_info.rs,
// epoch_state.rs, validator_verifier.rs, aggregate_signature.rs, transaction/mod.rs,
// proof/definition.rs, waypoint.rs): HashValue and AccountAddress are 32 fixed bytes, BLS keys and
// signatures and the BitVec are length-prefixed byte vectors, Version/Round/epoch are u64,
// PhantomData fields take no bytes. Field names are camelCase here; names do not reach the wire.
import { bcs, type BcsType } from "@mysten/bcs";
import { OpenLibraError } from "./errors.ts";
import { bytesEqual } from "./hash.ts";

const u64 = bcs.u64().transform({ input: (v: bigint) => v, output: (v: string) => BigInt(v) });
/** HashValue: [u8; 32]. */
export const HashValue = bcs.bytes(32);
/** AccountAddress: [u8; 32]. */
export const AccountAddress = bcs.bytes(32);

function sizedBytes(name: string, length: number): BcsType<Uint8Array, Uint8Array> {
  const check = (v: Uint8Array) => {
    if (v.length !== length) throw new OpenLibraError("MalformedBcs", `${name} must be ${length} bytes, got ${v.length}`);
  };
  return bcs.byteVector().transform({
    name,
    input: (v: Uint8Array) => (check(v), v),
    output: (v: Uint8Array) => (check(v), v),
  });
}
/** bls12381::PublicKey: 48-byte compressed G1 point, serialized as bytes (length prefix). */
export const BlsPublicKey = sizedBytes("bls12381::PublicKey", 48);
/** bls12381::Signature: 96-byte compressed G2 point, serialized as bytes. */
export const BlsSignature = sizedBytes("bls12381::Signature", 96);

/** diem_bitvec::BitVec: bytes, at most 8192. Bit i is byte[i/8] & (0x80 >> i%8). */
export const BitVec = bcs.byteVector().transform({
  name: "BitVec",
  input: (v: Uint8Array) => v,
  output: (v: Uint8Array) => {
    if (v.length > 8192) throw new OpenLibraError("MalformedBcs", `BitVec too long: ${v.length} bytes`);
    return v;
  },
});

export const ValidatorConsensusInfo = bcs.struct("ValidatorConsensusInfo", {
  address: AccountAddress,
  publicKey: BlsPublicKey,
  votingPower: u64,
});
export const ValidatorVerifier = bcs.struct("ValidatorVerifier", {
  validatorInfos: bcs.vector(ValidatorConsensusInfo),
});
export const EpochState = bcs.struct("EpochState", {
  epoch: u64,
  verifier: ValidatorVerifier,
});
export const BlockInfo = bcs.struct("BlockInfo", {
  epoch: u64,
  round: u64,
  id: HashValue,
  executedStateId: HashValue,
  version: u64,
  timestampUsecs: u64,
  nextEpochState: bcs.option(EpochState),
});
export const LedgerInfo = bcs.struct("LedgerInfo", {
  commitInfo: BlockInfo,
  consensusDataHash: HashValue,
});
export const AggregateSignature = bcs.struct("AggregateSignature", {
  validatorBitmask: BitVec,
  sig: bcs.option(BlsSignature),
});
const LedgerInfoWithV0 = bcs.struct("LedgerInfoWithV0", {
  ledgerInfo: LedgerInfo,
  signatures: AggregateSignature,
});
/** enum LedgerInfoWithSignatures { V0(LedgerInfoWithV0) }, unwrapped to its only variant. */
export const LedgerInfoWithSignatures = bcs
  .enum("LedgerInfoWithSignatures", { V0: LedgerInfoWithV0 })
  .transform({
    input: (v: typeof LedgerInfoWithV0.$inferInput) => ({ V0: v }),
    output: (e) => e.V0,
  });

const ModuleId = bcs.struct("ModuleId", { address: AccountAddress, name: bcs.string() });
const AbortLocation = bcs.enum("AbortLocation", { Module: ModuleId, Script: null });
export const ExecutionStatus = bcs.enum("ExecutionStatus", {
  Success: null,
  OutOfGas: null,
  MoveAbort: bcs.struct("MoveAbort", {
    location: AbortLocation,
    code: u64,
    info: bcs.option(bcs.struct("AbortInfo", { reasonName: bcs.string(), description: bcs.string() })),
  }),
  ExecutionFailure: bcs.struct("ExecutionFailure", { location: AbortLocation, function: bcs.u16(), codeOffset: bcs.u16() }),
  MiscellaneousError: bcs.option(u64), // Option<StatusCode>, StatusCode serializes as u64
});
const TransactionInfoV0 = bcs.struct("TransactionInfoV0", {
  gasUsed: u64,
  status: ExecutionStatus,
  transactionHash: HashValue,
  eventRootHash: HashValue,
  stateChangeHash: HashValue,
  stateCheckpointHash: bcs.option(HashValue),
  stateCemeteryHash: bcs.option(HashValue),
});
/** enum TransactionInfo { V0(TransactionInfoV0) }, unwrapped. */
export const TransactionInfo = bcs.enum("TransactionInfo", { V0: TransactionInfoV0 }).transform({
  input: (v: typeof TransactionInfoV0.$inferInput) => ({ V0: v }),
  output: (e) => e.V0,
});
/** AccumulatorProof<TransactionAccumulatorHasher>: siblings leaf level first. */
export const TransactionAccumulatorProof = bcs.struct("AccumulatorProof", { siblings: bcs.vector(HashValue) });
/** AccumulatorRangeProof<TransactionAccumulatorHasher>: left and right siblings, leaf level first. */
export const TransactionAccumulatorRangeProof = bcs.struct("AccumulatorRangeProof", {
  leftSiblings: bcs.vector(HashValue),
  rightSiblings: bcs.vector(HashValue),
});
export const TransactionInfoWithProof = bcs.struct("TransactionInfoWithProof", {
  ledgerInfoToTransactionInfoProof: TransactionAccumulatorProof,
  transactionInfo: TransactionInfo,
});
/** The fields of a LedgerInfo a waypoint commits to (types/src/waypoint.rs). */
export const Ledger2WaypointConverter = bcs.struct("Ledger2WaypointConverter", {
  epoch: u64,
  rootHash: HashValue,
  version: u64,
  timestampUsecs: u64,
  nextEpochState: bcs.option(EpochState),
});
/** A state snapshot backup's proof file: BCS((TransactionInfoWithProof, LedgerInfoWithSignatures)). */
export const StateSnapshotProofFile = bcs.tuple([TransactionInfoWithProof, LedgerInfoWithSignatures]);
/** A transaction backup chunk's proof file: BCS((TransactionAccumulatorRangeProof, LedgerInfoWithSignatures)). */
export const TransactionProofFile = bcs.tuple([TransactionAccumulatorRangeProof, LedgerInfoWithSignatures]);

export type ValidatorConsensusInfo = typeof ValidatorConsensusInfo.$inferType;
export type ValidatorVerifier = typeof ValidatorVerifier.$inferType;
export type EpochState = typeof EpochState.$inferType;
export type BlockInfo = typeof BlockInfo.$inferType;
export type LedgerInfo = typeof LedgerInfo.$inferType;
export type AggregateSignature = typeof AggregateSignature.$inferType;
export type LedgerInfoWithSignatures = typeof LedgerInfoWithSignatures.$inferType;
export type TransactionInfo = typeof TransactionInfo.$inferType;
export type TransactionAccumulatorProof = typeof TransactionAccumulatorProof.$inferType;
export type TransactionAccumulatorRangeProof = typeof TransactionAccumulatorRangeProof.$inferType;
export type TransactionInfoWithProof = typeof TransactionInfoWithProof.$inferType;

/**
 * Decodes `bytes` as exactly one canonical `type`: anything the library refuses, trailing bytes,
 * and encodings that do not re-serialize to the same bytes (non-canonical ULEB lengths, ...) are
 * MalformedBcs. So a decoded value's serialization is always the input.
 */
export function decodeBcs<T, I>(type: BcsType<T, I>, bytes: Uint8Array, what: string): T {
  let value: T;
  let again: Uint8Array;
  try {
    value = type.parse(bytes);
    again = type.serialize(value as unknown as I).toBytes();
  } catch (e) {
    throw new OpenLibraError("MalformedBcs", `${what}: not BCS of ${type.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!bytesEqual(again, bytes)) {
    throw new OpenLibraError(
      "MalformedBcs",
      again.length < bytes.length
        ? `${what}: ${bytes.length - again.length} trailing bytes after ${type.name}`
        : `${what}: not the canonical BCS of ${type.name}`,
    );
  }
  return value;
}

/** BCS bytes of a value. */
export function encodeBcs<T, I>(type: BcsType<T, I>, value: I): Uint8Array {
  return type.serialize(value).toBytes();
}
