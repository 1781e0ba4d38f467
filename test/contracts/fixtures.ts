// Chain side of the contract tests: an in-process Hardhat (EDR) chain pinned at T0, the whole Away
// contract set deployed with the deploy script, test tokens, LPs, market-maker callbacks, escrow
// deposits, and the Home state/proofs that refer to those addresses. Deployment is deterministic
// (same accounts, same nonces), so the Home leaves and therefore the cached proofs are identical on
// every run. Also: revert matching by custom error, storage-slot helpers, time travel, snapshots.
import { network } from "hardhat";
import {
  getAddress,
  maxUint256,
  toFunctionSelector,
  type Address,
  type PublicClient,
  type WalletClient,
} from "viem";
import type { SparseMerkleTree } from "../../home/model/index.ts";
import { deployAll, type DeployedAddresses } from "../../contracts/deploy/deploy.ts";
import {
  buildState,
  E18,
  E6,
  epochKeys,
  header,
  HOME_CHAIN_ID,
  LP_MIN_PRICE_WETH,
  settlementCases,
  T0,
  type AwayParties,
  type SettlementCase,
} from "./home-scenario.ts";
import { proveHeader, proveSettlement, type Proved, type ProvedHeader } from "./prove.ts";

type Conn = Awaited<ReturnType<typeof network.connect>>;
type Viem = Conn["viem"];

export interface Chain {
  conn: Conn;
  viem: Viem;
  publicClient: PublicClient;
  wallets: WalletClient[];
  rpc(method: string, params?: unknown[]): Promise<any>;
  /** Moves chain time forward by `seconds` and mines a block. */
  increaseTime(seconds: bigint): Promise<void>;
  now(): Promise<bigint>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
}

/** Connects a fresh in-process chain whose clock starts at T0. */
export async function connectChain(): Promise<Chain> {
  const conn = await network.connect();
  const viem = conn.viem;
  const rpc = (method: string, params: unknown[] = []) => conn.provider.request({ method, params });
  await rpc("evm_setNextBlockTimestamp", [Number(T0)]);
  await rpc("evm_mine");
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = (await viem.getWalletClients()) as unknown as WalletClient[];
  return {
    conn,
    viem,
    publicClient,
    wallets,
    rpc,
    async increaseTime(seconds) {
      await rpc("evm_increaseTime", [Number(seconds)]);
      await rpc("evm_mine");
    },
    async now() {
      return (await publicClient.getBlock()).timestamp;
    },
    snapshot: () => rpc("evm_snapshot") as Promise<string>,
    async revert(id) {
      if ((await rpc("evm_revert", [id])) !== true) throw new Error(`evm_revert ${id} failed`);
    },
  };
}

export const ROLES = ["deployer", "guardian", "auctioneer", "borrowerAuctioneer", "w1", "w2", "carol", "alice", "bob", "dave"] as const;
export type Role = (typeof ROLES)[number];

/** viem contract instance as returned by hardhat-viem (loosely typed here). */
export type Instance = any;

export interface Stack {
  chain: Chain;
  addresses: DeployedAddresses;
  account: Record<Role, Address>;
  wallet: Record<Role, WalletClient>;
  lightClient: Instance;
  settlement: Instance;
  escrow: Instance;
  registry: Instance;
  weth: Instance;
  usdc: Instance;
  mm1: Instance;
  mm2: Instance;
  parties: AwayParties;
}

/** Deploys everything (deterministic addresses) and creates two TestBorrower market makers. */
export async function deployStack(chain: Chain): Promise<Stack> {
  const { viem, publicClient, wallets } = chain;
  const account = Object.fromEntries(ROLES.map((r, i) => [r, getAddress(wallets[i]!.account!.address)])) as Record<Role, Address>;
  const wallet = Object.fromEntries(ROLES.map((r, i) => [r, wallets[i]!])) as Record<Role, WalletClient>;
  const addresses = await deployAll(
    { publicClient, walletClient: wallet.deployer },
    {
      homeChainId: HOME_CHAIN_ID,
      genesisEpoch: 0n,
      genesisValidatorSetRoot: epochKeys(0n).root,
      guardian: account.guardian,
      testTokens: true,
    },
  );
  const at = (name: string, address: Address) => viem.getContractAt(name as never, address) as Promise<Instance>;
  const settlement = await at("AtomicSettlement", addresses.settlement);
  const mm1 = (await viem.deployContract("TestBorrower" as never, [addresses.settlement] as never)) as Instance;
  const mm2 = (await viem.deployContract("TestBorrower" as never, [addresses.settlement] as never)) as Instance;
  const stack: Stack = {
    chain,
    addresses,
    account,
    wallet,
    lightClient: await at("HomeLightClient", addresses.lightClient),
    settlement,
    escrow: await at("AuctionEscrow", addresses.escrow),
    registry: await at("LPRegistry", addresses.registry),
    weth: await at("TestToken", addresses.tokens!.WETH!),
    usdc: await at("TestToken", addresses.tokens!.USDC!),
    mm1,
    mm2,
    parties: {
      awayChainId: BigInt(await publicClient.getChainId()),
      settlement: addresses.settlement,
      escrow: addresses.escrow,
      weth: addresses.tokens!.WETH!,
      usdc: addresses.tokens!.USDC!,
      auctioneer: account.auctioneer,
      borrowerAuctioneer: account.borrowerAuctioneer,
      mm1: getAddress(mm1.address),
      mm2: getAddress(mm2.address),
      w1: account.w1,
      w2: account.w2,
      lpAlice: account.alice,
      lpBob: account.bob,
    },
  };
  return stack;
}

/** Sends a write as `role` and waits for success; returns the receipt. */
export async function send(s: Stack, role: Role, contract: Instance, fn: string, args: unknown[]) {
  const hash = await contract.write[fn](args, { account: s.wallet[role].account });
  const receipt = await s.chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${fn} by ${role} failed (tx ${hash})`);
  return receipt;
}

export interface Scenario {
  cases: Record<string, SettlementCase>;
  tree: SparseMerkleTree;
  proofs: Record<string, Proved>;
  /** Header (epoch 0, height 1) committing to the scenario state, and its proof. */
  stateHeight: bigint;
  stateHeaderProof: ProvedHeader;
}

/** Builds the Home state for the deployed stack and proves its header and every settlement case. */
export async function buildScenario(s: Stack): Promise<Scenario> {
  const cases = settlementCases(s.parties);
  const tree = buildState(Object.values(cases));
  const stateHeaderProof = await proveHeader(header({ epoch: 0n, height: 1n, stateRoot: tree.root }));
  const proofs: Record<string, Proved> = {};
  for (const [name, c] of Object.entries(cases)) proofs[name] = await proveSettlement(tree, c);
  return { cases, tree, proofs, stateHeight: 1n, stateHeaderProof };
}

/**
 * Funds and wires the actors: LPs (Carol 0.10% with 199,000 USDC; Alice 0.15% with 100,000 USDC,
 * accepts WETH at 0.0004 ETH/USDC or more; Bob 0.12% with 50,000 USDC, same WETH limit; Dave 0.08%
 * with 50,000 USDC), bidders with
 * WETH/USDC and allowances to the settlement, market makers holding enough USDC to repay, the
 * mode-1 auctioneer's escrow deposits, and the scenario header stored in the light client.
 */
export async function fundScenario(s: Stack, sc: Scenario): Promise<void> {
  const { usdc, weth, registry, escrow, settlement, lightClient } = s;
  const lp = async (role: Role, rate: number, amount: bigint, accepts: Address[]) => {
    await send(s, role, registry, "setOffer", [usdc.address, rate, accepts.map((asset) => ({ asset, minPrice: LP_MIN_PRICE_WETH }))]);
    await send(s, role, usdc, "mint", [s.account[role], amount]);
    await send(s, role, usdc, "approve", [registry.address, amount]);
    await send(s, role, registry, "deposit", [usdc.address, amount]);
  };
  await lp("carol", 10, 199_000n * E6, []);
  await lp("alice", 15, 100_000n * E6, [weth.address]);
  await lp("bob", 12, 50_000n * E6, [weth.address]);
  await lp("dave", 8, 50_000n * E6, []);

  for (const role of ["w1", "w2"] as const) {
    await send(s, role, weth, "mint", [s.account[role], 100n * E18]);
    await send(s, role, usdc, "mint", [s.account[role], 10_000n * E6]);
    await send(s, role, weth, "approve", [settlement.address, maxUint256]);
    await send(s, role, usdc, "approve", [settlement.address, maxUint256]);
  }
  await send(s, "borrowerAuctioneer", weth, "mint", [s.account.borrowerAuctioneer, 1n * E18]);
  await send(s, "borrowerAuctioneer", weth, "approve", [settlement.address, maxUint256]);
  // Every actor already holds a little of both tokens, as active market participants do (so gas
  // figures do not include first-time balance slots).
  for (const a of [s.account.auctioneer, s.account.borrowerAuctioneer, s.account.w1, s.account.w2, s.mm1.address, s.mm2.address]) {
    await send(s, "deployer", usdc, "mint", [a, 1n]);
    await send(s, "deployer", weth, "mint", [a, 1n]);
  }
  await send(s, "deployer", usdc, "mint", [s.mm1.address, 199_199n * E6]);
  await send(s, "deployer", usdc, "mint", [s.mm2.address, 20_000n * E6]);

  // Mode-1 deposits: every mode-1 case that reaches the escrow, plus auction 10 (never auctioned).
  await send(s, "auctioneer", weth, "mint", [s.account.auctioneer, 1_000n * E18]);
  await send(s, "auctioneer", weth, "approve", [escrow.address, maxUint256]);
  for (const name of ["mode1One", "mode1Several", "lockReuse", "creditTooLow", "shortLock", "defaulting", "wrongBorrower", "releasedLock", "wrongCreditAsset"]) {
    const r = sc.cases[name]!.result;
    await send(s, "auctioneer", escrow, "deposit", [r.auctionId, r.sellAsset, r.sellAmount, REFUND_NOT_BEFORE]);
  }
  await send(s, "auctioneer", escrow, "deposit", [10n, weth.address, 3n * E18, REFUND_NOT_BEFORE]);

  await send(s, "deployer", lightClient, "submitHeader", [sc.stateHeaderProof.kind, sc.stateHeaderProof.proof, sc.stateHeaderProof.pub]);
}

/** refundNotBefore of the scenario's escrow deposits: 3 days after T0, a day after the settle deadlines. */
export const REFUND_NOT_BEFORE = T0 + 3n * 24n * 3600n;

/** settle() arguments of a case, as viem wants them. */
export function settleArgs(sc: Scenario, name: string, height = sc.stateHeight) {
  const c = sc.cases[name]!;
  return [height, sc.proofs[name]!.proof, c.result, c.lockups] as const;
}

/** Collects every revert reason viem exposes along an error's cause chain. */
function revertInfo(e: unknown): { names: string[]; raws: string[]; text: string } {
  const names: string[] = [];
  const raws: string[] = [];
  let text = "";
  for (let cur: any = e; cur; cur = cur.cause) {
    if (cur.data?.errorName) names.push(cur.data.errorName);
    if (typeof cur.raw === "string") raws.push(cur.raw);
    if (typeof cur.data === "string" && cur.data.startsWith("0x")) raws.push(cur.data);
    if (typeof cur.signature === "string") raws.push(cur.signature);
    text += `${cur.shortMessage ?? ""}\n${cur.message ?? ""}\n`;
  }
  return { names, raws, text };
}

/**
 * Expects `p` to revert with the custom error of signature `sig` (e.g. "UnknownHeader(uint64)").
 * Matches the decoded error name, or the selector when the error comes from another contract.
 */
export async function expectRevert(p: Promise<unknown>, sig: string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (!err) throw new Error(`expected a revert with ${sig}, but the call succeeded`);
  const name = sig.slice(0, sig.indexOf("("));
  const selector = toFunctionSelector(sig).toLowerCase();
  const info = revertInfo(err);
  const hit = info.names.includes(name) || info.raws.some((r) => r.toLowerCase().startsWith(selector));
  if (!hit) throw new Error(`expected revert ${sig} (${selector}); got: ${info.names.join(",")} ${info.raws.join(",")}\n${info.text.slice(0, 1500)}`);
}

export { mappingSlot } from "../../home/model/index.ts";

/** Token balances of several accounts at once. */
export async function balances(token: Instance, who: Record<string, Address>): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  for (const [k, a] of Object.entries(who)) out[k] = (await token.read.balanceOf([a])) as bigint;
  return out;
}
