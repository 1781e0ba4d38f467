// Trusted state from a waypoint (types/src/epoch_change.rs, trusted_state.rs; backup-cli's
// EpochHistory): the first epoch-ending LedgerInfo at or after the waypoint's version must be the
// waypoint's LedgerInfo; every later one must carry a quorum certificate of the previous one's
// next_epoch_state and be of the epoch that set is for. LedgerInfos before the waypoint are
// skipped as stale, as EpochChangeProof::verify does.
import type { EpochState, LedgerInfo, LedgerInfoWithSignatures } from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { checkValidatorSet, totalVotingPower, verifyLedgerInfoSignatures, type QuorumCertificate } from "./quorum.ts";
import { formatWaypoint, verifyWaypoint, waypointOf, type Waypoint } from "./waypoint.ts";

/** One verified epoch change: the LedgerInfo that ends `epoch` and the set it hands over to. */
export interface EpochChange {
  epoch: bigint;
  version: bigint;
  waypoint: Waypoint;
  /** "waypoint" when trusted by hash, else the quorum certificate that signed it. */
  verifiedBy: "waypoint" | QuorumCertificate;
  next: EpochState;
}

/** Validator sets and epoch-ending LedgerInfos established from a trusted waypoint. */
export interface TrustedLedger {
  trusted: Waypoint;
  changes: EpochChange[];
  /** LedgerInfos skipped because they are older than the waypoint. */
  skipped: number;
  /** The latest validator set (the next_epoch_state of the last change). */
  current: EpochState;
  /** Waypoint of the last verified epoch change (the one to trust next time). */
  latest: Waypoint;
}

function nextEpochStateOf(li: LedgerInfo): EpochState {
  const next = li.commitInfo.nextEpochState;
  if (next === null) {
    throw new OpenLibraError("NotEpochEnding", `LedgerInfo of epoch ${li.commitInfo.epoch} at version ${li.commitInfo.version} carries no next_epoch_state`);
  }
  if (next.epoch !== li.commitInfo.epoch + 1n) {
    throw new OpenLibraError("EpochMismatch", `LedgerInfo of epoch ${li.commitInfo.epoch} hands over to epoch ${next.epoch}, not ${li.commitInfo.epoch + 1n}`);
  }
  checkValidatorSet(next.verifier);
  return next;
}

/** Verifies a chain of epoch-ending LedgerInfos (in epoch order) from a trusted waypoint. */
export function ratchetEpochChain(trusted: Waypoint, ledgerInfos: readonly LedgerInfoWithSignatures[]): TrustedLedger {
  let skipped = 0;
  while (skipped < ledgerInfos.length && ledgerInfos[skipped]!.ledgerInfo.commitInfo.version < trusted.version) skipped++;
  const rest = ledgerInfos.slice(skipped);
  if (rest.length === 0) {
    throw new OpenLibraError(
      ledgerInfos.length === 0 ? "EmptyChain" : "StaleLedgerInfo",
      ledgerInfos.length === 0 ? "no epoch-ending LedgerInfo to verify" : `every LedgerInfo is older than the waypoint ${formatWaypoint(trusted)}`,
    );
  }
  const changes: EpochChange[] = [];
  let current: EpochState | null = null;
  for (const liws of rest) {
    const li = liws.ledgerInfo;
    let verifiedBy: EpochChange["verifiedBy"];
    if (current === null) {
      verifyWaypoint(trusted, li);
      verifiedBy = "waypoint";
    } else {
      verifiedBy = verifyLedgerInfoSignatures(current, liws);
    }
    current = nextEpochStateOf(li);
    changes.push({ epoch: li.commitInfo.epoch, version: li.commitInfo.version, waypoint: waypointOf(li), verifiedBy, next: current });
  }
  return { trusted, changes, skipped, current: current!, latest: changes[changes.length - 1]!.waypoint };
}

/** How a single LedgerInfo was verified against a trusted ledger. */
export interface VerifiedLedgerInfo {
  epoch: bigint;
  version: bigint;
  executedStateId: Uint8Array;
  verifiedBy: "waypoint" | QuorumCertificate;
}

/**
 * Verifies a LedgerInfoWithSignatures against what `ledger` established: a LedgerInfo at the
 * version of a trusted waypoint must hash to it; otherwise its epoch's validator set (one of the
 * sets the chain handed over to) must have signed it with a quorum.
 */
export function verifyLedgerInfo(ledger: TrustedLedger, liws: LedgerInfoWithSignatures): VerifiedLedgerInfo {
  const c = liws.ledgerInfo.commitInfo;
  const base = { epoch: c.epoch, version: c.version, executedStateId: c.executedStateId };
  const waypoints = [ledger.trusted, ...ledger.changes.map((x) => x.waypoint)];
  const atWaypoint = waypoints.find((w) => w.version === c.version);
  if (atWaypoint) {
    verifyWaypoint(atWaypoint, liws.ledgerInfo);
    return { ...base, verifiedBy: "waypoint" };
  }
  const set = ledger.changes.map((x) => x.next).find((s) => s.epoch === c.epoch);
  if (!set) {
    const known = ledger.changes.map((x) => x.next.epoch).join(", ");
    throw new OpenLibraError("UnverifiedLedgerInfo", `LedgerInfo of epoch ${c.epoch} at version ${c.version}: no trusted waypoint at that version and no known validator set for that epoch (known: ${known})`);
  }
  return { ...base, verifiedBy: verifyLedgerInfoSignatures(set, liws) };
}

/** The epoch-change summary of a validator set (sizes and power, for reports). */
export function describeSet(s: EpochState): { epoch: bigint; validators: number; totalPower: bigint } {
  return { epoch: s.epoch, validators: s.verifier.validatorInfos.length, totalPower: totalVotingPower(s.verifier) };
}
