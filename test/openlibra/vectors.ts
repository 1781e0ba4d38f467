// The real Open Libra mainnet backup files of ../shared/vectors/openlibra (beside the checkout, as CI
// has it; OLZK_SHARED_DIR overrides the shared folder), read and verified once per test file.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  parseEpochEndingManifest,
  parseStateSnapshotManifest,
  ratchetEpochChain,
  readEpochEndingChunk,
  readStateSnapshotProof,
  readTransactionProof,
  type EpochEndingManifest,
  type LedgerInfoWithSignatures,
  type StateSnapshotManifest,
  type TransactionInfoWithProof,
  type TrustedLedger,
} from "../../verifier-ts/openlibra/index.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VECTORS_DIR = join(process.env.OLZK_SHARED_DIR ?? resolve(REPO_ROOT, "..", "shared"), "vectors", "openlibra");

export const FILES = {
  chunk: join(VECTORS_DIR, "epoch_ending_116.chunk"),
  manifest: join(VECTORS_DIR, "epoch_ending_116.manifest"),
  txProof: join(VECTORS_DIR, "transaction_38100001-38200000.proof"),
  stateProof: join(VECTORS_DIR, "state_epoch_116_ver_38180075.proof"),
  stateManifest: join(VECTORS_DIR, "state_epoch_116_ver_38180075.manifest"),
} as const;

export const WAYPOINT_116 = "38180075:98d7eb16747c1441350c4a1a6aa8b2d504c30ce2520807f2adc87d5a06d4f70f";

export interface Mainnet {
  manifest: EpochEndingManifest;
  chunk: LedgerInfoWithSignatures[];
  ledger: TrustedLedger;
  /** The epoch-117 LedgerInfo (version 38200017) of the transaction proof, signed by 29 of 41. */
  li117: LedgerInfoWithSignatures;
  stateManifest: StateSnapshotManifest;
  stateProof: { transactionInfo: TransactionInfoWithProof; ledgerInfo: LedgerInfoWithSignatures };
}

export function loadMainnet(): Mainnet {
  const manifest = parseEpochEndingManifest(readFileSync(FILES.manifest, "utf8"));
  const chunk = readEpochEndingChunk(readFileSync(FILES.chunk));
  return {
    manifest,
    chunk,
    ledger: ratchetEpochChain(manifest.waypoints[0]!, chunk),
    li117: readTransactionProof(readFileSync(FILES.txProof)).ledgerInfo,
    stateManifest: parseStateSnapshotManifest(readFileSync(FILES.stateManifest, "utf8")),
    stateProof: readStateSnapshotProof(readFileSync(FILES.stateProof)),
  };
}
