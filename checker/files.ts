// The four files of a collateral check, read from bytes the same way in the browser (a file
// the user drops or picks) and in `olzk verify serve` (the files it is started with, checked
// before it offers them): the bundle (JSON or SSZ), the trusted checkpoint, and the
// verification key of each header circuit. Every file gets a SHA-256 fingerprint of its
// exact bytes, so a user can compare what the page uses with `sha256sum` of their own copy.
// Browser-safe: no `node:` imports.
import { bytesToHex } from "@noble/hashes/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  BundleFormatError,
  parseCheckpoint,
  parseCollateralBundle,
  prepareVerificationKey,
  VerificationKeyError,
  type Checkpoint,
  type CollateralBundle,
  type HeaderProofKind,
  type PreparedVerificationKey,
  type SnarkjsVerificationKey,
} from "../verifier-ts/index.ts";

/** The inputs of a check, one file each. */
export type Slot = "bundle" | "checkpoint" | HeaderProofKind;
export const SLOTS: readonly Slot[] = ["bundle", "checkpoint", "aggregated", "perValidator"];

/** What each slot holds, for labels and error messages. */
export const SLOT_TITLES: Record<Slot, string> = {
  bundle: "collateral bundle",
  checkpoint: "trusted checkpoint",
  aggregated: "AggregatedHeaderQuorum verification key",
  perValidator: "HeaderQuorum (per-validator) verification key",
};

/** The parsed value of each slot. */
export interface SlotValues {
  bundle: CollateralBundle;
  checkpoint: Checkpoint;
  aggregated: PreparedVerificationKey;
  perValidator: PreparedVerificationKey;
}

/** Header circuits have four public inputs: [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot]. */
const HEADER_PUBLIC_INPUTS = 4;

export type ReadResult<S extends Slot> = { ok: true; value: SlotValues[S]; fingerprint: string } | { ok: false; reason: string };

/** Lower-case hex SHA-256 of the file's bytes (what `sha256sum` prints). */
export function fingerprint(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** The bytes as UTF-8 text (a byte order mark dropped), or null if they are not. */
function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function readJson(bytes: Uint8Array): { ok: true; json: unknown } | { ok: false; reason: string } {
  const text = utf8(bytes);
  if (text === null) return { ok: false, reason: "not JSON (not UTF-8 text)" };
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
  }
}

function readValue<S extends Slot>(slot: S, bytes: Uint8Array): { ok: true; value: SlotValues[S] } | { ok: false; reason: string } {
  if (slot === "bundle") {
    try {
      return { ok: true, value: parseCollateralBundle(bytes) as SlotValues[S] };
    } catch (e) {
      if (e instanceof BundleFormatError) return { ok: false, reason: e.message };
      throw e;
    }
  }
  const r = readJson(bytes);
  if (!r.ok) return r;
  if (slot === "checkpoint") {
    const cp = parseCheckpoint(r.json);
    return cp.ok ? { ok: true, value: cp.checkpoint as SlotValues[S] } : cp;
  }
  try {
    const key = prepareVerificationKey(r.json as SnarkjsVerificationKey);
    if (key.nPublic !== HEADER_PUBLIC_INPUTS) {
      return { ok: false, reason: `not a header circuit key: it has ${key.nPublic} public inputs, header circuits have ${HEADER_PUBLIC_INPUTS}` };
    }
    return { ok: true, value: key as SlotValues[S] };
  } catch (e) {
    if (e instanceof VerificationKeyError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Read one slot's file; the reason is one line saying why the file is not what the slot needs. */
export function readSlotFile<S extends Slot>(slot: S, bytes: Uint8Array): ReadResult<S> {
  if (bytes.length === 0) return { ok: false, reason: "the file is empty" };
  const r = readValue(slot, bytes);
  return r.ok ? { ...r, fingerprint: fingerprint(bytes) } : r;
}

/** The slots a server may fill in advance: trust anchors, never a bundle. */
export type TrustSlot = Exclude<Slot, "bundle">;
export const TRUST_SLOTS: readonly TrustSlot[] = ["checkpoint", "aggregated", "perValidator"];

/** A file the server offers for a slot (one `olzk verify serve` was started with): its name and exact text. */
export interface OfferedFile {
  name: string;
  /** The file's text, byte for byte (a byte order mark kept), so its fingerprint is the file's. */
  text: string;
}

/** What the built page carries in its data block: the file offered for each trust slot, if any. */
export type Offered = Partial<Record<TrustSlot, OfferedFile>>;

/** An offered file's text exactly as its bytes read (keeps a byte order mark); null if not UTF-8. */
export function offeredText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}
