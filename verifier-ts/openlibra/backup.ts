// Readers for Open Libra db-backup files (storage/backup/backup-cli in 0LNetworkCommunity/diem):
// epoch-ending chunks (records of u32 big-endian length + BCS(LedgerInfoWithSignatures)), the
// proof files of transaction and state snapshot backups, and the JSON manifests. Pure functions
// of bytes and text: reading files is the caller's job (the CLI, a browser upload, ...).
import {
  decodeBcs,
  LedgerInfoWithSignatures,
  StateSnapshotProofFile,
  TransactionProofFile,
  type TransactionAccumulatorRangeProof,
  type TransactionInfoWithProof,
} from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { bytesEqual, fromHex, toHex } from "./hash.ts";
import { verifyTransactionInfo } from "./accumulator.ts";
import { verifyLedgerInfo, type TrustedLedger, type VerifiedLedgerInfo } from "./ratchet.ts";
import { formatWaypoint, parseWaypoint, waypointOf, waypointsEqual, type Waypoint } from "./waypoint.ts";

/** The LedgerInfoWithSignatures records of an epoch-ending chunk, in file order. */
export function readEpochEndingChunk(bytes: Uint8Array, what = "epoch-ending chunk"): LedgerInfoWithSignatures[] {
  const out: LedgerInfoWithSignatures[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 4) throw new OpenLibraError("MalformedFile", `${what}: ${bytes.length - at} stray bytes at offset ${at} (a record starts with a 4-byte length)`);
    const len = view.getUint32(at, false);
    if (len > bytes.length - at - 4) throw new OpenLibraError("MalformedFile", `${what}: record ${out.length} at offset ${at} claims ${len} bytes, ${bytes.length - at - 4} remain`);
    out.push(decodeBcs(LedgerInfoWithSignatures, bytes.subarray(at + 4, at + 4 + len), `${what} record ${out.length}`));
    at += 4 + len;
  }
  if (out.length === 0) throw new OpenLibraError("MalformedFile", `${what}: no records`);
  return out;
}

/** A transaction backup chunk's proof file: the range proof and the LedgerInfo it is proven against. */
export function readTransactionProof(bytes: Uint8Array): { rangeProof: TransactionAccumulatorRangeProof; ledgerInfo: LedgerInfoWithSignatures } {
  const [rangeProof, ledgerInfo] = decodeBcs(TransactionProofFile, bytes, "transaction proof");
  return { rangeProof, ledgerInfo };
}

/** A state snapshot's proof file: the TransactionInfo at the snapshot version and the LedgerInfo it is proven against. */
export function readStateSnapshotProof(bytes: Uint8Array): { transactionInfo: TransactionInfoWithProof; ledgerInfo: LedgerInfoWithSignatures } {
  const [transactionInfo, ledgerInfo] = decodeBcs(StateSnapshotProofFile, bytes, "state snapshot proof");
  return { transactionInfo, ledgerInfo };
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new OpenLibraError("MalformedFile", `${what} is not JSON`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new OpenLibraError("MalformedFile", `${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function uint(o: Record<string, unknown>, key: string, what: string): bigint {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new OpenLibraError("MalformedFile", `${what}: '${key}' must be a non-negative integer`);
  return BigInt(v);
}

function str(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new OpenLibraError("MalformedFile", `${what}: '${key}' must be a string`);
  return v;
}

function list(o: Record<string, unknown>, key: string, what: string): Record<string, unknown>[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "object" || x === null)) {
    throw new OpenLibraError("MalformedFile", `${what}: '${key}' must be a non-empty array of objects`);
  }
  return v as Record<string, unknown>[];
}

export interface EpochEndingManifest {
  firstEpoch: bigint;
  lastEpoch: bigint;
  waypoints: Waypoint[];
  chunks: { firstEpoch: bigint; lastEpoch: bigint; ledgerInfos: string }[];
}

/** Parses an epoch-ending manifest and checks it as EpochEndingBackup::verify does. */
export function parseEpochEndingManifest(text: string): EpochEndingManifest {
  const what = "epoch-ending manifest";
  const o = parseJsonObject(text, what);
  const firstEpoch = uint(o, "first_epoch", what);
  const lastEpoch = uint(o, "last_epoch", what);
  const rawWaypoints = o.waypoints;
  if (!Array.isArray(rawWaypoints) || rawWaypoints.some((w) => typeof w !== "string")) throw new OpenLibraError("MalformedFile", `${what}: 'waypoints' must be an array of strings`);
  const waypoints = (rawWaypoints as string[]).map((w) => parseWaypoint(w));
  const chunks = list(o, "chunks", what).map((c) => ({
    firstEpoch: uint(c, "first_epoch", what),
    lastEpoch: uint(c, "last_epoch", what),
    ledgerInfos: str(c, "ledger_infos", what),
  }));
  if (firstEpoch > lastEpoch || lastEpoch - firstEpoch + 1n !== BigInt(waypoints.length)) {
    throw new OpenLibraError("MalformedFile", `${what}: epochs ${firstEpoch}..${lastEpoch} with ${waypoints.length} waypoints`);
  }
  let next = firstEpoch;
  for (const c of chunks) {
    if (c.firstEpoch !== next || c.lastEpoch < c.firstEpoch) throw new OpenLibraError("MalformedFile", `${what}: chunk ${c.firstEpoch}..${c.lastEpoch} does not continue at epoch ${next}`);
    next = c.lastEpoch + 1n;
  }
  if (next - 1n !== lastEpoch) throw new OpenLibraError("MalformedFile", `${what}: chunks end at epoch ${next - 1n}, the manifest at ${lastEpoch}`);
  return { firstEpoch, lastEpoch, waypoints, chunks };
}

/** Checks a chunk's LedgerInfos against its manifest: one per epoch, each with the manifest's waypoint. */
export function checkChunkAgainstManifest(manifest: EpochEndingManifest, chunkIndex: number, ledgerInfos: readonly LedgerInfoWithSignatures[]): void {
  const chunk = manifest.chunks[chunkIndex];
  if (!chunk) throw new OpenLibraError("ManifestMismatch", `the manifest has no chunk ${chunkIndex}`);
  const count = chunk.lastEpoch - chunk.firstEpoch + 1n;
  if (BigInt(ledgerInfos.length) !== count) {
    throw new OpenLibraError("ManifestMismatch", `chunk ${chunkIndex} has ${ledgerInfos.length} LedgerInfos, its manifest says epochs ${chunk.firstEpoch}..${chunk.lastEpoch}`);
  }
  ledgerInfos.forEach((liws, k) => {
    const epoch = chunk.firstEpoch + BigInt(k);
    const li = liws.ledgerInfo;
    if (li.commitInfo.epoch !== epoch) throw new OpenLibraError("ManifestMismatch", `chunk ${chunkIndex} record ${k} is of epoch ${li.commitInfo.epoch}, the manifest says ${epoch}`);
    const expected = manifest.waypoints[Number(epoch - manifest.firstEpoch)]!;
    const got = waypointOf(li);
    if (!waypointsEqual(got, expected)) throw new OpenLibraError("ManifestMismatch", `epoch ${epoch}: the chunk's waypoint ${formatWaypoint(got)} is not the manifest's ${formatWaypoint(expected)}`);
  });
}

export interface StateSnapshotManifest {
  version: bigint;
  epoch: bigint;
  rootHash: Uint8Array;
  chunks: { firstIdx: bigint; lastIdx: bigint; firstKey: Uint8Array; lastKey: Uint8Array; blobs: string; proof: string }[];
  proof: string;
}

export function parseStateSnapshotManifest(text: string): StateSnapshotManifest {
  const what = "state snapshot manifest";
  const o = parseJsonObject(text, what);
  return {
    version: uint(o, "version", what),
    epoch: uint(o, "epoch", what),
    rootHash: fromHex(str(o, "root_hash", what), 32, `${what} root_hash`),
    chunks: list(o, "chunks", what).map((c) => ({
      firstIdx: uint(c, "first_idx", what),
      lastIdx: uint(c, "last_idx", what),
      firstKey: fromHex(str(c, "first_key", what), 32, `${what} first_key`),
      lastKey: fromHex(str(c, "last_key", what), 32, `${what} last_key`),
      blobs: str(c, "blobs", what),
      proof: str(c, "proof", what),
    })),
    proof: str(o, "proof", what),
  };
}

export interface TransactionManifest {
  firstVersion: bigint;
  lastVersion: bigint;
  chunks: { firstVersion: bigint; lastVersion: bigint; transactions: string; proof: string }[];
}

/** Parses a transaction backup manifest and checks its ranges (TransactionBackup::verify). */
export function parseTransactionManifest(text: string): TransactionManifest {
  const what = "transaction manifest";
  const o = parseJsonObject(text, what);
  const firstVersion = uint(o, "first_version", what);
  const lastVersion = uint(o, "last_version", what);
  const chunks = list(o, "chunks", what).map((c) => ({
    firstVersion: uint(c, "first_version", what),
    lastVersion: uint(c, "last_version", what),
    transactions: str(c, "transactions", what),
    proof: str(c, "proof", what),
  }));
  let next = firstVersion;
  for (const c of chunks) {
    if (c.firstVersion !== next || c.lastVersion < c.firstVersion) throw new OpenLibraError("MalformedFile", `${what}: chunk ${c.firstVersion}..${c.lastVersion} does not continue at version ${next}`);
    next = c.lastVersion + 1n;
  }
  if (firstVersion > lastVersion || next - 1n !== lastVersion) throw new OpenLibraError("MalformedFile", `${what}: chunks end at version ${next - 1n}, the manifest at ${lastVersion}`);
  return { firstVersion, lastVersion, chunks };
}

export interface VerifiedStateRoot {
  version: bigint;
  stateRoot: Uint8Array;
  ledgerInfo: VerifiedLedgerInfo;
}

/**
 * A state snapshot's root is committed at its version: the proof's LedgerInfo verifies against the
 * trusted ledger, the TransactionInfo at the manifest's version is in that LedgerInfo's accumulator,
 * and its state checkpoint hash is the manifest's root_hash (StateSnapshotRestoreController).
 */
export function verifyStateSnapshot(
  ledger: TrustedLedger,
  manifest: StateSnapshotManifest,
  proof: { transactionInfo: TransactionInfoWithProof; ledgerInfo: LedgerInfoWithSignatures },
): VerifiedStateRoot {
  const verified = verifyLedgerInfo(ledger, proof.ledgerInfo);
  const stateRoot = verifyTransactionInfo(proof.ledgerInfo.ledgerInfo, manifest.version, proof.transactionInfo);
  if (!bytesEqual(stateRoot, manifest.rootHash)) {
    throw new OpenLibraError("StateRootMismatch", `the state checkpoint hash at version ${manifest.version} is ${toHex(stateRoot)}, the manifest says ${toHex(manifest.rootHash)}`);
  }
  return { version: manifest.version, stateRoot, ledgerInfo: verified };
}
