// `olzk verify`: the verifier-ts checks from the command line, no chain access.
//   olzk verify proof       --vkey --proof [--public]          a Groth16 proof
//   olzk verify chain       --vkey --checkpoint --headers      HeaderQuorum proofs from a checkpoint
//   olzk verify collateral  --vkey --checkpoint --bundle ...   a borrower's collateral bundle
//   olzk verify validators  --set --root                       BLS bindings and root of a set
//   olzk verify openlibra   --waypoint --epoch-ending ...      real Open Libra backups (verifier-ts/openlibra/cli.ts)
// Exit code 0 when valid, 1 when invalid, 2 for usage errors; one verdict line (or --json).
import { readFileSync } from "node:fs";
import { parseCommand, UserError, type CommandSpec, type Options } from "../cli/args.ts";
import { decodeValidatorSet, validatorSetFromJSON } from "../home/model/ssz.ts";
import type { ValidatorSet } from "../home/model/validators.ts";
import { BundleFormatError, parseCollateralBundle } from "./bundle.ts";
import { checkCollateral, type CollateralBundle } from "./collateral.ts";
import { checkGroth16, prepareVerificationKey, VerificationKeyError, type SnarkjsProof, type SnarkjsVerificationKey } from "./groth16.ts";
import { verifyHeaderChain, type Checkpoint, type HeaderProofItem, type HeaderVerifiers } from "./headerChain.ts";
import { checkValidatorSetBindings } from "./validatorSet.ts";

const SUBCOMMANDS = {
  proof: "verify a Groth16 proof (snarkjs JSON) against a verification key",
  chain: "verify header proofs (aggregated or per-validator) from a trusted checkpoint through rotations",
  collateral: "check a borrower's collateral from a proof bundle (JSON or SSZ)",
  validators: "check a validator set: attestation keys (proofs of possession, subgroup, no duplicates), BLS bindings and its root",
  openlibra: "verify Open Libra backups (epoch changes, LedgerInfos, state roots) from a waypoint",
} as const;

function usage(): string {
  return [
    "olzk verify: off-chain verification of Home -> Away proofs (pure TypeScript, no chain access)",
    "",
    "Usage: olzk verify <check> [options]   (olzk verify <check> --help for its options)",
    "",
    "Checks:",
    ...Object.entries(SUBCOMMANDS).map(([k, v]) => `  ${k.padEnd(12)}${v}`),
    "",
    "Exit code 0: valid; 1: invalid; 2: usage error. --json prints one JSON object instead of the verdict line.",
  ].join("\n");
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read ${what} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError(`${what} file '${path}' is not valid JSON`);
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

function loadVkey(path: string): SnarkjsVerificationKey {
  const vk = readJson(path, "verification key") as SnarkjsVerificationKey;
  try {
    prepareVerificationKey(vk);
  } catch (e) {
    if (e instanceof VerificationKeyError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
  return vk;
}

function parseCheckpoint(json: unknown, where: string): Checkpoint {
  const o = json as Record<string, unknown> | null;
  const big = (v: unknown, name: string) => {
    if ((typeof v === "string" && /^[0-9]+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return BigInt(v);
    throw new UserError(`${where}: checkpoint ${name} must be a decimal integer`);
  };
  if (typeof o !== "object" || o === null) throw new UserError(`${where}: checkpoint must be an object`);
  if (typeof o.chainId !== "number") throw new UserError(`${where}: checkpoint chainId must be a number`);
  return {
    chainId: o.chainId,
    epoch: big(o.epoch, "epoch"),
    validatorSetRoot: big(o.validatorSetRoot, "validatorSetRoot"),
    ...(o.height !== undefined ? { height: big(o.height, "height") } : {}),
  };
}

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

async function runProof(argv: string[]): Promise<number | void> {
  const spec: CommandSpec<typeof options> = {
    name: "verify proof",
    summary: SUBCOMMANDS.proof,
    usage: "--vkey <vkey.json> --proof <proof.json> [--public <public.json>] [--json]",
    options,
    help: {
      vkey: "verification key (snarkjs zkey export verificationkey)",
      proof: "proof JSON (snarkjs), or { proof, publicSignals }",
      public: "public signals JSON array (decimal strings); optional if the proof file has publicSignals",
      json: "print one JSON object",
    },
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const vkey = loadVkey(required(v.vkey, "vkey", "proof"));
  const proofJson = readJson(required(v.proof, "proof", "proof"), "proof") as Record<string, unknown>;
  let proof = proofJson as unknown as SnarkjsProof;
  let signals: unknown;
  if (v.public !== undefined) signals = readJson(v.public, "public signals");
  else if (proofJson && typeof proofJson === "object" && "publicSignals" in proofJson && "proof" in proofJson) {
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
const options = {
  vkey: { type: "string" },
  proof: { type: "string" },
  public: { type: "string" },
  ...jsonOpt,
} as const satisfies Options;

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
  headers: { type: "string" },
  ...jsonOpt,
} as const satisfies Options;

function parseHeaderItems(json: unknown, where: string): HeaderProofItem[] {
  const list = Array.isArray(json) ? json : (json as { headers?: unknown } | null)?.headers;
  if (!Array.isArray(list)) throw new UserError(`${where}: expected an array of { kind, proof, publicSignals } (or { headers: [...] })`);
  return list as HeaderProofItem[];
}

async function runChain(argv: string[]): Promise<number | void> {
  const spec: CommandSpec<typeof chainOptions> = {
    name: "verify chain",
    summary: SUBCOMMANDS.chain,
    usage: "--vkey <aggregated-vkey.json> [--per-validator-vkey <vkey.json>] --checkpoint <checkpoint.json> --headers <headers.json> [--json]",
    options: chainOptions,
    help: {
      ...headerKeyHelp,
      checkpoint: "trusted checkpoint JSON { chainId, epoch, validatorSetRoot, height? }",
      headers: 'JSON array of { kind: "aggregated" | "perValidator", proof, publicSignals } in order (or { headers: [...] })',
      json: "print one JSON object",
    },
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const verifiers = headerVerifiers(v, "chain");
  const cpPath = required(v.checkpoint, "checkpoint", "chain");
  const checkpoint = parseCheckpoint(readJson(cpPath, "checkpoint"), cpPath);
  const hPath = required(v.headers, "headers", "chain");
  const items = parseHeaderItems(readJson(hPath, "headers"), hPath);
  let r;
  try {
    r = verifyHeaderChain(verifiers, checkpoint, items);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
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

async function runCollateral(argv: string[]): Promise<number | void> {
  const spec: CommandSpec<typeof collateralOptions> = {
    name: "verify collateral",
    summary: SUBCOMMANDS.collateral,
    usage:
      "--vkey <aggregated-vkey.json> [--per-validator-vkey <vkey.json>] --checkpoint <checkpoint.json> --bundle <bundle.json|bundle.ssz> --borrower 0x.. --min-credit N --chain-id N --contract 0x.. --valid-until T --max-age S [--now T] [--json]",
    options: collateralOptions,
    help: {
      ...headerKeyHelp,
      checkpoint: "trusted checkpoint JSON { chainId, epoch, validatorSetRoot, height? }; the bundle must start from it",
      bundle: "collateral proof bundle, JSON or SSZ bytes (detected from the content)",
      borrower: "Away address that must be the lockup's borrower",
      "min-credit": "credit needed, base units of the credit asset",
      "chain-id": "Away chain id the lockup must be bound to",
      contract: "Away AtomicSettlement contract the lockup must be bound to",
      "valid-until": "unix seconds the lockup must not expire before",
      "max-age": "largest allowed age in seconds of the header the state is read from",
      now: "unix seconds to measure the age from (default: this machine's clock)",
      "credit-asset": "if given, the lockup's credit asset must be this address",
      json: "print one JSON object",
    },
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const cmd = "collateral";
  const verifiers = headerVerifiers(v, cmd);
  const cpPath = required(v.checkpoint, "checkpoint", cmd);
  const checkpoint = parseCheckpoint(readJson(cpPath, "checkpoint"), cpPath);
  const bundlePath = required(v.bundle, "bundle", cmd);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(bundlePath);
  } catch (e) {
    throw new UserError(`cannot read bundle file '${bundlePath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
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
  let bundle: CollateralBundle;
  try {
    bundle = parseCollateralBundle(bytes);
  } catch (e) {
    if (e instanceof BundleFormatError) {
      return verdict(v.json ?? false, false, `MalformedBundle: ${e.message}`, { code: "MalformedBundle", reason: e.message });
    }
    throw e;
  }
  const r = checkCollateral(verifiers, bundle, query);
  if (r.ok) {
    return verdict(
      v.json ?? false,
      true,
      `lock ${r.lockId}: ${r.borrower} has credit ${r.creditLimit} of ${r.creditAsset} until ${r.expiry}, as of height ${r.header.height} (${r.ageSeconds} s old)`,
      { ...r },
    );
  }
  return verdict(v.json ?? false, false, `${r.code}: ${r.reason}`, { ...r });
}

const validatorOptions = {
  set: { type: "string" },
  root: { type: "string" },
  "home-chain-id": { type: "string" },
  ...jsonOpt,
} as const satisfies Options;

async function runValidators(argv: string[]): Promise<number | void> {
  const spec: CommandSpec<typeof validatorOptions> = {
    name: "verify validators",
    summary: SUBCOMMANDS.validators,
    usage: "--set <set.json|set.ssz> --root <validatorSetRoot> --home-chain-id N [--json]",
    options: validatorOptions,
    help: {
      set: "validator set, JSON (Home model validatorSetToJSON) or SSZ bytes",
      root: "the validatorSetRoot it must hash to (decimal or 0x hex)",
      "home-chain-id": "Home chain id the attestation keys' proofs of possession must be for (u32)",
      json: "print one JSON object",
    },
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const path = required(v.set, "set", "validators");
  const root = bigArg(required(v.root, "root", "validators"), "root");
  const homeChainId = bigArg(required(v["home-chain-id"], "home-chain-id", "validators"), "home-chain-id");
  if (homeChainId >= 1n << 32n) throw new UserError(`--home-chain-id must be a u32, got ${homeChainId}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read validator set file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let set: ValidatorSet;
  try {
    const text = new TextDecoder().decode(bytes).trimStart();
    set = text.startsWith("{") ? validatorSetFromJSON(JSON.parse(text)) : decodeValidatorSet(bytes);
  } catch (e) {
    return verdict(v.json ?? false, false, `malformed validator set: ${(e as Error).message}`, { reason: (e as Error).message });
  }
  const r = checkValidatorSetBindings(set, root, Number(homeChainId));
  const line = r.ok ? `${r.boundSlots} bound validators, total power ${r.totalPower}, root ${r.root}` : r.reason;
  return verdict(v.json ?? false, r.ok, line, { ...r });
}

export async function run(argv: string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(usage());
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case "proof":
      return runProof(rest);
    case "chain":
      return runChain(rest);
    case "collateral":
      return runCollateral(rest);
    case "validators":
      return runValidators(rest);
    case "openlibra":
      return (await import("./openlibra/cli.ts")).run(rest);
    default:
      throw new UserError(`unknown check '${sub}' (one of: ${Object.keys(SUBCOMMANDS).join(", ")})`);
  }
}
