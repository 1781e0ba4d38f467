// `olzk verify`: the verifier-ts checks from the command line, no chain access.
//   olzk verify proof       --vkey --proof [--public]          a Groth16 proof
//   olzk verify chain       --vkey --checkpoint --headers...   HeaderQuorum proofs from a checkpoint
//   olzk verify collateral  --vkey --checkpoint --bundle ...   a borrower's collateral bundle
//   olzk verify validators  --set --root [--voucher ...]       BLS bindings and root of a set (anchored: vouched by Open Libra)
//   olzk verify openlibra   --waypoint --epoch-ending ...      real Open Libra backups (verifier-ts/openlibra/cli.ts)
// Exit codes, the same for every check and file type: 0 valid, 1 invalid, 2 usage error or a
// file that cannot be read as what it should be, 3 internal error. One line per verdict or
// error (or one JSON object with --json), never a stack trace.
import { readFileSync } from "node:fs";
import { parseCommand, UserError, type CommandSpec, type Options } from "../cli/args.ts";
import { runSubcommand, type Subcommand, type SubcommandGroup } from "../cli/subcommands.ts";
import { decodeValidatorSet, validatorSetFromJSON } from "../home/model/ssz.ts";
import type { ValidatorSet } from "../home/model/validators.ts";
import { BundleFormatError, parseCollateralBundle } from "./bundle.ts";
import { checkCollateral, type CollateralBundle } from "./collateral.ts";
import { checkGroth16, prepareVerificationKey, VerificationKeyError, type SnarkjsProof, type SnarkjsVerificationKey } from "./groth16.ts";
import { parseCheckpoint, verifyHeaderChain, type Checkpoint, type HeaderProofItem, type HeaderVerifiers } from "./headerChain.ts";
import { textOf } from "./input.ts";
import { checkValidatorSetBindings } from "./validatorSet.ts";
import type { SetAnchor } from "./anchor.ts";

/** One `olzk verify <name>` check. `run` returns the exit code (0 valid, 1 invalid) or throws UserError (2). */
export type VerifyCheck = Subcommand;

/** The checks, one line each; a check that lives in another module loads it lazily in `run`. */
const CHECKS: Record<string, VerifyCheck> = {
  proof: { summary: "verify a Groth16 proof (snarkjs JSON) against a verification key", run: (a) => runProof(a) },
  chain: { summary: "verify header proofs (aggregated or per-validator) from a trusted checkpoint through rotations", run: (a) => runChain(a) },
  collateral: { summary: "check a borrower's collateral from a proof bundle (JSON or SSZ)", run: (a) => runCollateral(a) },
  validators: { summary: "check a validator set: attestation keys (proofs of possession, subgroup, no duplicates), BLS bindings and its root", run: (a) => runValidators(a) },
  openlibra: { summary: "verify Open Libra backups (epoch changes, LedgerInfos, state roots) from a waypoint", run: async (a) => (await (await import("./openlibra/cli.ts")).run(a)) ?? 0 },
  serve: { summary: "serve the collateral checker web page (checks run in the browser), or --out DIR to write it as files", run: async (a) => (await import("../checker/cli.ts")).run(a) },
};

/** Add a check to `olzk verify` (for checks defined outside this file). */
export function registerCheck(name: string, check: VerifyCheck): void {
  if (CHECKS[name]) throw new Error(`olzk verify ${name} is already registered`);
  CHECKS[name] = check;
}

export const EXIT_CODES = "Exit code 0: valid; 1: invalid; 2: usage error or unreadable input (missing file, bad JSON, not a key/bundle/set); 3: internal error.";

const VERIFY: SubcommandGroup = {
  name: "verify",
  summary: "off-chain verification of Home -> Away proofs (pure TypeScript, no chain access)",
  placeholder: "check",
  noun: "check",
  commands: CHECKS,
  heading: "Checks:",
  notes: [EXIT_CODES, "--json prints one JSON object instead of the verdict line."],
};

// ---------- reading files: every failure is one UserError line (exit 2) ----------

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read ${what} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  return parseJsonText(textOf(readBytes(path, what)), path, what);
}

function parseJsonText(text: string | null, path: string, what: string): unknown {
  if (text === null) throw new UserError(`${what} file '${path}' is not JSON (not UTF-8 text)`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UserError(`${what} file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
}

function required(v: string | undefined, flag: string, cmd: string): string {
  if (v === undefined || v === "") throw new UserError(`--${flag} is required (see olzk verify ${cmd} --help)`);
  return v;
}

function bigArg(raw: string, flag: string): bigint {
  if (/^[0-9]+$/.test(raw)) return BigInt(raw);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) return BigInt(raw);
  throw new UserError(`--${flag} must be a non-negative integer (decimal or 0x hex), got '${raw}'`);
}

function addressArg(raw: string, flag: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) throw new UserError(`--${flag} must be a 20-byte 0x address, got '${raw}'`);
  return raw as `0x${string}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function loadVkey(path: string): SnarkjsVerificationKey {
  const json = readJson(path, "verification key");
  if (!isObject(json)) throw new UserError(`verification key file '${path}' must hold a JSON object (snarkjs zkey export verificationkey)`);
  try {
    prepareVerificationKey(json as SnarkjsVerificationKey);
  } catch (e) {
    if (e instanceof VerificationKeyError) throw new UserError(`verification key file '${path}': ${e.message}`);
    throw e;
  }
  return json as SnarkjsVerificationKey;
}

/** A checkpoint JSON file; any problem is one UserError line. */
export function loadCheckpoint(path: string): Checkpoint {
  const r = parseCheckpoint(readJson(path, "checkpoint"));
  if (!r.ok) throw new UserError(`checkpoint file '${path}': ${r.reason}`);
  return r.checkpoint;
}

/** `olzk prove header` names the per-validator circuit's proofs kind "headerQuorum"; the chain calls them "perValidator". */
function headerItem(x: unknown): HeaderProofItem {
  return (isObject(x) && x.kind === "headerQuorum" ? { ...x, kind: "perValidator" } : x) as HeaderProofItem;
}

/** Header proofs of one file: an array of { kind, proof, publicSignals }, { headers: [...] }, or one proof as `olzk prove header` writes it. */
function loadHeaderItems(path: string): HeaderProofItem[] {
  const json = readJson(path, "headers");
  if (Array.isArray(json)) return json.map(headerItem);
  if (isObject(json) && Array.isArray(json.headers)) return json.headers.map(headerItem);
  if (isObject(json) && "proof" in json && "publicSignals" in json) return [headerItem(json)];
  throw new UserError(`headers file '${path}': expected an array of { kind, proof, publicSignals }, { headers: [...] } or one proof (olzk prove header --out)`);
}

function loadBundle(path: string): CollateralBundle {
  try {
    return parseCollateralBundle(readBytes(path, "bundle"));
  } catch (e) {
    if (e instanceof BundleFormatError) throw new UserError(`bundle file '${path}': ${e.message}`);
    throw e;
  }
}

/** A validator set file: SSZ bytes, the model's JSON, or the devnet's GET /validator-sets/:epoch reply ({ epoch, root, validatorSet }). */
function loadValidatorSet(path: string): ValidatorSet {
  const bytes = readBytes(path, "validator set");
  const text = textOf(bytes);
  try {
    if (text === null) return decodeValidatorSet(bytes);
    const json = parseJsonText(text, path, "validator set");
    return validatorSetFromJSON(isObject(json) && isObject(json.validatorSet) ? json.validatorSet : json);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`validator set file '${path}': ${(e as Error).message}`);
  }
}

// ---------- verdicts ----------

/** Prints the verdict and returns the exit code. */
function verdict(json: boolean, ok: boolean, line: string, details: Record<string, unknown>): number {
  if (json) {
    console.log(JSON.stringify({ ok, ...details }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  } else {
    console.log(`${ok ? "VALID" : "INVALID"}: ${line}`);
  }
  return ok ? 0 : 1;
}

const jsonOpt = { json: { type: "boolean" } } as const satisfies Options;

const proofOptions = {
  vkey: { type: "string" },
  proof: { type: "string" },
  public: { type: "string" },
  ...jsonOpt,
} as const satisfies Options;

async function runProof(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof proofOptions> = {
    name: "verify proof",
    summary: CHECKS.proof.summary,
    usage: "--vkey <vkey.json> --proof <proof.json> [--public <public.json>] [--json]",
    options: proofOptions,
    help: {
      vkey: "verification key (snarkjs zkey export verificationkey)",
      proof: "proof JSON (snarkjs), or { proof, publicSignals } (as olzk prove writes)",
      public: "public signals JSON array (decimal strings); optional if the proof file has publicSignals",
      json: "print one JSON object",
    },
    notes: EXIT_CODES,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const vkey = loadVkey(required(v.vkey, "vkey", "proof"));
  const proofPath = required(v.proof, "proof", "proof");
  const proofJson = readJson(proofPath, "proof");
  if (!isObject(proofJson)) throw new UserError(`proof file '${proofPath}' must hold a JSON object`);
  let proof = proofJson as unknown as SnarkjsProof;
  let signals: unknown;
  if (v.public !== undefined) signals = readJson(v.public, "public signals");
  else if ("publicSignals" in proofJson && "proof" in proofJson) {
    proof = proofJson.proof as SnarkjsProof;
    signals = proofJson.publicSignals;
  } else throw new UserError("--public is required unless the proof file is { proof, publicSignals }");
  if (!Array.isArray(signals)) throw new UserError("public signals must be a JSON array");
  const t = performance.now();
  const r = checkGroth16(vkey, signals as string[], proof);
  const ms = Math.round((performance.now() - t) * 10) / 10;
  return verdict(v.json ?? false, r.ok, r.ok ? `Groth16 proof verifies (${signals.length} public signals, ${ms} ms)` : r.reason, {
    ...(r.ok ? {} : { reason: r.reason }),
    nPublic: vkey.nPublic,
    ms,
  });
}

/** The header verification keys of --vkey (aggregated) and --per-validator-vkey (optional). */
function headerVerifiers(v: { vkey?: string; "per-validator-vkey"?: string }, cmd: string): HeaderVerifiers {
  return {
    aggregated: loadVkey(required(v.vkey, "vkey", cmd)),
    ...(v["per-validator-vkey"] !== undefined ? { perValidator: loadVkey(v["per-validator-vkey"]) } : {}),
  };
}

const headerKeyHelp = {
  vkey: "AggregatedHeaderQuorum verification key (for header proofs of kind aggregated)",
  "per-validator-vkey": "HeaderQuorum verification key (for kind perValidator; without it such proofs are refused)",
};

const chainOptions = {
  vkey: { type: "string" },
  "per-validator-vkey": { type: "string" },
  checkpoint: { type: "string" },
  headers: { type: "string", multiple: true },
  ...jsonOpt,
} as const satisfies Options;

async function runChain(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof chainOptions> = {
    name: "verify chain",
    summary: CHECKS.chain.summary,
    usage: "--vkey <aggregated-vkey.json> [--per-validator-vkey <vkey.json>] --checkpoint <checkpoint.json> --headers <headers.json> [--headers <more.json>]... [--json]",
    options: chainOptions,
    help: {
      ...headerKeyHelp,
      checkpoint: "trusted checkpoint JSON { chainId, epoch, validatorSetRoot, height? }",
      headers: 'header proofs in order: a JSON array of { kind: "aggregated" | "perValidator", proof, publicSignals }, { headers: [...] }, or one proof as olzk prove header writes it; repeat for more files',
      json: "print one JSON object",
    },
    notes: EXIT_CODES,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const verifiers = headerVerifiers(v, "chain");
  const checkpoint = loadCheckpoint(required(v.checkpoint, "checkpoint", "chain"));
  if (!v.headers?.length) throw new UserError("--headers is required (see olzk verify chain --help)");
  const items = v.headers.flatMap(loadHeaderItems);
  const r = verifyHeaderChain(verifiers, checkpoint, items);
  const last = r.headers[r.headers.length - 1];
  const line = r.ok
    ? `${r.headers.length} headers verified${last ? `, latest height ${last.height}` : ""}; now at epoch ${r.cursor.epoch}`
    : `${r.code}: ${r.reason}`;
  return verdict(v.json ?? false, r.ok, line, {
    ...(r.ok ? {} : { code: r.code, index: r.index, reason: r.reason }),
    headers: r.headers,
    cursor: r.cursor,
  });
}

const collateralOptions = {
  vkey: { type: "string" },
  "per-validator-vkey": { type: "string" },
  checkpoint: { type: "string" },
  bundle: { type: "string" },
  borrower: { type: "string" },
  "min-credit": { type: "string" },
  "chain-id": { type: "string" },
  contract: { type: "string" },
  "valid-until": { type: "string" },
  "max-age": { type: "string" },
  now: { type: "string" },
  "credit-asset": { type: "string" },
  ...jsonOpt,
} as const satisfies Options;

async function runCollateral(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof collateralOptions> = {
    name: "verify collateral",
    summary: CHECKS.collateral.summary,
    usage:
      "--vkey <aggregated-vkey.json> [--per-validator-vkey <vkey.json>] --checkpoint <checkpoint.json> --bundle <bundle.json|bundle.ssz> --borrower 0x.. --min-credit N --chain-id N --contract 0x.. --valid-until T --max-age S [--now T] [--json]",
    options: collateralOptions,
    help: {
      ...headerKeyHelp,
      checkpoint: "trusted checkpoint JSON { chainId, epoch, validatorSetRoot, height? }; the bundle must start from it",
      bundle: "collateral proof bundle, JSON or SSZ bytes (told apart by content)",
      borrower: "Away address that must be the lockup's borrower",
      "min-credit": "credit needed, base units of the credit asset",
      "chain-id": "Away chain id the lockup must be bound to",
      contract: "Away AtomicSettlement contract the lockup must be bound to",
      "valid-until": "unix seconds the lockup must not expire before",
      "max-age": "largest allowed age in seconds of the header the state is read from",
      now: "unix seconds to measure the age and expiry from (default: this machine's clock)",
      "credit-asset": "if given, the lockup's credit asset must be this address",
      json: "print one JSON object",
    },
    notes: EXIT_CODES,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const cmd = "collateral";
  const verifiers = headerVerifiers(v, cmd);
  const checkpoint = loadCheckpoint(required(v.checkpoint, "checkpoint", cmd));
  const query = {
    checkpoint,
    borrower: addressArg(required(v.borrower, "borrower", cmd), "borrower"),
    minCredit: bigArg(required(v["min-credit"], "min-credit", cmd), "min-credit"),
    awayChainId: bigArg(required(v["chain-id"], "chain-id", cmd), "chain-id"),
    settlementContract: addressArg(required(v.contract, "contract", cmd), "contract"),
    validUntil: bigArg(required(v["valid-until"], "valid-until", cmd), "valid-until"),
    maxAgeSeconds: bigArg(required(v["max-age"], "max-age", cmd), "max-age"),
    now: v.now !== undefined ? bigArg(v.now, "now") : BigInt(Math.floor(Date.now() / 1000)),
    ...(v["credit-asset"] !== undefined ? { creditAsset: addressArg(v["credit-asset"], "credit-asset") } : {}),
  };
  const bundle = loadBundle(required(v.bundle, "bundle", cmd));
  const r = checkCollateral(verifiers, bundle, query);
  if (r.ok) {
    return verdict(
      v.json ?? false,
      true,
      `lock ${r.lockId}: ${r.borrower} has credit ${r.creditLimit} of ${r.creditAsset} until ${r.expiry}, as of height ${r.header.height} (${r.ageSeconds} s old)`,
      { ...r },
    );
  }
  if (r.code === "BadQuery") throw new UserError(r.reason);
  return verdict(v.json ?? false, false, `${r.code}: ${r.reason}`, { ...r });
}

const validatorOptions = {
  set: { type: "string" },
  root: { type: "string" },
  "home-chain-id": { type: "string" },
  voucher: { type: "string" },
  "epoch-state": { type: "string" },
  waypoint: { type: "string" },
  "epoch-ending": { type: "string", multiple: true },
  ...jsonOpt,
} as const satisfies Options;

async function runValidators(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof validatorOptions> = {
    name: "verify validators",
    summary: CHECKS.validators.summary,
    usage:
      "--set <set.json|set.ssz> --root <validatorSetRoot> --home-chain-id N [--voucher <voucher.json> (--epoch-state <epoch-state.bcs> | --waypoint VERSION:HASH --epoch-ending FILE...)] [--json]",
    options: validatorOptions,
    help: {
      set: "validator set: SSZ bytes, JSON (Home model validatorSetToJSON), or the devnet's GET /validator-sets/:epoch reply",
      root: "the validatorSetRoot it must hash to, e.g. from a verified header (decimal or 0x hex)",
      "home-chain-id": "Home chain id the attestation keys' proofs of possession must be for (u32)",
      voucher: "anchored check: a voucher (JSON) by the real Open Libra validators of the set's epoch; the root must be the one it vouches for",
      "epoch-state": "the Open Libra validator set of that epoch as BCS of an EpochState, trusted as given (like --root)",
      waypoint: "or: a trusted Open Libra waypoint VERSION:HASH from which --epoch-ending establishes the set of the voucher's epoch",
      "epoch-ending": "epoch-ending backup chunk or manifest, in epoch order (with --waypoint; repeat)",
      json: "print one JSON object",
    },
    notes: `${EXIT_CODES}\nWith --voucher the set is accepted only when a quorum (total * 2 / 3 + 1 of the voting power) of the Open Libra set of its epoch vouched for its root.`,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const path = required(v.set, "set", "validators");
  const root = bigArg(required(v.root, "root", "validators"), "root");
  const homeChainId = bigArg(required(v["home-chain-id"], "home-chain-id", "validators"), "home-chain-id");
  if (homeChainId >= 1n << 32n) throw new UserError(`--home-chain-id must be a u32, got ${homeChainId}`);
  const set = loadValidatorSet(path);
  let anchor: SetAnchor | undefined;
  if (v.voucher !== undefined) {
    const { loadAnchor } = await import("./openlibra/cli.ts");
    const { OpenLibraError } = await import("./openlibra/errors.ts");
    try {
      anchor = loadAnchor({ voucher: v.voucher, epochState: v["epoch-state"], waypoint: v.waypoint, epochEnding: v["epoch-ending"] });
    } catch (e) {
      if (!(e instanceof OpenLibraError)) throw e;
      return verdict(v.json ?? false, false, `${e.code}: ${e.message}`, { anchorCode: e.code, reason: e.message });
    }
  } else if (v["epoch-state"] !== undefined || v.waypoint !== undefined || v["epoch-ending"] !== undefined) {
    throw new UserError("--epoch-state, --waypoint and --epoch-ending only go with --voucher");
  }
  const r = checkValidatorSetBindings(set, root, Number(homeChainId), anchor);
  const vouched = r.ok && r.vouchedBy ? `; vouched for by ${r.vouchedBy.signers.length} of ${r.vouchedBy.validators} Open Libra validators of epoch ${r.vouchedBy.epoch}, power ${r.vouchedBy.signedPower} of ${r.vouchedBy.totalPower}` : "";
  const line = r.ok ? `${r.boundSlots} bound validators, total power ${r.totalPower}, root ${r.root}${vouched}` : r.anchorCode ? `${r.anchorCode}: ${r.reason}` : r.reason;
  return verdict(v.json ?? false, r.ok, line, { ...r });
}

/** `olzk verify <check> ...`: returns the exit code; prints one line for any error. */
export function run(argv: string[]): Promise<number> {
  return runSubcommand(VERIFY, argv);
}
