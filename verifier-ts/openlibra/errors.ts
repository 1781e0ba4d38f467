// The one error type of verifier-ts/openlibra: every refusal carries a code that callers
// (the CLI, tests, the devnet, a light client) switch on; the message is for people only.

/** Why an Open Libra object was refused. */
export type OpenLibraErrorCode =
  // input that cannot be read at all
  | "MalformedBcs" // bytes that are not the BCS of the expected type (or not canonical BCS)
  | "MalformedFile" // a backup file whose framing (length-prefixed records, JSON manifest) is wrong
  | "MalformedWaypoint" // not VERSION:64-hex
  | "InvalidPublicKey" // a 48-byte G1 key that does not decode to a curve point
  | "InvalidSignature" // a 96-byte G2 signature that does not decode to a subgroup point
  // waypoints and epoch chains
  | "WaypointMismatch" // the LedgerInfo's version or waypoint hash differs from the trusted waypoint
  | "ManifestMismatch" // a backup file disagrees with its manifest (waypoints, epochs, root, version)
  | "NotEpochEnding" // an epoch-ending LedgerInfo without next_epoch_state
  | "EpochMismatch" // a LedgerInfo of another epoch than the validator set that should sign it
  | "EmptyChain" // nothing to verify
  | "StaleLedgerInfo" // a LedgerInfo older than what is already trusted
  // quorum certificates
  | "BitmaskLength" // validator_bitmask is not exactly ceil(n/8) bytes
  | "BitmaskOutOfRange" // a bit at or above the number of validators is set
  | "InsufficientVotingPower" // signers hold less than total * 2 / 3 + 1
  | "MissingSignature" // sig is None
  | "SignatureMismatch" // the aggregate signature does not verify under the signers' aggregate key
  | "InvalidValidatorSet" // a validator set with no validators, or more than a u16 bitmask can index
  // accumulator proofs
  | "ProofTooDeep" // more than 63 siblings
  | "VersionTooNew" // the transaction version is above the LedgerInfo's version
  | "AccumulatorRootMismatch" // the proof does not fold to the LedgerInfo's executed_state_id
  | "NoStateCheckpoint" // the TransactionInfo has no state_checkpoint_hash
  | "StateRootMismatch" // the proven state checkpoint hash differs from the expected state root
  | "UnverifiedLedgerInfo" // a LedgerInfo that no trusted waypoint or known validator set covers
  // vouchers
  | "VoucherMismatch"; // a voucher for another epoch, chain or attestation set than expected

export class OpenLibraError extends Error {
  readonly code: OpenLibraErrorCode;
  constructor(code: OpenLibraErrorCode, message: string) {
    super(message);
    this.name = "OpenLibraError";
    this.code = code;
  }
}

