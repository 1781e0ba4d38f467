// Waypoints (types/src/waypoint.rs): `version:hex(SHA3(seed("Ledger2WaypointConverter") ||
// BCS{epoch, root_hash = executed_state_id, version, timestamp_usecs, next_epoch_state}))`.
import { encodeBcs, Ledger2WaypointConverter, type LedgerInfo } from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { bytesEqual, cryptoHash, fromHex, toHex } from "./hash.ts";

export interface Waypoint {
  version: bigint;
  value: Uint8Array;
}

const U64_MAX = (1n << 64n) - 1n;

/** Parses `VERSION:HASH` (decimal u64, 64 hex digits). */
export function parseWaypoint(text: string): Waypoint {
  const m = /^([0-9]+):([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!m) throw new OpenLibraError("MalformedWaypoint", `waypoint must be VERSION:HASH (decimal version, 64 hex digits), got '${text}'`);
  const version = BigInt(m[1]!);
  if (version > U64_MAX) throw new OpenLibraError("MalformedWaypoint", `waypoint version ${version} does not fit in u64`);
  return { version, value: fromHex(m[2]!, 32, "waypoint hash") };
}

export function formatWaypoint(w: Waypoint): string {
  return `${w.version}:${toHex(w.value)}`;
}

/** The waypoint of any LedgerInfo (Waypoint::new_any). */
export function waypointOf(li: LedgerInfo): Waypoint {
  const c = li.commitInfo;
  const converter = encodeBcs(Ledger2WaypointConverter, {
    epoch: c.epoch,
    rootHash: c.executedStateId,
    version: c.version,
    timestampUsecs: c.timestampUsecs,
    nextEpochState: c.nextEpochState,
  });
  return { version: c.version, value: cryptoHash("Ledger2WaypointConverter", converter) };
}

export function waypointsEqual(a: Waypoint, b: Waypoint): boolean {
  return a.version === b.version && bytesEqual(a.value, b.value);
}

/** Throws WaypointMismatch unless `li` is the LedgerInfo `trusted` names (Waypoint::verify). */
export function verifyWaypoint(trusted: Waypoint, li: LedgerInfo): void {
  const got = waypointOf(li);
  if (got.version !== trusted.version) {
    throw new OpenLibraError("WaypointMismatch", `LedgerInfo version ${got.version} is not the waypoint's version ${trusted.version}`);
  }
  if (!bytesEqual(got.value, trusted.value)) {
    throw new OpenLibraError("WaypointMismatch", `LedgerInfo at version ${got.version} hashes to waypoint ${formatWaypoint(got)}, not the trusted ${formatWaypoint(trusted)}`);
  }
}
