// The devnet in Open Libra's own formats (DESIGN section 10): its validators' BLS12-381 consensus
// keys (validator-sim.ts) sign what real Open Libra validators sign, built with
// verifier-ts/openlibra/builder.ts, so the same verifiers read the devnet and mainnet.
//
// - Open Libra epoch E is Home epoch E, with the same validators (slot order, the slots' powers).
//   Version = block height: the LedgerInfo that ends epoch E is at the epoch's last block, with
//   id = that header's hash, executed_state_id = its stateRoot (the devnet has no transaction
//   accumulator), timestamp = its time, next_epoch_state = the real set of epoch E + 1, signed
//   (seed("DIEM::LedgerInfo") || BCS, aggregate BLS) by the slots that signed that header.
// - The voucher of epoch E (verifier-ts/openlibra/voucher.ts) is the epoch-E set vouching for the
//   epoch's attestation-set commitment, signed by the slots that signed the epoch's first block.
// So the offline switches leave offline validators out of both, and everything here is a function
// of stored blocks: a restart serves the same bytes. The genesis waypoint is that of the LedgerInfo
// ending epoch 0 (the first one a verifier can trust by hash, like a mainnet epoch_ending manifest).
//
// Backups: writeEpochEndingBackup writes an epoch-ending backup folder as db-backup does
// (<root>/epoch_ending_<first>-<last>/epoch_ending.manifest and <first>-.chunk; the manifest's
// chunk handle is relative to the root), which `olzk verify openlibra --epoch-ending` reads.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeBcs,
  encodeEpochEndingChunk,
  EpochState as EpochStateBcs,
  LedgerInfoWithSignatures as LedgerInfoWithSignaturesBcs,
  epochStateOf,
  formatWaypoint,
  signLedgerInfo,
  signVoucher,
  waypointOf,
  type EpochState,
  type LedgerInfo,
  type LedgerInfoWithSignatures,
  type ValidatorSigner,
  type Voucher,
  type Waypoint,
} from "../../verifier-ts/openlibra/index.ts";
import { HomeError, MAX_EPOCH_ENDINGS, type BackupView, type EpochEndingReplyView, type EpochEndingView, type EpochStateView, type VoucherView, type WaypointView } from "../api/index.ts";
import { bigIntToBytesBE, bytesToHex, type Header } from "../model/index.ts";
import type { ValidatorSim } from "./validator-sim.ts";

/** What the producer reads of the chain: its sealed blocks. */
export interface SealedBlocks {
  epochBlocks: number;
  latestHeight(): bigint;
  block(height: bigint): { header: Header; hash: bigint; signed: boolean[] } | undefined;
}

/** The folder of a backup of epochs first..last under the backup root. */
export function backupFolderName(first: bigint, last: bigint): string {
  return `epoch_ending_${first}-${last}`;
}

export const MANIFEST_FILE = "epoch_ending.manifest";

export class DevnetOpenLibra {
  private readonly ledgerInfos = new Map<bigint, LedgerInfoWithSignatures>();
  private readonly vouchers = new Map<bigint, Voucher>();

  constructor(
    private readonly sim: ValidatorSim,
    private readonly chain: SealedBlocks,
    /** Where each ended epoch's backup is written (null: only on request). */
    readonly backupDir: string | null,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The real validators of `epoch`: the seated identities' consensus keys and addresses, the slots' powers. */
  signers(epoch: bigint): ValidatorSigner[] {
    const powers = this.sim.opts.powers;
    return this.sim.membersOf(epoch).map((index, slot) => {
      const id = this.sim.identity(index);
      return { address: id.validator.address, secretKey: id.blsSecretKey, publicKey: id.validator.blsPublicKey, votingPower: powers[slot]! };
    });
  }

  epochState(epoch: bigint): EpochState {
    return epochStateOf(epoch, this.signers(epoch));
  }

  /** The last epoch whose last block is sealed, or null while epoch 0 runs. */
  lastEndedEpoch(): bigint | null {
    const ended = (this.chain.latestHeight() + 1n) / BigInt(this.chain.epochBlocks);
    return ended === 0n ? null : ended - 1n;
  }

  private sealedBlock(height: bigint) {
    const b = this.chain.block(height);
    if (!b) throw new Error(`block ${height} is not sealed`);
    return b;
  }

  /** The epoch-ending LedgerInfoWithSignatures of `epoch` (HomeError ledger-info-not-found before the epoch ends). */
  ledgerInfo(epoch: bigint): LedgerInfoWithSignatures {
    const cached = this.ledgerInfos.get(epoch);
    if (cached) return cached;
    const ended = this.lastEndedEpoch();
    if (ended === null || epoch > ended) {
      throw new HomeError("ledger-info-not-found", `epoch ${epoch} has not ended yet (${ended === null ? "no epoch has" : `the last ended epoch is ${ended}`})`);
    }
    const K = BigInt(this.chain.epochBlocks);
    const height = (epoch + 1n) * K - 1n;
    const block = this.sealedBlock(height);
    const li: LedgerInfo = {
      commitInfo: {
        epoch,
        round: height - epoch * K,
        id: bigIntToBytesBE(block.hash, 32),
        executedStateId: bigIntToBytesBE(block.header.stateRoot, 32),
        version: height,
        timestampUsecs: block.header.timestampMs * 1000n,
        nextEpochState: this.epochState(epoch + 1n),
      },
      consensusDataHash: new Uint8Array(32),
    };
    const liws = signLedgerInfo(li, this.signers(epoch), signedSlots(block.signed, this.sim.opts.active));
    this.ledgerInfos.set(epoch, liws);
    return liws;
  }

  /** The waypoint of the LedgerInfo that ends epoch 0: the devnet's trusted start. */
  genesisWaypoint(): Waypoint {
    return waypointOf(this.ledgerInfo(0n).ledgerInfo);
  }

  /**
   * The voucher of `epoch`'s attestation set, by the slots that signed the epoch's first block
   * (HomeError voucher-not-found before that block, or when none of them signed it).
   */
  voucher(epoch: bigint): Voucher {
    const cached = this.vouchers.get(epoch);
    if (cached) return cached;
    const first = epoch * BigInt(this.chain.epochBlocks);
    if (first > this.chain.latestHeight()) throw new HomeError("voucher-not-found", `epoch ${epoch} has not started yet (its first block is ${first}, the latest ${this.chain.latestHeight()})`);
    const signers = signedSlots(this.sealedBlock(first).signed, this.sim.opts.active);
    if (signers.length === 0) throw new HomeError("voucher-not-found", `no validator of epoch ${epoch} signed its first block (all offline), so none vouched for its set`);
    const v = signVoucher(epoch, this.sim.rootOf(epoch), this.signers(epoch), signers);
    this.vouchers.set(epoch, v);
    return v;
  }

  /** GET /openlibra/epoch-ending: epochs from..to (to: at most MAX_EPOCH_ENDINGS on, and the last ended epoch). */
  epochEndings(from: bigint, to?: bigint): EpochEndingReplyView {
    const ended = this.lastEndedEpoch();
    if (ended === null || from > ended) this.ledgerInfo(from); // throws ledger-info-not-found
    const last = to ?? from + BigInt(MAX_EPOCH_ENDINGS) - 1n;
    if (last < from) throw new HomeError("invalid-request", `'to' (${last}) is below 'from' (${from})`);
    if (last - from + 1n > BigInt(MAX_EPOCH_ENDINGS)) throw new HomeError("invalid-request", `at most ${MAX_EPOCH_ENDINGS} epochs per request, asked for ${last - from + 1n}`);
    const upTo = last < ended! ? last : ended!;
    const ledgerInfos: EpochEndingView[] = [];
    for (let e = from; e <= upTo; e++) {
      const liws = this.ledgerInfo(e);
      ledgerInfos.push({
        epoch: e,
        version: liws.ledgerInfo.commitInfo.version,
        waypoint: formatWaypoint(waypointOf(liws.ledgerInfo)),
        bcs: bytesToHex(encodeBcs(LedgerInfoWithSignaturesBcs, liws)),
        ledgerInfoWithSignatures: liws,
      });
    }
    return { from, to: upTo, lastEndedEpoch: ended!, ledgerInfos };
  }

  epochStateView(epoch: bigint): EpochStateView {
    const epochState = this.epochState(epoch);
    return { epoch, bcs: bytesToHex(encodeBcs(EpochStateBcs, epochState)), epochState };
  }

  waypointView(): WaypointView {
    const w = this.genesisWaypoint();
    return { epoch: 0n, version: w.version, waypoint: formatWaypoint(w) };
  }

  voucherView(epoch: bigint): VoucherView {
    const v = this.voucher(epoch);
    return { epoch: v.epoch, attestationSetRoot: v.attestationSetRoot, validatorBitmask: v.signatures.validatorBitmask, signature: v.signatures.sig! };
  }

  /** Hook after each sealed block: at an epoch's end, its LedgerInfo (and backup, with a backup dir); at its first block, its voucher. */
  sealed(height: bigint): void {
    const K = BigInt(this.chain.epochBlocks);
    if (height % K === 0n) this.voucher(height / K);
    if ((height + 1n) % K === 0n) {
      const epoch = height / K;
      this.ledgerInfo(epoch);
      if (this.backupDir !== null) this.backupQuietly(epoch);
    }
  }

  /** Writes the backup of every ended epoch not yet in the backup dir (after a crash between sealing and writing). */
  writeMissingBackups(): void {
    const ended = this.lastEndedEpoch();
    if (this.backupDir === null || ended === null) return;
    for (let e = 0n; e <= ended; e++) if (!existsSync(join(this.backupDir, backupFolderName(e, e)))) this.backupQuietly(e);
  }

  /** A backup failure does not stop the chain: it is logged, and writeMissingBackups retries it at the next start. */
  private backupQuietly(epoch: bigint): void {
    try {
      this.writeBackup(epoch, epoch);
    } catch (e) {
      this.log(`could not write the epoch-ending backup of epoch ${epoch} to ${this.backupDir}: ${(e as Error).message}`);
    }
  }

  /** POST /admin/openlibra/backup: epochs from..to (default: 0 and the last ended epoch) into the backup dir. */
  backupOnRequest(from = 0n, to?: bigint): BackupView {
    if (this.backupDir === null) throw new HomeError("backup-dir-missing", "the devnet has no backup directory (--backup-dir)");
    const ended = this.lastEndedEpoch();
    const last = to ?? ended ?? 0n;
    if (ended === null || last > ended) this.ledgerInfo(last); // throws ledger-info-not-found
    const w = this.writeBackup(from, last);
    return { manifest: w.manifest, firstEpoch: from, lastEpoch: last, waypoints: w.waypoints };
  }

  /** Writes the epoch-ending backup of epochs first..last (all ended) into the backup dir; returns the manifest's path. */
  writeBackup(first: bigint, last: bigint, root = this.backupDir): { manifest: string; waypoints: string[] } {
    if (root === null) throw new HomeError("backup-dir-missing", "the devnet has no backup directory (--backup-dir)");
    if (first > last) throw new HomeError("invalid-request", `the backup's first epoch ${first} is after its last ${last}`);
    const lis: LedgerInfoWithSignatures[] = [];
    for (let e = first; e <= last; e++) lis.push(this.ledgerInfo(e));
    return writeEpochEndingBackup(root, first, lis);
  }
}

/** Slot indices that signed (the active slots only: the Open Libra set has no empty slots). */
function signedSlots(signed: readonly boolean[], active: number): number[] {
  return signed.slice(0, active).flatMap((s, i) => (s ? [i] : []));
}

/**
 * Writes `<root>/epoch_ending_<first>-<last>/` with the chunk `<first>-.chunk` and the manifest
 * (db-backup's EpochEndingBackup: first_epoch, last_epoch, waypoints, chunks with handles relative
 * to the root). The folder appears whole or not at all (written aside, then renamed); an existing
 * one is kept (its content is the same: a function of the stored chain).
 */
export function writeEpochEndingBackup(root: string, first: bigint, ledgerInfos: readonly LedgerInfoWithSignatures[]): { manifest: string; waypoints: string[] } {
  const last = first + BigInt(ledgerInfos.length) - 1n;
  const folder = backupFolderName(first, last);
  const chunkName = `${first}-.chunk`;
  const waypoints = ledgerInfos.map((li) => formatWaypoint(waypointOf(li.ledgerInfo)));
  const manifest = join(root, folder, MANIFEST_FILE);
  if (existsSync(join(root, folder))) return { manifest, waypoints };
  const manifestJson = {
    first_epoch: Number(first),
    last_epoch: Number(last),
    waypoints,
    chunks: [{ first_epoch: Number(first), last_epoch: Number(last), ledger_infos: `${folder}/${chunkName}` }],
  };
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.${folder}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileSync(join(tmp, chunkName), encodeEpochEndingChunk(ledgerInfos));
  writeFileSync(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifestJson, null, 2)}\n`);
  renameSync(tmp, join(root, folder));
  return { manifest, waypoints };
}
