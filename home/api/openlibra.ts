// Wire schemas of the Home API's Open Libra routes (home/devnet/API.md, "Open Libra"): epoch-ending
// LedgerInfoWithSignatures as BCS hex and as JSON, the genesis waypoint, and attestation-set
// vouchers. The JSON of a LedgerInfo mirrors its BCS struct field by field (the names of
// verifier-ts/openlibra/bcs.ts, u64 as decimal strings, bytes as 0x hex), and decodes to the same
// shape (bigints, Uint8Arrays), so a decoded value is what verifier-ts's LedgerInfoWithSignatures
// type describes; the BCS bytes are the canonical form (verify those, e.g. with decodeBcs). A
// voucher's JSON is the voucher file of verifier-ts/openlibra/voucher.ts (voucherFromJSON reads it).
import * as z from "zod";
import { bytesToHex, hexToBytes } from "viem";
import { hexBytes, u256, u64, uintIn } from "./codecs.ts";

/** The most epoch-ending LedgerInfos one GET /openlibra/epoch-ending answers (Aptos's own cap). */
export const MAX_EPOCH_ENDINGS = 100;

/** Bytes as 0x hex on the wire, a Uint8Array once decoded (`length`: exactly that many bytes). */
function bytes(length?: number) {
  const what = length === undefined ? "0x-prefixed hex" : `0x followed by ${2 * length} hex digits (${length} bytes)`;
  const pattern = length === undefined ? /^0x([0-9a-fA-F]{2})*$/ : new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`);
  return z.codec(z.string({ error: `must be ${what}` }).regex(pattern, { error: `must be ${what}` }), z.custom<Uint8Array>((v) => v instanceof Uint8Array && (length === undefined || v.length === length)), {
    decode: (s) => hexToBytes(s as `0x${string}`),
    encode: (b) => bytesToHex(b),
  });
}

/** `VERSION:HASH` (decimal version, 64 lowercase hex digits), as `olzk verify openlibra --waypoint` takes it. */
export const waypointText = z.string().regex(/^(0|[1-9][0-9]*):[0-9a-f]{64}$/, { error: "must be a waypoint VERSION:HASH" });

export const ValidatorConsensusInfoJSON = z.strictObject({ address: bytes(32), publicKey: bytes(48), votingPower: u64 });
export const EpochStateJSON = z.strictObject({ epoch: u64, verifier: z.strictObject({ validatorInfos: z.array(ValidatorConsensusInfoJSON) }) });
export const LedgerInfoJSON = z.strictObject({
  commitInfo: z.strictObject({
    epoch: u64,
    round: u64,
    id: bytes(32),
    executedStateId: bytes(32),
    version: u64,
    timestampUsecs: u64,
    nextEpochState: EpochStateJSON.nullable(),
  }),
  consensusDataHash: bytes(32),
});
export const LedgerInfoWithSignaturesJSON = z.strictObject({
  ledgerInfo: LedgerInfoJSON,
  signatures: z.strictObject({ validatorBitmask: bytes(), sig: bytes(96).nullable() }),
});

/** One epoch-ending LedgerInfo: the epoch it ends, its version and waypoint, BCS(LedgerInfoWithSignatures) and the same as JSON. */
export const EpochEndingView = z.strictObject({
  epoch: u64,
  version: u64,
  waypoint: waypointText,
  bcs: hexBytes,
  ledgerInfoWithSignatures: LedgerInfoWithSignaturesJSON,
});

/** GET /openlibra/epoch-ending: the LedgerInfos that end epochs from..to, and the last ended epoch. */
export const EpochEndingReply = z.strictObject({ from: u64, to: u64, lastEndedEpoch: u64, ledgerInfos: z.array(EpochEndingView) });

/** GET /openlibra/epoch-states/{epoch}: an epoch's Open Libra validator set, BCS(EpochState) and the same as JSON. */
export const EpochStateReply = z.strictObject({ epoch: u64, bcs: hexBytes, epochState: EpochStateJSON });

/** GET /openlibra/waypoint: the waypoint of the LedgerInfo that ends the genesis epoch (0). */
export const WaypointReply = z.strictObject({ epoch: u64, version: u64, waypoint: waypointText });

/** GET /openlibra/vouchers/{epoch}: the voucher file (verifier-ts/openlibra/voucher.ts, circuits/ENCODING.md). */
export const VoucherReply = z.strictObject({ epoch: u64, attestationSetRoot: u256, validatorBitmask: bytes(), signature: bytes(96) });

/** POST /admin/openlibra/backup: which epochs (default: every ended one). */
export const BackupRequest = z.strictObject({ fromEpoch: uintIn(64).optional(), toEpoch: uintIn(64).optional() });
/** The manifest written (its path on the devnet's machine), its epochs and waypoints. */
export const BackupReply = z.strictObject({ manifest: z.string(), firstEpoch: u64, lastEpoch: u64, waypoints: z.array(waypointText) });

export type EpochEndingView = z.output<typeof EpochEndingView>;
export type EpochEndingReplyView = z.output<typeof EpochEndingReply>;
export type EpochStateView = z.output<typeof EpochStateReply>;
export type WaypointView = z.output<typeof WaypointReply>;
export type VoucherView = z.output<typeof VoucherReply>;
export type BackupView = z.output<typeof BackupReply>;
