// `olzk deploy`: the command-line entry point of the deploy library (deploy.ts): options, their
// checks (one line per mistake), the profile's verifiers and the anchor files, then deployAll.
import { join, resolve } from "node:path";
import type { Address, Hex } from "viem";
import { parseCommand, UserError } from "../../cli/args.ts";
import { FIELD_MODULUS } from "../../home/model/field.ts";
import { OpenLibraError } from "../../verifier-ts/openlibra/errors.ts";
import { generatedLockSlots, profileVerifiers, REPO_ROOT } from "./artifacts.ts";
import {
  DEFAULT_HISTORY_SIZE,
  DEFAULT_MAX_STATE_AGE,
  DEFAULT_MIN_LP_CAPITAL,
  deployAll,
  type DeployAnchor,
  type DeployedAddresses,
} from "./deploy.ts";

const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
const DEFAULT_OUT = join(REPO_ROOT, "data", "away-addresses.json");

const spec = {
  name: "deploy",
  summary: "deploy the Away contracts (light client, verifiers, settlement, escrow, LP registry) to an EVM chain",
  usage:
    "--genesis-root <root> [--rpc <url>] [--profile dev|prod] [--home-chain-id <n>] [--genesis-epoch <n>] [--anchor-voucher <file> (--anchor-epoch-state <file> | --anchor-waypoint V:H --anchor-epoch-ending <file>...) | --anchor-address <address>] [--out <file>]",
  options: {
    rpc: { type: "string" as const },
    profile: { type: "string" as const },
    "home-chain-id": { type: "string" as const },
    "genesis-epoch": { type: "string" as const },
    "genesis-root": { type: "string" as const },
    guardian: { type: "string" as const },
    "min-lp-capital": { type: "string" as const },
    "max-state-age": { type: "string" as const },
    "history-size": { type: "string" as const },
    "test-tokens": { type: "boolean" as const },
    "anchor-voucher": { type: "string" as const },
    "anchor-epoch-state": { type: "string" as const },
    "anchor-waypoint": { type: "string" as const },
    "anchor-epoch-ending": { type: "string" as const, multiple: true as const },
    "anchor-address": { type: "string" as const },
    out: { type: "string" as const },
  },
  help: {
    rpc: `Away JSON-RPC URL (default ${DEFAULT_RPC_URL}, or env OLZK_AWAY_RPC)`,
    profile: "circuit profile whose generated verifiers to deploy (default dev; prod: contracts/generated/prod, aggregated header proofs only)",
    "home-chain-id": "Home chain id the light client follows (default 1)",
    "genesis-epoch": "trusted genesis epoch (default 0)",
    "genesis-root": "trusted validator set root of the genesis epoch (decimal or 0x hex field element)",
    guardian: "address allowed to pause the light client (default: the deployer)",
    "min-lp-capital": `capital (lent-asset base units) an LP needs to be listed for bestOffer (default ${DEFAULT_MIN_LP_CAPITAL})`,
    "max-state-age": `maximum age in seconds of the header a settlement uses (default ${DEFAULT_MAX_STATE_AGE})`,
    "history-size": `recent headers the light client keeps (default ${DEFAULT_HISTORY_SIZE})`,
    "test-tokens": "also deploy mintable WETH/USDC test tokens (devnet only)",
    "anchor-voucher":
      "anchored mode (the chain needs EIP-2537): the voucher (JSON) of the genesis root by the Open Libra validators of the genesis epoch; an OpenLibraLightClient is deployed from their set and the light client anchored to it",
    "anchor-epoch-state": "the Open Libra set of the genesis epoch as BCS of an EpochState (trusted as given)",
    "anchor-waypoint": "or: a trusted Open Libra waypoint VERSION:HASH from which --anchor-epoch-ending establishes that set",
    "anchor-epoch-ending": "epoch-ending backup chunk or manifest, in epoch order (with --anchor-waypoint; repeat)",
    "anchor-address":
      "anchored mode on an OpenLibraLightClient already deployed at this address (it must hold the voucher of the genesis root for the genesis epoch); instead of --anchor-voucher",
    out: `addresses JSON for the relayer (default ${DEFAULT_OUT})`,
  },
  notes: "The deployer is env OLZK_DEPLOYER_KEY (hex private key) or else the node's first unlocked account.",
};

function bigOption(name: string, raw: string | undefined, fallback?: bigint): bigint {
  if (raw === undefined) {
    if (fallback === undefined) throw new UserError(`--${name} is required (see olzk deploy --help)`);
    return fallback;
  }
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(raw)) throw new UserError(`--${name} must be a non-negative integer, got '${raw}'`);
  return BigInt(raw);
}

/**
 * The anchor of --anchor-address (an existing OpenLibraLightClient), or of --anchor-voucher and its
 * Open Libra set (files read as `olzk verify validators --voucher` reads them).
 */
async function anchorOption(v: {
  "anchor-address"?: string;
  "anchor-voucher"?: string;
  "anchor-epoch-state"?: string;
  "anchor-waypoint"?: string;
  "anchor-epoch-ending"?: string[];
}): Promise<DeployAnchor | undefined> {
  const address = v["anchor-address"];
  if (address !== undefined) {
    if (v["anchor-voucher"] !== undefined || v["anchor-epoch-state"] !== undefined || v["anchor-waypoint"] !== undefined || v["anchor-epoch-ending"] !== undefined) {
      throw new UserError("--anchor-address (an existing OpenLibraLightClient) does not go with --anchor-voucher, --anchor-epoch-state, --anchor-waypoint or --anchor-epoch-ending");
    }
    return { address: address as Address }; // checked by deployAll before it deploys anything
  }
  if (v["anchor-voucher"] === undefined) {
    if (v["anchor-epoch-state"] !== undefined || v["anchor-waypoint"] !== undefined || v["anchor-epoch-ending"] !== undefined) {
      throw new UserError("--anchor-epoch-state, --anchor-waypoint and --anchor-epoch-ending only go with --anchor-voucher");
    }
    return undefined;
  }
  const { loadAnchor } = await import("../../verifier-ts/openlibra/cli.ts");
  try {
    const a = loadAnchor({ voucher: v["anchor-voucher"], epochState: v["anchor-epoch-state"], waypoint: v["anchor-waypoint"], epochEnding: v["anchor-epoch-ending"] }, "anchor-");
    return { epochState: a.epochState, genesisVoucher: a.voucher };
  } catch (e) {
    if (e instanceof OpenLibraError) throw new UserError(`anchor: ${e.code}: ${e.message}`);
    throw e;
  }
}

/** `olzk deploy`. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const rpc = v.rpc ?? process.env.OLZK_AWAY_RPC ?? DEFAULT_RPC_URL;
  const guardian = v.guardian;
  if (guardian !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(guardian)) throw new UserError(`--guardian must be an address, got '${guardian}'`);
  const key = process.env.OLZK_DEPLOYER_KEY;
  if (key !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UserError("OLZK_DEPLOYER_KEY must be a 0x-prefixed 32-byte hex key");
  const homeChainId = Number(bigOption("home-chain-id", v["home-chain-id"], 1n));
  const genesisRoot = bigOption("genesis-root", v["genesis-root"]);
  if (genesisRoot === 0n || genesisRoot >= FIELD_MODULUS) throw new UserError("--genesis-root must be a nonzero field element (below r)");
  const minLpCapital = bigOption("min-lp-capital", v["min-lp-capital"], DEFAULT_MIN_LP_CAPITAL);
  if (minLpCapital === 0n || minLpCapital >> 128n !== 0n) throw new UserError("--min-lp-capital must be from 1 to 2^128 - 1 base units");
  const out = resolve(v.out ?? DEFAULT_OUT);
  const profile = v.profile ?? "dev";
  if (!/^[a-z0-9_-]+$/.test(profile)) throw new UserError(`--profile: bad profile name '${profile}'`);
  const verifiers = await profileVerifiers(profile);
  const { generatedDirFor } = await import("../../prover/setup/pipeline.ts");
  const lockSlots = generatedLockSlots(generatedDirFor(profile));
  const anchor = await anchorOption(v);
  let result: DeployedAddresses;
  try {
    result = await deployAll(rpc, {
      homeChainId,
      genesisEpoch: bigOption("genesis-epoch", v["genesis-epoch"], 0n),
      genesisValidatorSetRoot: genesisRoot,
      guardian: guardian as Address | undefined,
      minLpCapital,
      maxStateAge: bigOption("max-state-age", v["max-state-age"], DEFAULT_MAX_STATE_AGE),
      historySize: bigOption("history-size", v["history-size"], DEFAULT_HISTORY_SIZE),
      testTokens: v["test-tokens"] ?? false,
      privateKey: key as Hex | undefined,
      rpcUrl: rpc,
      verifiers,
      lockSlots,
      ...(anchor ? { anchor } : {}),
      out,
    });
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = (e as Error).message ?? String(e);
    if (/fetch failed|ECONNREFUSED|HTTP request failed/i.test(msg)) throw new UserError(`cannot reach ${rpc}: is the node running?`);
    throw e;
  }
  console.log(JSON.stringify(result, null, 2));
  console.log(`addresses written to ${out}`);
  return 0;
}
