// Deploys the Away-chain contract set (the header verifiers: AggregatedHeaderQuorum and, where the
// profile has it, the per-validator HeaderQuorum; the Settlement verifier; the HeaderSettlement
// verifier (header and settlement in one proof, for settleWithHeader); HomeLightClient,
// AtomicSettlement, which itself deploys AuctionEscrow and LPRegistry) to any EVM JSON-RPC with viem,
// and writes the addresses (+ chainId, deploy block) to a JSON file the relayer reads.
// Programmatic: `deployAll(rpcUrl | { publicClient, walletClient }, opts)`; CLI: `olzk deploy`.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseCommand, UserError } from "../cli/args.ts";
import { FIELD_MODULUS } from "../home/model/field.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_OUT = join(REPO_ROOT, "data", "away-addresses.json");
/**
 * Capital (base units of the lent asset) an LP needs to be listed in the registry: 1 USDC at 6
 * decimals, dust at 18. Listing is bounded (64 per asset) and a newcomer with more capital takes the
 * place of the smallest listed LP, so the minimum only keeps empty offers out of the scan.
 */
export const DEFAULT_MIN_LP_CAPITAL = 1_000_000n;
/** Recent headers the light client keeps (its ring is prefilled at deploy: ~45k gas per entry). */
export const DEFAULT_HISTORY_SIZE = 64n;
/** A settlement may use a header at most this old (1 day). */
export const DEFAULT_MAX_STATE_AGE = 24n * 3600n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Where Hardhat writes the artifact of `name` declared in `source` (path under contracts/). */
export function artifactPath(source: string, name: string): string {
  return join(REPO_ROOT, "artifacts", "contracts", source, `${name}.json`);
}

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

/** Reads a compiled contract (run `npx hardhat build` first). */
export function loadArtifact(source: string, name: string): Artifact {
  const p = artifactPath(source, name);
  let json: { abi: Abi; bytecode: Hex };
  try {
    json = JSON.parse(readFileSync(p, "utf8"));
  } catch {
    throw new UserError(`missing artifact ${p}: run 'npx hardhat build' (and 'olzk setup' for the generated verifiers)`);
  }
  return { abi: json.abi, bytecode: json.bytecode };
}

/**
 * Compiles one self-contained Solidity file (e.g. a generated verifier outside contracts/) with
 * solc-js and the Hardhat settings (0.8.37, optimizer 10000 runs, prague); returns contract `name`.
 */
export function compileSolidity(file: string, name: string): Artifact {
  const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { [name + ".sol"]: { content: readFileSync(file, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "prague",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`compiling ${file}: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = out.contracts?.[name + ".sol"]?.[name];
  if (!c) throw new Error(`${file} has no contract ${name}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
}

/** Sources of every contract the deploy script touches (paths under contracts/). */
export const SOURCES = {
  AggregatedHeaderQuorumVerifier: "generated/AggregatedHeaderQuorumVerifier.sol",
  HeaderQuorumVerifier: "generated/HeaderQuorumVerifier.sol",
  SettlementVerifier: "generated/SettlementVerifier.sol",
  HeaderSettlementVerifier: "generated/HeaderSettlementVerifier.sol",
  HomeLightClient: "HomeLightClient.sol",
  AtomicSettlement: "AtomicSettlement.sol",
  AuctionEscrow: "AuctionEscrow.sol",
  LPRegistry: "LPRegistry.sol",
  TestToken: "test/TestToken.sol",
} as const;

export type ContractName = keyof typeof SOURCES;

export function artifact(name: ContractName): Artifact {
  return loadArtifact(SOURCES[name], name);
}

/**
 * The verifiers of a circuit profile's setup, for DeployOptions.verifiers: none for dev (the
 * committed contracts/generated Hardhat artifacts), else compiled here with solc-js from the
 * profile's generated directory (contracts/generated/prod for prod, build/setup/<profile>/generated
 * otherwise); no per-validator verifier when the profile's setup made none.
 */
export async function profileVerifiers(profile: string): Promise<DeployOptions["verifiers"]> {
  if (profile === "dev") return undefined;
  const { contractPrefix, generatedDirFor } = await import("../prover/setup/pipeline.ts");
  const dir = generatedDirFor(profile);
  const prefix = contractPrefix(profile);
  const compile = (name: string): Artifact | null => {
    const file = join(dir, `${prefix}${name}.sol`);
    if (!existsSync(file)) return null;
    return compileSolidity(file, `${prefix}${name}`);
  };
  const aggregated = compile("AggregatedHeaderQuorumVerifier");
  const settlement = compile("SettlementVerifier");
  const headerSettlement = compile("HeaderSettlementVerifier");
  if (!aggregated || !settlement || !headerSettlement) throw new UserError(`no generated verifiers for profile ${profile} in ${dir}: run olzk setup --profile ${profile}`);
  return {
    AggregatedHeaderQuorumVerifier: aggregated,
    HeaderQuorumVerifier: compile("HeaderQuorumVerifier"),
    SettlementVerifier: settlement,
    HeaderSettlementVerifier: headerSettlement,
  };
}

/** K of a generated Settlement verifier (setup.json of `dir`, default the committed dev contracts/generated), 2 when unknown. */
export function generatedLockSlots(dir: string = join(REPO_ROOT, "contracts", "generated")): number {
  try {
    const setup = JSON.parse(readFileSync(join(dir, "setup.json"), "utf8"));
    const k = setup?.circuits?.settlement?.params?.lockups;
    return Number.isInteger(k) && k > 0 ? k : 2;
  } catch {
    return 2;
  }
}

export interface DeployOptions {
  /** Home chain id (u32) the light client follows. */
  homeChainId: number;
  /** Trusted genesis epoch and its validator set root. */
  genesisEpoch: bigint;
  genesisValidatorSetRoot: bigint;
  /** Pauser of the light client; defaults to the deployer. */
  guardian?: Address;
  maxStateAge?: bigint;
  /** Registry listing minimum (default DEFAULT_MIN_LP_CAPITAL). */
  minLpCapital?: bigint;
  historySize?: bigint;
  /** Settlement circuit lockup slots K (default: contracts/generated/setup.json, else 2). */
  lockSlots?: number;
  /** Also deploy two mintable test tokens (devnet only). */
  testTokens?: boolean;
  /** Write the addresses JSON here (nothing written when undefined). */
  out?: string;
  /** Hex private key for an RPC URL target; default: the node's first unlocked account. */
  privateKey?: Hex;
  /** Recorded in the JSON for the relayer. */
  rpcUrl?: string;
  /**
   * Verifier contracts to deploy instead of the committed (dev profile) Hardhat artifacts, e.g.
   * the verifiers another profile's setup generated (see profileVerifiers). `HeaderQuorumVerifier:
   * null` deploys no per-validator verifier (the light client then accepts aggregated proofs only).
   */
  verifiers?: {
    AggregatedHeaderQuorumVerifier?: Artifact;
    HeaderQuorumVerifier?: Artifact | null;
    SettlementVerifier?: Artifact;
    /** `null` deploys none (the light client then refuses submitHeaderWithSettlement). */
    HeaderSettlementVerifier?: Artifact | null;
  };
}

export interface DeployedAddresses {
  chainId: number;
  rpcUrl?: string;
  deployBlock: string;
  deployer: Address;
  guardian: Address;
  homeChainId: number;
  genesisEpoch: string;
  genesisValidatorSetRoot: string;
  maxStateAge: string;
  minLpCapital: string;
  historySize: string;
  lockSlots: number;
  /** AggregatedHeaderQuorum verifier. */
  aggregatedHeaderVerifier: Address;
  /** Per-validator HeaderQuorum verifier, null when the profile has none. */
  perValidatorHeaderVerifier: Address | null;
  settlementVerifier: Address;
  /** HeaderSettlement verifier (settleWithHeader), null when none was deployed. */
  headerSettlementVerifier: Address | null;
  lightClient: Address;
  settlement: Address;
  escrow: Address;
  registry: Address;
  /** Present with testTokens: symbol -> address. */
  tokens?: Record<string, Address>;
}

export interface Clients {
  publicClient: PublicClient;
  walletClient: WalletClient;
}

async function clientsFor(target: string, privateKey?: Hex): Promise<Clients> {
  const transport = http(target, { retryCount: 2 });
  const publicClient = createPublicClient({ transport });
  const chainId = await publicClient.getChainId();
  const chain = {
    id: chainId,
    name: `away-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [target] } },
  } as const satisfies Chain;
  let account: Account | Address;
  if (privateKey) account = privateKeyToAccount(privateKey);
  else {
    const accounts = (await publicClient.request({ method: "eth_accounts" } as never)) as Address[];
    if (!accounts[0]) throw new UserError(`${target} has no unlocked account: pass a private key`);
    account = accounts[0];
  }
  const walletClient = createWalletClient({ transport, chain, account });
  return { publicClient: createPublicClient({ transport, chain }) as PublicClient, walletClient };
}

/** Deploys one contract and waits for its receipt; returns the address and block. */
async function deploy(
  { publicClient, walletClient }: Clients,
  name: ContractName,
  args: readonly unknown[],
  override?: Artifact,
): Promise<{ address: Address; block: bigint }> {
  const { abi, bytecode } = override ?? artifact(name);
  const hash = await walletClient.deployContract({
    abi,
    bytecode,
    args,
    account: walletClient.account!,
    chain: walletClient.chain,
  } as Parameters<WalletClient["deployContract"]>[0]);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed (tx ${hash})`);
  return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber };
}

/**
 * Deploys the whole Away contract set. `target` is a JSON-RPC URL (default local Hardhat node) or
 * ready viem clients (the wallet client's account deploys). Returns the addresses; writes them to
 * `opts.out` when given.
 */
export async function deployAll(target: string | Clients, opts: DeployOptions): Promise<DeployedAddresses> {
  const clients = typeof target === "string" ? await clientsFor(target, opts.privateKey) : target;
  const { publicClient, walletClient } = clients;
  if (!walletClient.account) throw new Error("wallet client has no account");
  const deployer = getAddress(walletClient.account.address);
  if (!Number.isInteger(opts.homeChainId) || opts.homeChainId < 0 || opts.homeChainId >= 2 ** 32) {
    throw new UserError(`homeChainId must be a u32, got ${opts.homeChainId}`);
  }
  const guardian = getAddress(opts.guardian ?? deployer);
  const minLpCapital = opts.minLpCapital ?? DEFAULT_MIN_LP_CAPITAL;
  const maxStateAge = opts.maxStateAge ?? DEFAULT_MAX_STATE_AGE;

  const aggregatedVerifier = await deploy(clients, "AggregatedHeaderQuorumVerifier", [], opts.verifiers?.AggregatedHeaderQuorumVerifier);
  const perValidator = opts.verifiers?.HeaderQuorumVerifier;
  const perValidatorVerifier = perValidator === null ? null : await deploy(clients, "HeaderQuorumVerifier", [], perValidator);
  const settlementVerifier = await deploy(clients, "SettlementVerifier", [], opts.verifiers?.SettlementVerifier);
  const headerSettlement = opts.verifiers?.HeaderSettlementVerifier;
  const headerSettlementVerifier = headerSettlement === null ? null : await deploy(clients, "HeaderSettlementVerifier", [], headerSettlement);
  const lockSlots = opts.lockSlots ?? generatedLockSlots();
  const lightClient = await deploy(clients, "HomeLightClient", [
    opts.homeChainId,
    opts.genesisEpoch,
    opts.genesisValidatorSetRoot,
    aggregatedVerifier.address,
    perValidatorVerifier?.address ?? ZERO_ADDRESS,
    headerSettlementVerifier?.address ?? ZERO_ADDRESS,
    // HeaderSettlement public inputs: the header's 4, then awayBinding, resultDigest, K lockDigests.
    headerSettlementVerifier ? 6 + lockSlots : 0,
    guardian,
    opts.historySize ?? DEFAULT_HISTORY_SIZE,
  ]);
  const settlement = await deploy(clients, "AtomicSettlement", [
    lightClient.address,
    settlementVerifier.address,
    lockSlots,
    maxStateAge,
    minLpCapital,
  ]);
  const settlementAbi = artifact("AtomicSettlement").abi;
  const read = (functionName: "escrow" | "registry") =>
    publicClient.readContract({ address: settlement.address, abi: settlementAbi, functionName }).then((a) => getAddress(a as Address));
  const [escrow, registry] = await Promise.all([read("escrow"), read("registry")]);

  let tokens: Record<string, Address> | undefined;
  if (opts.testTokens) {
    tokens = {
      WETH: (await deploy(clients, "TestToken", ["Wrapped Ether (test)", "WETH", 18])).address,
      USDC: (await deploy(clients, "TestToken", ["USD Coin (test)", "USDC", 6])).address,
    };
  }

  const out: DeployedAddresses = {
    chainId: await publicClient.getChainId(),
    rpcUrl: opts.rpcUrl ?? (typeof target === "string" ? target : undefined),
    deployBlock: aggregatedVerifier.block.toString(),
    deployer,
    guardian,
    homeChainId: opts.homeChainId,
    genesisEpoch: opts.genesisEpoch.toString(),
    genesisValidatorSetRoot: opts.genesisValidatorSetRoot.toString(),
    maxStateAge: maxStateAge.toString(),
    minLpCapital: minLpCapital.toString(),
    historySize: (opts.historySize ?? DEFAULT_HISTORY_SIZE).toString(),
    lockSlots,
    aggregatedHeaderVerifier: aggregatedVerifier.address,
    perValidatorHeaderVerifier: perValidatorVerifier?.address ?? null,
    settlementVerifier: settlementVerifier.address,
    headerSettlementVerifier: headerSettlementVerifier?.address ?? null,
    lightClient: lightClient.address,
    settlement: settlement.address,
    escrow,
    registry,
    ...(tokens ? { tokens } : {}),
  };
  if (opts.out) {
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(opts.out, JSON.stringify(out, null, 2) + "\n");
  }
  return out;
}

const spec = {
  name: "deploy",
  summary: "deploy the Away contracts (light client, verifiers, settlement, escrow, LP registry) to an EVM chain",
  usage: "--genesis-root <root> [--rpc <url>] [--profile dev|prod] [--home-chain-id <n>] [--genesis-epoch <n>] [--out <file>]",
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
  const { generatedDirFor } = await import("../prover/setup/pipeline.ts");
  const lockSlots = generatedLockSlots(generatedDirFor(profile));
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
