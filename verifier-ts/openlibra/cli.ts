// `olzk verify openlibra`: verify real Open Libra backup files from a trusted waypoint, natively.
//   --waypoint V:H          the trusted waypoint (an epoch-ending LedgerInfo's version and hash)
//   --epoch-ending FILE...  epoch-ending chunks (or their JSON manifests), in epoch order
//   --ledger-info-file F    a LedgerInfoWithSignatures: a transaction backup's proof file or bare BCS
//   --state-proof F --state-manifest M   a state snapshot: its root is committed at its version
// Exit 0 when everything verifies, 1 when something does not (which and why), 2 for usage errors
// and unreadable input. The only module of this folder that uses Node (files).
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseCommand, UserError, type CommandSpec, type Options } from "../../cli/args.ts";
import { anchorsFromLedger, type SetAnchor } from "../anchor.ts";
import { decodeBcs, EpochState, LedgerInfoWithSignatures } from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { toHex } from "./hash.ts";
import {
  checkChunkAgainstManifest,
  parseEpochEndingManifest,
  parseStateSnapshotManifest,
  readEpochEndingChunk,
  readStateSnapshotProof,
  readTransactionProof,
  verifyStateSnapshot,
} from "./backup.ts";
import { describeSet, ratchetEpochChain, verifyLedgerInfo, type EpochChange, type TrustedLedger, type VerifiedLedgerInfo } from "./ratchet.ts";
import { formatWaypoint, parseWaypoint, type Waypoint } from "./waypoint.ts";
import { voucherFromJSON } from "./voucher.ts";

export const SUMMARY = "verify Open Libra backups (epoch-ending chunks, LedgerInfos, state snapshots) from a trusted waypoint";

const options = {
  waypoint: { type: "string" },
  "epoch-ending": { type: "string", multiple: true },
  "ledger-info-file": { type: "string" },
  "state-proof": { type: "string" },
  "state-manifest": { type: "string" },
  json: { type: "boolean" },
} as const satisfies Options;

const spec: CommandSpec<typeof options> = {
  name: "verify openlibra",
  summary: SUMMARY,
  usage: "--waypoint VERSION:HASH [--epoch-ending FILE]... [--ledger-info-file FILE] [--state-proof FILE --state-manifest FILE] [--json]",
  options,
  help: {
    waypoint: "trusted waypoint VERSION:HASH (e.g. from a manifest you trust or a node's config)",
    "epoch-ending": "epoch-ending backup chunk, or its epoch_ending manifest (JSON); repeat in epoch order",
    "ledger-info-file": "a LedgerInfoWithSignatures to verify against the resulting sets: a transaction backup proof file or bare BCS",
    "state-proof": "state snapshot proof file (BCS of TransactionInfoWithProof, LedgerInfoWithSignatures)",
    "state-manifest": "the state snapshot's manifest (JSON); its root_hash must be committed at its version",
    json: "print one JSON object instead of text",
  },
  notes:
    "The first epoch-ending LedgerInfo at or after the waypoint's version must be the waypoint's; each later one must be signed by a quorum\n" +
    "(total * 2 / 3 + 1) of the previous one's next_epoch_state. Exit code 0: all verified; 1: something does not verify; 2: usage or unreadable input.",
};

/** One input file's bytes, or a UserError (exit 2). */
function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Codes that mean the input could not be read as what it claims to be (exit 2), not that it fails to verify. */
const UNREADABLE = new Set(["MalformedBcs", "MalformedFile", "MalformedWaypoint"]);

/** Parsing a file: format errors become UserErrors naming the file. */
function parsing<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OpenLibraError && UNREADABLE.has(e.code)) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
}

function isJson(bytes: Uint8Array): boolean {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return first === 0x7b; // "{"
}

/** A backup FileHandle is relative to the backup root, the parent of the manifest's folder; also accept files beside the manifest. */
function resolveHandle(manifestPath: string, handle: string): string {
  const dir = dirname(resolve(manifestPath));
  for (const p of [join(dirname(dir), handle), join(dir, handle), join(dir, basename(handle))]) if (existsSync(p)) return p;
  throw new UserError(`${manifestPath}: chunk '${handle}' not found under the backup root ${dirname(dir)} or beside the manifest`);
}

/** --waypoint: a UserError (exit 2) when it is not VERSION:HASH. */
function waypointArg(raw: string): Waypoint {
  try {
    return parseWaypoint(raw);
  } catch (e) {
    throw new UserError(`--waypoint: ${(e as Error).message}`);
  }
}

/** Where the Open Libra set that signs a voucher comes from: a trusted EpochState file, or a ratchet from a waypoint. */
export interface AnchorFiles {
  voucher: string;
  epochState?: string;
  waypoint?: string;
  epochEnding?: string[];
}

/**
 * The anchor of a Home attestation set from files: the voucher (JSON, voucherToJSON) and the Open
 * Libra set of its epoch, either the BCS EpochState of --epoch-state (trusted as given) or the set
 * that --epoch-ending chunks establish from --waypoint (verified here). Usage and unreadable files
 * are UserErrors (exit 2); a chain that does not verify, or one without the voucher's epoch, is an
 * OpenLibraError (exit 1). `flags` prefixes the option names in messages (olzk deploy: "anchor-").
 */
export function loadAnchor(f: AnchorFiles, flags = ""): SetAnchor {
  const fromChain = f.waypoint !== undefined || (f.epochEnding?.length ?? 0) > 0;
  if ((f.epochState !== undefined) === fromChain) {
    throw new UserError(`--${flags}voucher needs the Open Libra set of its epoch: --${flags}epoch-state FILE, or --${flags}waypoint VERSION:HASH with --${flags}epoch-ending FILE...`);
  }
  const text = new TextDecoder().decode(readBytes(f.voucher, "voucher file"));
  const voucher = parsing(f.voucher, () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UserError(`${f.voucher}: not valid JSON: ${(e as Error).message}`);
    }
    return voucherFromJSON(json);
  });
  if (f.epochState !== undefined) {
    const path = f.epochState;
    return { epochState: parsing(path, () => decodeBcs(EpochState, readBytes(path, "epoch state file"), "epoch state file (BCS of an EpochState)")), voucher };
  }
  if (f.waypoint === undefined || !f.epochEnding?.length) throw new UserError(`--${flags}waypoint and --${flags}epoch-ending go together`);
  const trusted = waypointArg(f.waypoint);
  const lis = f.epochEnding.flatMap(loadEpochEnding);
  return anchorsFromLedger(ratchetEpochChain(trusted, lis), [voucher])[0]!;
}

/** The LedgerInfos of one --epoch-ending argument (a chunk, or a manifest and its chunks checked against it). */
function loadEpochEnding(path: string): LedgerInfoWithSignatures[] {
  const bytes = readBytes(path, "epoch-ending file");
  if (!isJson(bytes)) return parsing(path, () => readEpochEndingChunk(bytes, path));
  const manifest = parsing(path, () => parseEpochEndingManifest(new TextDecoder().decode(bytes)));
  return manifest.chunks.flatMap((c, i) => {
    const chunkPath = resolveHandle(path, c.ledgerInfos);
    const lis = parsing(chunkPath, () => readEpochEndingChunk(readBytes(chunkPath, "epoch-ending chunk"), chunkPath));
    checkChunkAgainstManifest(manifest, i, lis);
    return lis;
  });
}

function loadLedgerInfo(path: string): LedgerInfoWithSignatures {
  const bytes = readBytes(path, "ledger info file");
  try {
    return readTransactionProof(bytes).ledgerInfo;
  } catch (e) {
    if (!(e instanceof OpenLibraError && e.code === "MalformedBcs")) throw e;
  }
  return parsing(path, () => decodeBcs(LedgerInfoWithSignatures, bytes, "ledger info file (neither a transaction proof nor a LedgerInfoWithSignatures)"));
}

type Quorum = Exclude<EpochChange["verifiedBy"], "waypoint">;

function describeVerifiedBy(v: "waypoint" | Quorum): string {
  return v === "waypoint"
    ? "matches the trusted waypoint"
    : `signed by ${v.signers.length} of ${v.validators} validators, power ${v.signedPower} of ${v.totalPower} (quorum ${v.quorumPower})`;
}

function verifiedByJson(v: "waypoint" | Quorum) {
  return v === "waypoint" ? "waypoint" : { signers: v.signers, signedPower: v.signedPower, totalPower: v.totalPower, quorumPower: v.quorumPower, validators: v.validators };
}

interface Report {
  trustedWaypoint: string;
  epochChanges: object[];
  ledgerInfo?: object;
  stateRoot?: object;
  waypoint?: string;
  nextEpoch?: object;
  lines: string[];
}

function ledgerInfoReport(v: VerifiedLedgerInfo) {
  return { epoch: v.epoch, version: v.version, accumulatorRoot: toHex(v.executedStateId), verifiedBy: verifiedByJson(v.verifiedBy) };
}

/** Runs the checks in order, appending to `report`; throws the first OpenLibraError. */
function verifyAll(trusted: Waypoint, epochFiles: string[], ledgerInfoFile: string | undefined, state: { proof: string; manifest: string } | undefined, report: Report): void {
  // Load everything first, so unreadable input is exit 2 before any verdict.
  const chunks = epochFiles.map((f) => ({ file: f, lis: loadEpochEnding(f) }));
  const liws = ledgerInfoFile ? loadLedgerInfo(ledgerInfoFile) : undefined;
  const stateInput = state
    ? {
        proof: parsing(state.proof, () => readStateSnapshotProof(readBytes(state.proof, "state proof"))),
        manifest: parsing(state.manifest, () => parseStateSnapshotManifest(new TextDecoder().decode(readBytes(state.manifest, "state manifest")))),
      }
    : undefined;

  let ledger: TrustedLedger | undefined;
  if (chunks.length > 0) {
    ledger = ratchetEpochChain(trusted, chunks.flatMap((c) => c.lis));
    if (ledger.skipped > 0) report.lines.push(`skipped ${ledger.skipped} epoch-ending LedgerInfos older than the waypoint`);
    for (const ch of ledger.changes) {
      const next = describeSet(ch.next);
      report.epochChanges.push({ epoch: ch.epoch, version: ch.version, waypoint: formatWaypoint(ch.waypoint), verifiedBy: verifiedByJson(ch.verifiedBy), next });
      report.lines.push(`epoch ${ch.epoch} ends at version ${ch.version}: ${describeVerifiedBy(ch.verifiedBy)}; next: epoch ${next.epoch}, ${next.validators} validators, total power ${next.totalPower}`);
    }
    report.waypoint = formatWaypoint(ledger.latest);
    report.nextEpoch = describeSet(ledger.current);
  }
  const need = (what: string): TrustedLedger => {
    if (!ledger) throw new UserError(`${what} needs at least one --epoch-ending file: the waypoint alone names no validator set`);
    return ledger;
  };
  if (liws) {
    const v = verifyLedgerInfo(need("--ledger-info-file"), liws);
    report.ledgerInfo = ledgerInfoReport(v);
    report.lines.push(`LedgerInfo of epoch ${v.epoch} at version ${v.version} (accumulator root ${toHex(v.executedStateId)}): ${describeVerifiedBy(v.verifiedBy)}`);
  }
  if (stateInput) {
    const r = verifyStateSnapshot(need("--state-proof"), stateInput.manifest, stateInput.proof);
    report.stateRoot = { version: r.version, epoch: stateInput.manifest.epoch, root: toHex(r.stateRoot), ledgerInfo: ledgerInfoReport(r.ledgerInfo) };
    report.lines.push(`state root ${toHex(r.stateRoot)} at version ${r.version}: committed by the LedgerInfo of epoch ${r.ledgerInfo.epoch} at version ${r.ledgerInfo.version} (${describeVerifiedBy(r.ledgerInfo.verifiedBy)})`);
  }
}

function printJson(o: object): void {
  console.log(JSON.stringify(o, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

export async function run(argv: string[]): Promise<number | void> {
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  if (v.waypoint === undefined) throw new UserError("--waypoint is required (see olzk verify openlibra --help)");
  if ((v["state-proof"] === undefined) !== (v["state-manifest"] === undefined)) throw new UserError("--state-proof and --state-manifest go together");
  const epochFiles = v["epoch-ending"] ?? [];
  if (epochFiles.length === 0 && v["ledger-info-file"] === undefined && v["state-proof"] === undefined) {
    throw new UserError("nothing to verify: give --epoch-ending, --ledger-info-file or --state-proof/--state-manifest");
  }
  const trusted = waypointArg(v.waypoint);
  const report: Report = { trustedWaypoint: formatWaypoint(trusted), epochChanges: [], lines: [] };
  const state = v["state-proof"] !== undefined ? { proof: v["state-proof"], manifest: v["state-manifest"]! } : undefined;
  const print = (ok: boolean, verdict: string, extra: object) => {
    const { lines, ...details } = report;
    if (v.json) return printJson({ ok, ...extra, ...details });
    console.log(`trusted waypoint ${report.trustedWaypoint}`);
    for (const l of lines) console.log(l);
    console.log(verdict);
  };
  try {
    verifyAll(trusted, epochFiles, v["ledger-info-file"], state, report);
  } catch (e) {
    if (!(e instanceof OpenLibraError)) throw e;
    print(false, `INVALID: ${e.code}: ${e.message}`, { code: e.code, reason: e.message });
    return 1;
  }
  const parts = [`${report.epochChanges.length} epoch change(s) verified`];
  if (report.waypoint) parts.push(`waypoint now ${report.waypoint}`);
  if (report.ledgerInfo) parts.push("LedgerInfo verified");
  if (report.stateRoot) parts.push("state root established");
  print(true, `VALID: ${parts.join("; ")}`, {});
  return 0;
}
