// Deploys the Away-chain contract set (the header verifiers: AggregatedHeaderQuorum and, where the
// profile has it, the per-validator HeaderQuorum; the Settlement verifier; the HeaderSettlement
// verifier (header and settlement in one proof, for settleWithHeader); HomeLightClient,
// AtomicSettlement, which itself deploys AuctionEscrow and LPRegistry) to any EVM JSON-RPC with viem,
// and writes the addresses (+ chainId, deploy block) to a JSON file the relayer reads. With `anchor`
// (chains with EIP-2537) it first deploys an OpenLibraLightClient from a trusted Open Libra set,
// records the voucher of the genesis attestation set in it, and deploys the light client anchored to it;
// with `anchor: { address }` it anchors the light client to an OpenLibraLightClient already deployed.
// Programmatic: `deployAll(rpcUrl | { publicClient, walletClient }, opts)`; CLI: `olzk deploy` (cli.ts).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Account,
  type Address,
  type Chain,
  type Hex,
  toHex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { UserError } from "../../cli/args.ts";
import { OpenLibraError } from "../../verifier-ts/openlibra/errors.ts";
import { setCommitment, voucherCalldata } from "../../verifier-ts/openlibra/evm.ts";
import { seed } from "../../verifier-ts/openlibra/hash.ts";
import { VOUCHER_DOMAIN, verifyVoucher, type Voucher } from "../../verifier-ts/openlibra/voucher.ts";
import type { EpochState } from "../../verifier-ts/openlibra/bcs.ts";
import { artifact, generatedLockSlots, type Artifact, type ContractName, type VerifierArtifacts } from "./artifacts.ts";

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
  /** Verifier contracts to deploy instead of the committed (dev profile) Hardhat artifacts (see VerifierArtifacts). */
  verifiers?: VerifierArtifacts;
  /**
   * Anchored mode (the Away chain must have the EIP-2537 precompiles): the light client takes the
   * genesis set and every later set only as vouched in an OpenLibraLightClient, either one deployed
   * here (NewAnchor) or one already on the chain (ExistingAnchor). Without it the light client is
   * unanchored (the attestation committee's epoch-ending headers name the next set).
   */
  anchor?: DeployAnchor;
}

export type DeployAnchor = NewAnchor | ExistingAnchor;

/** Deploy an OpenLibraLightClient started from `epochState` and submit `genesisVoucher` to it. */
export interface NewAnchor {
  /** The trusted Open Libra validator set of `genesisEpoch` (e.g. the next_epoch_state of a verified epoch-ending chunk). */
  epochState: EpochState;
  /** A quorum of `epochState` vouching for `genesisValidatorSetRoot` (epoch `genesisEpoch`). */
  genesisVoucher: Voucher;
}

/** An OpenLibraLightClient already deployed, which must hold the voucher of `genesisValidatorSetRoot` for `genesisEpoch`. */
export interface ExistingAnchor {
  address: Address;
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
  /** The OpenLibraLightClient the light client is anchored to, null when unanchored. */
  openLibraLightClient: Address | null;
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

/** Off-chain checks of a new anchor before anything is deployed: the set is of the genesis epoch and its quorum vouched for the genesis set. */
function checkNewAnchor(opts: DeployOptions, { epochState, genesisVoucher }: NewAnchor): void {
  if (epochState.epoch !== opts.genesisEpoch) {
    throw new UserError(`anchor: the Open Libra set is of epoch ${epochState.epoch}, the genesis epoch is ${opts.genesisEpoch}`);
  }
  try {
    verifyVoucher(epochState, genesisVoucher, opts.genesisValidatorSetRoot);
  } catch (e) {
    if (e instanceof OpenLibraError) throw new UserError(`anchor: the genesis voucher does not verify: ${e.code}: ${e.message}`);
    throw e;
  }
}

/**
 * Checks of an existing anchor before anything is deployed: code at the address, an
 * OpenLibraLightClient's constants and views (of the version that keeps past sets), and the voucher
 * of the genesis root for the genesis epoch (which the light client's constructor requires).
 */
async function checkExistingAnchor(publicClient: PublicClient, opts: DeployOptions, anchor: ExistingAnchor): Promise<Address> {
  let address: Address;
  try {
    address = getAddress(anchor.address);
  } catch {
    throw new UserError(`anchor: '${anchor.address}' is not an address (20 bytes of 0x hex, checksummed if mixed-case)`);
  }
  const code = await publicClient.getCode({ address });
  if (!code || code === "0x") throw new UserError(`anchor: no contract at ${address} on chain ${await publicClient.getChainId()}`);
  const abi = artifact("OpenLibraLightClient").abi;
  const read = async (functionName: string, args: readonly unknown[] = []): Promise<unknown> => {
    try {
      return await publicClient.readContract({ address, abi, functionName, args });
    } catch (e) {
      // A revert or no return data: the contract has no such view. Anything else (the RPC) is not the address's fault.
      if (e instanceof BaseError && e.walk((c) => c instanceof ContractFunctionRevertedError || c instanceof ContractFunctionZeroDataError)) {
        throw new UserError(`anchor: ${address} is not an OpenLibraLightClient (${functionName}() fails)`);
      }
      throw e;
    }
  };
  const domain = toHex(new TextEncoder().encode(VOUCHER_DOMAIN));
  if ((await read("LEDGER_INFO_SEED")) !== toHex(seed("LedgerInfo")) || (await read("VOUCHER_DOMAIN")) !== domain) {
    throw new UserError(`anchor: ${address} is not an OpenLibraLightClient (other LedgerInfo seed or voucher domain)`);
  }
  const [first, current] = [(await read("firstEpoch")) as bigint, (await read("currentEpoch")) as bigint];
  const vouched = BigInt((await read("vouchedAttestationSetRoot", [opts.genesisEpoch])) as Hex);
  if (vouched !== opts.genesisValidatorSetRoot) {
    const held = `it holds epochs ${first} to ${current}`;
    throw new UserError(
      vouched === 0n
        ? `anchor: ${address} has no voucher for genesis epoch ${opts.genesisEpoch} (${held}): submit the voucher of the genesis root to it first`
        : `anchor: ${address} vouches for root ${vouched} in epoch ${opts.genesisEpoch}, not the genesis root ${opts.genesisValidatorSetRoot}`,
    );
  }
  return address;
}

/** The OpenLibraLightClient of an anchored deployment: started from the anchor's set, the genesis voucher recorded. */
async function deployAnchor(clients: Clients, { epochState, genesisVoucher }: NewAnchor): Promise<Address> {
  const { address } = await deploy(clients, "OpenLibraLightClient", [epochState.epoch, toHex(setCommitment(epochState).commitment)]);
  const { publicClient, walletClient } = clients;
  const c = voucherCalldata(epochState, genesisVoucher);
  const hash = await walletClient.writeContract({
    address,
    abi: artifact("OpenLibraLightClient").abi,
    functionName: "submitVoucher",
    args: [c.epoch, toHex(c.attestationSetRoot), toHex(c.bitmask), toHex(c.signature), toHex(c.setOpening)],
    account: walletClient.account!,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`submitting the genesis voucher failed (tx ${hash})`);
  return address;
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
  // An anchor is checked before anything is deployed.
  const anchor = opts.anchor;
  const newAnchor = anchor && !("address" in anchor) ? anchor : null;
  const existingAnchor = anchor && "address" in anchor ? await checkExistingAnchor(publicClient, opts, anchor) : null;
  if (newAnchor) checkNewAnchor(opts, newAnchor);

  const aggregatedVerifier = await deploy(clients, "AggregatedHeaderQuorumVerifier", [], opts.verifiers?.AggregatedHeaderQuorumVerifier);
  const perValidator = opts.verifiers?.HeaderQuorumVerifier;
  const perValidatorVerifier = perValidator === null ? null : await deploy(clients, "HeaderQuorumVerifier", [], perValidator);
  const settlementVerifier = await deploy(clients, "SettlementVerifier", [], opts.verifiers?.SettlementVerifier);
  const headerSettlement = opts.verifiers?.HeaderSettlementVerifier;
  const headerSettlementVerifier = headerSettlement === null ? null : await deploy(clients, "HeaderSettlementVerifier", [], headerSettlement);
  const lockSlots = opts.lockSlots ?? generatedLockSlots();
  const openLibra = newAnchor ? await deployAnchor(clients, newAnchor) : existingAnchor;
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
    openLibra ?? ZERO_ADDRESS,
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
    openLibraLightClient: openLibra,
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
