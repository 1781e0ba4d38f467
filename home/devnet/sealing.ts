// Sealing a block: its header (epoch, Home time, state root, the validator-set roots and, at an
// epoch's last block, the rotation to the next set), the online validators' signatures and their
// aggregate signature (attestation.ts). Which slots are offline is decided here too: the
// configured rules (--offline) or a run-time override (POST /admin/offline).
import { emptyRoot, headerHash, signHeader, STATE_DEPTH, type Header } from "../model/index.ts";
import type { AttestationControls, AttestationResult, DevnetAttestation } from "./attestation.ts";
import type { BlockRecord } from "./block-log.ts";
import type { HomeClock } from "./clock.ts";
import type { DevnetConfig } from "./config.ts";
import type { ValidatorSim } from "./validator-sim.ts";

/** The epoch rule: epoch e holds heights e*K .. e*K+K-1 (K = epochBlocks). */
export function epochOf(height: bigint, epochBlocks: number): bigint {
  return height / BigInt(epochBlocks);
}

/** The last block of an epoch: its header announces the next epoch's validator set. */
export function isEpochEnd(height: bigint, epochBlocks: number): boolean {
  return (height + 1n) % BigInt(epochBlocks) === 0n;
}

export interface Sealed {
  block: BlockRecord;
  /** Slots the aggregated signing session went on without. */
  excluded: AttestationResult["excluded"];
}

export class Sealer {
  private offlineOverride: Set<number> | null = null;

  constructor(
    private readonly config: DevnetConfig,
    private readonly sim: ValidatorSim,
    private readonly attestation: DevnetAttestation,
    private readonly clock: HomeClock,
  ) {}

  /** Replaces the offline slots for blocks sealed from now on (null: back to the configured rules). */
  setOffline(slots: number[] | null): void {
    for (const s of slots ?? []) this.checkSlot(s);
    this.offlineOverride = slots ? new Set(slots) : null;
  }

  /** Devnet switches of the aggregated scheme for blocks sealed from now on. */
  setAttestationControls(c: Partial<AttestationControls>): AttestationControls {
    for (const s of c.dropouts ?? []) this.checkSlot(s);
    this.attestation.controls = { ...this.attestation.controls, ...c };
    return { ...this.attestation.controls };
  }

  /**
   * Seals block `height` on `parent` (null for genesis) with the state root after its actions:
   * the header, signed by every online slot, and the aggregate signature when a session reaches one.
   */
  seal(height: bigint, parent: BlockRecord | null, stateRoot: bigint): Sealed {
    const header = this.header(height, parent, stateRoot);
    const offline = this.offlineSlots(header.epoch);
    const sh = signHeader(header, this.sim.setOf(header.epoch), this.sim.signingKeys(header.epoch, offline));
    const att = this.attestation.attest(header, offline);
    return { block: { header, hash: headerHash(header), signed: sh.signed, signatures: sh.signatures, aggregate: att.aggregate }, excluded: att.excluded };
  }

  private header(height: bigint, parent: BlockRecord | null, stateRoot: bigint): Header {
    const epoch = epochOf(height, this.config.epochBlocks);
    const parentTs = parent ? parent.header.timestampMs : 0n;
    let ts = BigInt(this.clock.nowMs());
    if (ts <= parentTs) ts = parentTs + 1n;
    return {
      chainId: this.config.homeChainId,
      epoch,
      height,
      timestampMs: ts,
      parentHash: parent ? parent.hash : 0n,
      stateRoot: parent ? stateRoot : emptyRoot(STATE_DEPTH),
      validatorSetRoot: this.sim.rootOf(epoch),
      nextValidatorSetRoot: this.rotateAtEpochEnd(height, epoch),
    };
  }

  /**
   * Epoch-end handling, in one place: at the last block of epoch `epoch` the header announces the
   * next epoch's set (validator-sim.ts's rotation rule), 0 elsewhere. Called once per sealed block.
   */
  private rotateAtEpochEnd(height: bigint, epoch: bigint): bigint {
    if (!isEpochEnd(height, this.config.epochBlocks)) return 0n;
    return this.sim.rootOf(epoch + 1n);
  }

  private offlineSlots(epoch: bigint): Set<number> {
    if (this.offlineOverride) return this.offlineOverride;
    return new Set(this.config.offline.filter((r) => r.epoch === undefined || r.epoch === epoch).map((r) => r.slot));
  }

  private checkSlot(s: number): void {
    if (!Number.isInteger(s) || s < 0 || s >= this.config.capacity) throw new RangeError(`slot ${s} is not a slot of a ${this.config.capacity}-slot set`);
  }
}
