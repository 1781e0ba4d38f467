// The main job's walkthrough on a running stack (cli/stack.ts), following the reference
// lending flows (shared/reference/p2p-margin-lending.md):
//   two Away chains: every step runs against an Away context (one per chain: its clients,
//           contracts and tokens) and every line about a chain starts with its tag; Home binds
//           each lockup and auction to the chain it names; one relayer settles on both.
//   account: a trading desk deposits LIBRA once into a Home collateral account that backs a
//           lockup on each chain (the market maker's on the first, the user's on the second).
//   spike:  the devnet's LIBRA price path drops 5%; the circuit breaker goes NORMAL -> SOFT, a new
//           lockup is refused for exceeding the account, and the breaker returns to NORMAL.
//   mode 1 (first chain): an LP deposits 199,000 USDC at 0.10%; an auctioneer escrows 100 WETH
//           on Away; the auction clears on Home at 1,990 USDC/ETH; the relayer proves and settles
//           (the market maker borrows against its lockup, is paid the WETH, sells it on a swap desk
//           inside its callback and repays the LP); the receipt releases the lockup on Home.
//   mode 2 (second chain): the user auctions 100,000 USDC borrowed from LP Alice at 0.15% for
//           WETH; two market makers buy at 0.0005 ETH/USDC; the LP is repaid 50.075 WETH.
//   anchored: the light client takes only attestation sets that Open Libra's real validators
//           vouched for (DESIGN section 10); the relayer ratchets its OpenLibraLightClient through
//           each ended epoch and records each voucher; the walkthrough ends by showing the light
//           client caught up with Home's epochs, every set it rotated to the vouched one.
//   attack: LP Carol also accepts WETH, at no less than her own minimum price; an attacker
//           auctions 100,000 USDC borrowed from her and wins it itself from a second account for
//           1 wei; the settlement refuses it (PriceBelowLpLimit) and Carol keeps every unit.
// Every Away transaction of the actors is a real transaction on the Hardhat node (unlocked
// dev accounts); the relayer's own transactions are signed by its key.
import {
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  formatUnits,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { HomeApiError, type AccountView, type HomeClient, type RiskView } from "../home/api/index.ts";
import { LOCK_STATUS_RELEASED, LOCK_STATUS_SLASHED, bidCommitment, payAmountFor } from "../home/model/index.ts";
import { artifact, loadArtifact } from "../contracts/deploy/artifacts.ts";
import type { DeployedAddresses } from "../contracts/deploy/deploy.ts";
import type { JobEvent } from "../relayer/executor.ts";
import type { Relayer } from "../relayer/relayer.ts";
import { LIGHT_CLIENT_ABI, OPEN_LIBRA_LIGHT_CLIENT_ABI } from "../relayer/generated/away-abi.ts";
import { BORROWER_ABI, ESCROW_ABI, REGISTRY_ABI, SWAP_ABI, TOKEN_ABI } from "./generated/scenario-abi.ts";

const PRICE_SCALE = 10n ** 18n;
const USDC = (n: number | bigint) => BigInt(n) * 10n ** 6n;
const WETH = (n: number | bigint) => BigInt(n) * 10n ** 18n;
/** The LPs' own limit for repayment in WETH: 0.00049 WETH per USDC (wei per USDC base unit, times 1e18). */
const LP_WETH_LIMIT = (10n ** 18n * 49n * 10n ** 18n) / (100_000n * 10n ** 6n);
/** LIBRA has 6 decimals on the devnet. */
const LIBRA = (n: number | bigint) => BigInt(n) * 10n ** 6n;

/** Hardhat's default dev accounts (unlocked on the node) playing the actors. */
const ACTORS = {
  lpCarol: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  auctioneer: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  marketMaker: "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
  user: "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
  mm1: "0x976ea74026e726554db657fa54763abd0c3a0aa9",
  mm2: "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
  lpAlice: "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
  attacker: "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
  attackerAccomplice: "0xbcd4042de499d14e55001ccbb24a551f3b954096",
} as const satisfies Record<string, Address>;

export interface SettlementReport {
  mode: 1 | 2;
  /** The Away chain it settled on (its label and chain id). */
  chain: string;
  chainId: number;
  auctionId: string;
  clearingPrice: string;
  settleTx: string;
  settleGas: string;
  /** Seconds from the Home block holding the result being sealed to the settlement mined on Away. */
  latencySeconds: number;
  /** The settle transaction also stored the result's header (settleWithHeader: the light client's HeaderSubmitted is in its receipt). */
  headerCarried: boolean;
  /** Where latencySeconds went, from the relayer's events (latencyBreakdown). */
  latencyBreakdown: LatencyBreakdown;
  collateralStatus: string;
  balances: Record<string, { before: string; after: string }>;
}

/**
 * The phases of a settlement's latency in seconds, consecutive, so they add up to latencySeconds:
 * from the Home block's timestamp until the relayer planned the settle job (polling and
 * finality), until its last proof started (waiting for dependencies or a proving slot), the
 * proof, until the transaction was sent (fees, nonce, simulation), and until the Away block that
 * mined it. The event times are taken in the relayer's process when it gets to them (seconds late
 * when its event loop is busy, e.g. while the devnet signs a block) and Away block timestamps are
 * whole seconds, so `mine` absorbs those errors and can come out a few seconds negative under load.
 */
export interface LatencyBreakdown {
  detect: number;
  wait: number;
  prove: number;
  send: number;
  mine: number;
}

/** The refused attack of the walkthrough: a self-bid against an LP's own price limit. */
export interface AttackReport {
  chain: string;
  chainId: number;
  auctionId: string;
  clearingPrice: string;
  /** Custom error the Away settlement refused with. */
  refusedWith: string;
  lpCapitalBefore: string;
  lpCapitalAfter: string;
}

/** The anchored light client at the end of the walkthrough (null when the deployment is unanchored). */
export interface AnchorReport {
  chain: string;
  chainId: number;
  openLibraLightClient: Address;
  /** The Open Libra epoch whose real validator set the anchor holds. */
  openLibraEpoch: string;
  /** The light client's Home epoch. */
  lightClientEpoch: string;
  /** The attestation set root the anchor records as vouched for each epoch the light client rotated into (hex), which is the set it rotated to. */
  vouched: Record<string, string>;
}

/** The trading desk's collateral account: the lockups it backed on the Away chains and its open credit before and after the settlements. */
export interface AccountReport {
  accountId: string;
  /** The two lockups it opened first (mode 1 on the first chain, mode 2 on the second). */
  lockups: { lockId: string; chainId: number; creditLimit: string; ratioBps: number }[];
  /** USD times 1e18: with both lockups open, and at the end (their receipts released them). */
  openCreditValue: { opened: string; end: string };
  /** Every lockup of the account at the end: open | released | slashed. */
  status: Record<string, string>;
}

/** The circuit breaker around the scripted price drop. */
export interface RiskReport {
  spikeTick: number;
  before: RiskStage;
  soft: RiskStage;
  /** The Home error code the lockup tried in SOFT was refused with. */
  refusedWith: string;
  after: RiskStage;
  /** The same lockup, accepted once the breaker was back at NORMAL. */
  acceptedAfter: string;
}

export interface RiskStage {
  tick: string;
  breaker: string;
  ratioBps: number;
  volatilityBps: number;
  libraPrice: string;
}

export interface ScenarioSummary {
  ok: true;
  account: AccountReport;
  risk: RiskReport;
  mode1: SettlementReport;
  mode2: SettlementReport;
  attack: AttackReport;
  /** One per Away chain (null where the deployment is unanchored), in the stack's order. */
  anchors: (AnchorReport | null)[];
  relayerGas: Record<string, string>;
  proofSeconds: Record<string, number>;
}

/** An Away chain the walkthrough runs on: its label, chain id, JSON-RPC URL and deployment. */
export interface ScenarioChain {
  name: string;
  chainId: number;
  rpcUrl: string;
  addresses: DeployedAddresses;
}

export interface ScenarioContext {
  /** The stack's Away chains; settlements run on the first and, when there is one, the second. */
  chains: ScenarioChain[];
  /** The Home block at which the devnet's LIBRA price path drops 5% (the volatility spike). */
  riskSpikeTick: number;
  /** The Home API (the devnet of the stack). */
  home: HomeClient;
  relayer: Relayer;
  log: (line: string) => void;
  /** Relayer progress events, fed by the stack. */
  events: { at: number; e: JobEvent | { type: "planned"; keys: string[] } }[];
}

/** One Away chain of the walkthrough: its clients, contracts and test tokens; `tag` starts every line about it. */
class Away {
  readonly pub: PublicClient;
  readonly wallet: WalletClient;
  readonly name: string;
  readonly chainId: number;
  readonly addresses: DeployedAddresses;
  readonly usdc: Address;
  readonly weth: Address;
  readonly tag: string;
  constructor(chain: ScenarioChain) {
    this.pub = createPublicClient({ transport: http(chain.rpcUrl) });
    this.wallet = createWalletClient({ transport: http(chain.rpcUrl) });
    this.name = chain.name;
    this.chainId = chain.chainId;
    this.addresses = chain.addresses;
    this.usdc = chain.addresses.tokens!.USDC!;
    this.weth = chain.addresses.tokens!.WETH!;
    this.tag = `[${chain.name} ${chain.chainId}]`;
  }
  /** An LP's capital in the registry (what it is repaid stays there until it withdraws it). */
  capital(lp: Address, asset: Address): Promise<bigint> {
    return this.pub.readContract({ address: this.addresses.registry, abi: REGISTRY_ABI, functionName: "capitalOf", args: [lp, asset] });
  }
  /** Sends `functionName(args)` to `to` from an unlocked account and waits for its success; `abi` types the call. */
  async send<const abi extends Abi, fn extends ContractFunctionName<abi, "nonpayable">>(
    from: Address,
    to: Address,
    abi: abi,
    functionName: fn,
    args: ContractFunctionArgs<abi, "nonpayable", fn>,
  ): Promise<void> {
    const hash = await this.wallet.writeContract({ account: from, chain: null, address: to, abi: abi as Abi, functionName, args: args as readonly unknown[] });
    const r = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    if (r.status !== "success") throw new Error(`${functionName} on ${to} reverted`);
  }
  async deploy(from: Address, source: string, name: string, args: unknown[]): Promise<Address> {
    const { abi, bytecode } = loadArtifact(source, name);
    const hash = await this.wallet.deployContract({ account: from, chain: null, abi, bytecode, args });
    const r = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    if (!r.contractAddress) throw new Error(`deploying ${name} failed`);
    return r.contractAddress;
  }
  balance(token: Address, who: Address): Promise<bigint> {
    return this.pub.readContract({ address: token, abi: TOKEN_ABI, functionName: "balanceOf", args: [who] });
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, log: (l: string) => void, timeoutMs = 600_000): Promise<T> {
  const t0 = Date.now();
  let lastNote = t0;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    if (Date.now() - lastNote > 10_000) {
      log(`  ... still waiting for ${what} (${Math.round((Date.now() - t0) / 1000)} s)`);
      lastNote = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Home time, unix seconds. */
const homeNow = async (home: HomeClient) => Math.floor((await home.status()).nowMs / 1000);

/** Waits (in real time, printing a countdown) until Home time passes `t` (unix seconds). */
async function waitHomeTime(home: HomeClient, t: number, what: string, log: (l: string) => void): Promise<void> {
  const left = t - (await homeNow(home));
  if (left >= 0) log(`  waiting ${left + 1} s for ${what}...`);
  await until(what, async () => (await homeNow(home)) > t, log);
}

interface AuctionPlan {
  auctioneer: Address;
  sellAsset: Address;
  sellAmount: bigint;
  buyAsset: Address;
  mode: 1 | 2;
  auctioneerLockId?: bigint;
  auctioneerMaxRateBps?: number;
  /** Mode 2: the LP the auction borrows from. */
  lp?: Address;
  bids: { bidder: Address; amount: bigint; limitPrice: bigint; lockId: bigint; maxRateBps: number }[];
}

/** Creates an auction on Home, bound to `away`'s chain, and returns its id and deadlines (escrow, if any, comes next). */
async function createAuction(home: HomeClient, away: Away, p: AuctionPlan) {
  const now = await homeNow(home);
  // The commit window also holds the auctioneer's Away escrow and Home's eth_getProof check of it
  // (mode 1): 4 s was too short on 2 cores at load 10 ("auction 1 is not taking bids"). A 4 s
  // reveal window was too short at load 4-11 as well (a reveal "not in its reveal phase", twice).
  const deadlines = { commitDeadline: now + 8, revealDeadline: now + 16, settleDeadline: now + 3600 };
  const created = await home.act("create-auction", {
    auctioneer: p.auctioneer,
    sellAsset: p.sellAsset,
    sellAmount: p.sellAmount,
    buyAsset: p.buyAsset,
    mode: p.mode,
    reservePrice: 0n,
    ...(p.mode === 2 ? { auctioneerLockId: p.auctioneerLockId, auctioneerMaxRateBps: p.auctioneerMaxRateBps, lp: p.lp } : {}),
    ...deadlines,
    awayChainId: BigInt(away.chainId),
  });
  return { auctionId: created.result.auctionId, ...deadlines };
}

/** Sealed bids: commit, wait for the reveal window, reveal, wait, clear. Returns the clearing result. */
async function runAuction(ctx: ScenarioContext, p: AuctionPlan, a: { auctionId: bigint; commitDeadline: number; revealDeadline: number }) {
  const { home, log } = ctx;
  const bids = p.bids.map((b, i) => ({ ...b, auctionId: a.auctionId, salt: keccak256(toHex(`salt ${a.auctionId} ${i}`)) }));
  for (const b of bids) await home.act("commit-bid", { auctionId: a.auctionId, commitment: bidCommitment(b) });
  log(`  ${bids.length} sealed bid(s) committed on Home`);
  await waitHomeTime(home, a.commitDeadline, "the reveal window", log);
  for (const b of bids) await home.act("reveal-bid", b);
  log(`  bids revealed`);
  await waitHomeTime(home, a.revealDeadline, "the end of the reveal window", log);
  const cleared = await home.act("clear-auction", { auctionId: a.auctionId });
  return { clearingPrice: cleared.result.clearingPrice, height: cleared.height };
}

/** The light client emitted HeaderSubmitted in this transaction: it stored a header (settleWithHeader). */
async function storedHeader(away: Away, hash: Hex): Promise<boolean> {
  const receipt = await away.pub.getTransactionReceipt({ hash });
  const lightClient = away.addresses.lightClient.toLowerCase();
  return parseEventLogs({ abi: artifact("HomeLightClient").abi, logs: receipt.logs, eventName: "HeaderSubmitted" }).some((l) => l.address.toLowerCase() === lightClient);
}

/** Waits for the relayer to settle the auction on Away and for Home to consume the receipt. */
async function awaitSettlement(ctx: ScenarioContext, away: Away, auctionId: bigint, resultHeight: bigint) {
  const { home, relayer, log, events } = ctx;
  const chainId = away.chainId;
  const sealed = await until("the Home block with the result", async () => ((await home.status()).height >= resultHeight ? home.block(resultHeight) : undefined), log);
  const finalAt = Number(sealed.signedHeader.header.timestampMs);
  log(`  result is in Home block ${resultHeight}; the relayer proves the header and the settlement for ${away.tag}...`);
  const key = `settle:${chainId}:${auctionId}`;
  const job = await until(`the relayer to settle auction ${auctionId}`, async () => {
    const j = await relayer.store.get(key);
    return j && (j.state === "confirmed" || j.state === "failed" || j.state === "expired") ? j : undefined;
  }, log);
  if (job.state !== "confirmed") throw new Error(`settlement of auction ${auctionId} ${job.state}: ${job.lastError}`);
  const ev = events.map((x) => x.e).find((e): e is Extract<JobEvent, { type: "confirmed" }> => e.type === "confirmed" && e.key === key);
  const block = await away.pub.getBlock(ev?.blockNumber !== undefined ? { blockNumber: ev.blockNumber } : {});
  // Away block timestamps are whole seconds: latency = mined block time - Home block time.
  const latencySeconds = Math.max(0, (Number(block.timestamp) * 1000 - finalAt) / 1000);
  const headerCarried = await storedHeader(away, job.txHash as Hex);
  const latencyBreakdown = breakdownOf(events, key, finalAt, Number(block.timestamp) * 1000);
  log(`  ${away.tag} settled in tx ${job.txHash} (gas ${ev?.gasUsed ?? "?"}${headerCarried ? ", header carried in the same transaction" : ""}), ${latencySeconds.toFixed(1)} s after the Home block`);
  log(`    (${Object.entries(latencyBreakdown).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")})`);
  await until("Home to consume the receipt", async () => (await relayer.store.get(`receipt:${chainId}:${auctionId}`))?.state === "confirmed", log);
  return { txHash: job.txHash ?? "", gasUsed: ev?.gasUsed ?? 0n, latencySeconds, headerCarried, latencyBreakdown };
}

/** The phases of one settle job's latency (LatencyBreakdown) from the relayer's events, in ms since the epoch. */
function breakdownOf(events: ScenarioContext["events"], key: string, homeBlockAt: number, minedAt: number): LatencyBreakdown {
  const planned = events.find((x) => x.e.type === "planned" && x.e.keys.includes(key))?.at ?? homeBlockAt;
  const proved = events.findLast((x) => x.e.type === "proved" && x.e.key === key);
  const proveSeconds = proved?.e.type === "proved" ? proved.e.seconds : 0;
  const provedAt = proved?.at ?? planned;
  const sentAt = events.findLast((x) => x.e.type === "sent" && x.e.key === key)?.at ?? provedAt;
  const s = (ms: number) => Math.round(ms / 10) / 100;
  return {
    detect: s(planned - homeBlockAt),
    wait: s(provedAt - proveSeconds * 1000 - planned),
    prove: s(proveSeconds * 1000),
    send: s(sentAt - provedAt),
    mine: s(minedAt - sentAt),
  };
}

type Watch = [label: string, token: Address, holder: Address, decimals: number, read?: () => Promise<bigint>];

async function snapshot(away: Away, watch: Watch[]): Promise<bigint[]> {
  return Promise.all(watch.map(([, token, holder, , read]) => (read ? read() : away.balance(token, holder))));
}

function balanceTable(watch: Watch[], before: bigint[], after: bigint[], log: (l: string) => void) {
  const out: SettlementReport["balances"] = {};
  const w = Math.max(...watch.map(([l]) => l.length));
  for (let i = 0; i < watch.length; i++) {
    const [label, , , dec] = watch[i]!;
    const b = formatUnits(before[i]!, dec);
    const a = formatUnits(after[i]!, dec);
    const d = after[i]! - before[i]!;
    log(`    ${label.padEnd(w)}  ${b.padStart(14)} -> ${a.padStart(14)}  (${d >= 0n ? "+" : ""}${formatUnits(d, dec)})`);
    out[label] = { before: before[i]!.toString(), after: after[i]!.toString() };
  }
  return out;
}

const statusName = (s: number) => (s === LOCK_STATUS_RELEASED ? "released" : s === LOCK_STATUS_SLASHED ? "slashed" : String(s));

/**
 * Runs the sealed-bid auction on Home, waits for the relayer's settlement on Away and Home's
 * receipt, and reports balances before and after, gas and latency.
 */
async function clearAndSettle(
  ctx: ScenarioContext,
  away: Away,
  plan: AuctionPlan,
  auction: Awaited<ReturnType<typeof createAuction>>,
  lockId: bigint,
  watch: Watch[],
  describePrice: (clearingPrice: bigint) => string,
): Promise<SettlementReport> {
  const { home, log } = ctx;
  const before = await snapshot(away, watch);
  const cleared = await runAuction(ctx, plan, auction);
  log(`  Home: auction cleared at ${describePrice(cleared.clearingPrice)}`);
  const s = await awaitSettlement(ctx, away, auction.auctionId, cleared.height);
  const after = await snapshot(away, watch);
  const status = statusName((await home.lockup(lockId)).status);
  log(`  Home: receipt consumed, lockup ${lockId} status ${status}`);
  log("  balances (before -> after):");
  return {
    mode: plan.mode,
    chain: away.name,
    chainId: away.chainId,
    auctionId: auction.auctionId.toString(),
    clearingPrice: cleared.clearingPrice.toString(),
    settleTx: s.txHash,
    settleGas: s.gasUsed.toString(),
    latencySeconds: s.latencySeconds,
    headerCarried: s.headerCarried,
    latencyBreakdown: s.latencyBreakdown,
    collateralStatus: status,
    balances: balanceTable(watch, before, after, log),
  };
}

/**
 * The attack of issue 8 case 1, refused: the attacker borrows 100,000 USDC from the LP to auction
 * them and wins them itself (an accomplice account) for 1 wei of WETH. The relayer proves and
 * submits the settlement like any other; the Away contract refuses it with PriceBelowLpLimit and
 * the LP's capital does not move.
 */
async function refusedSelfBid(w: Walk, away: Away, o: { lp: Address; lpName: string }): Promise<AttackReport> {
  const { home, log, relayer } = w.ctx;
  const { usdc, weth } = away;
  const lock = await home.act("lock", { owner: w.owner("attacker"), borrower: ACTORS.attacker, creditAsset: usdc, collateral: LIBRA(10_000), expiry: await w.expiry(), awayChainId: BigInt(away.chainId) });
  const plan: AuctionPlan = {
    auctioneer: ACTORS.attacker,
    sellAsset: usdc,
    sellAmount: USDC(100_000),
    buyAsset: weth,
    mode: 2,
    auctioneerLockId: lock.result.lockId,
    auctioneerMaxRateBps: 15,
    lp: o.lp,
    bids: [{ bidder: ACTORS.attackerAccomplice, amount: USDC(100_000), limitPrice: 10n ** 7n, lockId: 0n, maxRateBps: 0 }],
  };
  for (const who of [ACTORS.attacker, ACTORS.attackerAccomplice]) {
    await away.send(who, weth, TOKEN_ABI, "mint", [who, 10n]);
    await away.send(who, weth, TOKEN_ABI, "approve", [away.addresses.settlement, 10n]);
  }
  const a = await createAuction(home, away, plan);
  log(`  Home: attacker's auction ${a.auctionId} for ${away.tag}: sell 100,000 USDC borrowed from ${o.lpName}, reserve 0; its accomplice bids 1 wei of WETH for all of it`);
  const capital = () => away.capital(o.lp, usdc);
  const before = await capital();
  const cleared = await runAuction(w.ctx, plan, a);
  const paid = payAmountFor(plan.sellAmount, cleared.clearingPrice);
  log(`  Home: cleared at ${paid} wei of WETH for 100,000 USDC (${o.lpName} would be repaid principal and interest at that price: 2 wei)`);
  const key = `settle:${away.chainId}:${a.auctionId}`;
  // The refusal is LP-side, which can clear (the LP may lower her limit): the relayer retries it until the deadline.
  const job = await until(`the relayer's settlement attempt of auction ${a.auctionId}`, async () => {
    const j = await relayer.store.get(key);
    return j && (j.state === "confirmed" || j.causes.length > 0) ? j : undefined;
  }, log);
  const refusedWith = job.causes.find((c) => c.name === "PriceBelowLpLimit")?.name;
  if (job.state === "confirmed" || !refusedWith) throw new Error(`the self-bid was not refused by the LP's limit: job ${job.state}, ${job.lastError}`);
  const after = await capital();
  log(`  ${away.tag} refused the settlement: ${refusedWith} (the clearing price is below ${o.lpName}'s own minimum); her capital ${formatUnits(before, 6)} -> ${formatUnits(after, 6)} USDC`);
  return { chain: away.name, chainId: away.chainId, auctionId: a.auctionId.toString(), clearingPrice: cleared.clearingPrice.toString(), refusedWith, lpCapitalBefore: before.toString(), lpCapitalAfter: after.toString() };
}

/** Shared by the steps on every chain: the context, Home account owners and lockup expiries. */
interface Walk {
  ctx: ScenarioContext;
  owner: (name: string) => Hex;
  expiry: () => Promise<number>;
}

/** An LP deposits `amount` USDC in the registry and offers it at `rateBps`, repaid in USDC or in WETH at no less than its limit. */
async function fundLp(away: Away, lp: Address, amount: bigint, rateBps: number): Promise<void> {
  const { usdc, weth, addresses } = away;
  await away.send(lp, usdc, TOKEN_ABI, "mint", [lp, amount]);
  await away.send(lp, usdc, TOKEN_ABI, "approve", [addresses.registry, amount]);
  await away.send(lp, addresses.registry, REGISTRY_ABI, "deposit", [usdc, amount]);
  await away.send(lp, addresses.registry, REGISTRY_ABI, "setOffer", [usdc, rateBps, [{ asset: weth, minPrice: LP_WETH_LIMIT }]]);
}

/** USD times 1e18 (Home's value unit), as whole dollars. */
const usd = (v: bigint) => `$${Number(formatUnits(v, 18)).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const percent = (bps: number) => `${bps / 100}%`;

/** The trading desk's collateral account on Home: one LIBRA deposit backing lockups on every Away chain. */
async function openDeskAccount(w: Walk): Promise<bigint> {
  const { home, log } = w.ctx;
  const opened = await home.act("open-account", { owner: w.owner("trading desk"), deposit: LIBRA(22_000) });
  log(`  Home: the trading desk deposited 22,000 LIBRA once -> collateral account ${opened.result.accountId}`);
  return opened.result.accountId;
}

/** A lockup of `credit` USDC against the desk's account for `borrower`, bound to `away`'s chain; logs its terms. */
async function accountLock(w: Walk, away: Away, accountId: bigint, who: string, borrower: Address, credit: bigint) {
  const { home, log } = w.ctx;
  const lock = await home.act("lock", {
    owner: w.owner("trading desk"),
    borrower,
    creditAsset: away.usdc,
    accountId,
    creditLimit: credit,
    expiry: await w.expiry(),
    awayChainId: BigInt(away.chainId),
  });
  const r = lock.result;
  log(`  Home: account ${accountId} -> lockId ${r.lockId} for ${away.tag} (${who} ${borrower}): credit ${formatUnits(r.creditLimit, 6)} USDC at ${percent(r.ratioBps)}`);
  return r.lockId;
}

/** The account in one line: collateral, its value, open credit and need, headroom. */
async function describeAccount(w: Walk, accountId: bigint): Promise<AccountView> {
  const a = await w.ctx.home.account(accountId);
  const chains = [...new Set(a.lockups.filter((l) => l.status === "open").map((l) => l.awayChainId))].join(" and ");
  w.ctx.log(
    `  Home: account ${accountId}: ${formatUnits(a.collateral, 6)} LIBRA worth ${usd(a.collateralValue)}; ${a.openLockups} open lockup${a.openLockups === 1 ? "" : "s"}${chains ? ` on chain${chains.includes(" ") ? "s" : ""} ${chains}` : ""}, ` +
      `credit ${usd(a.openCreditValue)}, needing ${usd(a.openNeedValue)}; room for ${usd(a.headroomValue)} more need`,
  );
  return a;
}

const describeRisk = (r: RiskView) => `${r.breaker}: ratio ${percent(r.ratioBps)} for new lockups, volatility ${r.volatilityBps / 100}% per block, LIBRA $${r.libraPrice}`;

/**
 * The volatility spike: the LIBRA price path drops 5% at Home block `spikeTick`; the EWMA
 * volatility jumps and the breaker moves to SOFT (ratio 175% for new lockups, and existing ones
 * are counted at it too), so a lockup the account could back before is refused; the walkthrough
 * waits until the volatility decays and the breaker is back at NORMAL, and the same lockup is
 * accepted. Existing lockups keep their terms throughout.
 */
async function volatilitySpike(w: Walk, away: Away, accountId: bigint, spikeTick: number): Promise<RiskReport> {
  const { home, log } = w.ctx;
  const before = await home.risk();
  log(`  Home block ${before.tick}: breaker ${describeRisk(before)}`);
  // SOFT lasts about ten blocks after the drop: arriving later than that, there is nothing left to show.
  if (before.breaker === "NORMAL" && before.tick > BigInt(spikeTick) + 5n) {
    throw new Error(`the walkthrough reached the volatility spike at Home block ${before.tick}, after the price drop at block ${spikeTick} had passed`);
  }
  if (before.tick < BigInt(spikeTick)) log(`  waiting ${BigInt(spikeTick) - before.tick} Home blocks for the scripted 5% LIBRA price drop at block ${spikeTick}...`);
  const soft = await until("the circuit breaker to leave NORMAL after the price drop", async () => {
    const r = await home.risk();
    return r.breaker !== "NORMAL" ? r : undefined;
  }, log);
  log(`  Home block ${soft.tick}: breaker ${describeRisk(soft)}`);
  await describeAccount(w, accountId);
  const probe = () => accountLock(w, away, accountId, "user", ACTORS.user, USDC(20_000));
  const refusal = await probe().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(refusal instanceof HomeApiError) || refusal.code !== "insufficient-collateral") {
    throw new Error(`a 20,000 USDC lockup in ${soft.breaker} was not refused for the account's collateral: ${refusal === null ? "accepted" : String(refusal)}`);
  }
  log(`  Home refused a new 20,000 USDC lockup (${refusal.code}): ${refusal.reason ?? refusal.message}`);
  const normal = await until("the circuit breaker to return to NORMAL", async () => {
    const r = await home.risk();
    return r.breaker === "NORMAL" ? r : undefined;
  }, log);
  log(`  Home block ${normal.tick}: breaker ${describeRisk(normal)} (the volatility decayed below the SOFT exit threshold)`);
  const lockId = await probe();
  await describeAccount(w, accountId);
  const state = (r: RiskView) => ({ tick: r.tick.toString(), breaker: r.breaker, ratioBps: r.ratioBps, volatilityBps: r.volatilityBps, libraPrice: r.libraPrice });
  return { spikeTick, before: state(before), soft: state(soft), refusedWith: refusal.code, after: state(normal), acceptedAfter: lockId.toString() };
}

/**
 * The market maker of mode 1: a contract (ERC-3156 borrower) that sells the won WETH on a swap
 * desk at 2,000 USDC/ETH inside the settlement callback and repays the LP from the proceeds.
 */
async function deployMarketMaker(w: Walk, away: Away): Promise<Address> {
  const { usdc, weth, addresses } = away;
  const desk = await away.deploy(ACTORS.marketMaker, "test/TestSwap.sol", "TestSwap", []);
  await away.send(ACTORS.marketMaker, desk, SWAP_ABI, "setPrice", [weth, usdc, (USDC(2000) * PRICE_SCALE) / WETH(1)]);
  await away.send(ACTORS.marketMaker, usdc, TOKEN_ABI, "mint", [desk, USDC(250_000)]);
  const mm = await away.deploy(ACTORS.marketMaker, "test/TestBorrower.sol", "TestBorrower", [addresses.settlement]);
  await away.send(ACTORS.marketMaker, mm, BORROWER_ABI, "setBehaviour", [
    4, // SwapThenRepay
    encodeAbiParameters([{ type: "address" }, { type: "address" }, { type: "uint256" }], [desk, weth, WETH(100)]),
  ]);
  w.ctx.log(`  ${away.tag} market maker contract ${mm} (sells won WETH at 2,000 USDC on a swap desk inside its callback)`);
  return mm;
}

/** Mode 1: a market maker borrows 199,000 USDC from LP Carol to buy 100 WETH at 1,990 USDC. */
async function mode1(w: Walk, away: Away, mm: Address, lockId: bigint): Promise<SettlementReport> {
  const { ctx } = w;
  const { usdc, weth, addresses } = away;
  const { home, log } = ctx;
  log(`\n== Mode 1 on ${away.name} (chainId ${away.chainId}): a market maker borrows to bid (100 WETH at 1,990 USDC, LP at 0.10%) ==`);
  await fundLp(away, ACTORS.lpCarol, USDC(199_000), 10);
  log(`  ${away.tag} LP Carol deposited 199,000 USDC in the LP registry at 10 bps per loan (repaid in USDC, or in WETH at >= 0.00049 WETH per USDC)`);
  const plan: AuctionPlan = {
    auctioneer: ACTORS.auctioneer,
    sellAsset: weth,
    sellAmount: WETH(100),
    buyAsset: usdc,
    mode: 1,
    bids: [{ bidder: mm, amount: WETH(100), limitPrice: (USDC(1990) * PRICE_SCALE) / WETH(1), lockId, maxRateBps: 10 }],
  };
  const a = await createAuction(home, away, plan);
  log(`  Home: auction ${a.auctionId} created for ${away.tag} (sell 100 WETH for USDC, sealed bids)`);
  await away.send(ACTORS.auctioneer, weth, TOKEN_ABI, "mint", [ACTORS.auctioneer, WETH(100)]);
  await away.send(ACTORS.auctioneer, weth, TOKEN_ABI, "approve", [addresses.escrow, WETH(100)]);
  // Refundable only an hour after the settle deadline (Home refuses an escrow the auctioneer could withdraw in time to spoil the settlement).
  const refundNotBefore = a.settleDeadline + 3600;
  await away.send(ACTORS.auctioneer, addresses.escrow, ESCROW_ABI, "deposit", [a.auctionId, weth, WETH(100), BigInt(refundNotBefore)]);
  await home.act("ack-escrow", { auctionId: a.auctionId, refundNotBefore });
  log(`  ${away.tag} auctioneer escrowed 100 WETH (refundable an hour after the settle deadline); Home checked the deposit with eth_getProof and acknowledged it`);
  const watch: Watch[] = [
    ["auctioneer WETH", weth, ACTORS.auctioneer, 18],
    ["auctioneer USDC", usdc, ACTORS.auctioneer, 6],
    ["market maker WETH", weth, mm, 18],
    ["market maker USDC", usdc, mm, 6],
    ["LP Carol capital USDC", usdc, ACTORS.lpCarol, 6, () => away.capital(ACTORS.lpCarol, usdc)],
    ["settlement contract USDC", usdc, addresses.settlement, 6],
  ];
  return clearAndSettle(ctx, away, plan, a, lockId, watch, (p) => `${formatUnits((p * WETH(1)) / PRICE_SCALE, 6)} USDC/ETH`);
}

/** Mode 2: a user borrows 100,000 USDC from LP Alice and auctions it; two market makers buy at 0.0005 ETH/USDC. */
async function mode2(w: Walk, away: Away, lockId: bigint): Promise<SettlementReport> {
  const { ctx } = w;
  const { usdc, weth, addresses } = away;
  const { home, log } = ctx;
  log(`\n== Mode 2 on ${away.name} (chainId ${away.chainId}): a user borrows 100,000 USDC to auction it for WETH (LP at 0.15%, repaid in WETH) ==`);
  const price = (WETH(1) * PRICE_SCALE) / 2000n / USDC(1); // 0.0005 ETH per USDC
  await fundLp(away, ACTORS.lpAlice, USDC(100_000), 15);
  log(`  ${away.tag} LP Alice deposited 100,000 USDC at 15 bps, repaid in USDC or in WETH at no less than 0.00049 WETH per USDC`);
  // Winners pay in WETH; the user covers the interest shortfall (0.075 WETH) from its own WETH.
  for (const who of [ACTORS.mm1, ACTORS.mm2]) {
    await away.send(who, weth, TOKEN_ABI, "mint", [who, WETH(25)]);
    await away.send(who, weth, TOKEN_ABI, "approve", [addresses.settlement, WETH(25)]);
  }
  await away.send(ACTORS.user, weth, TOKEN_ABI, "mint", [ACTORS.user, WETH(1)]);
  await away.send(ACTORS.user, weth, TOKEN_ABI, "approve", [addresses.settlement, WETH(1)]);
  const plan: AuctionPlan = {
    auctioneer: ACTORS.user,
    sellAsset: usdc,
    sellAmount: USDC(100_000),
    buyAsset: weth,
    mode: 2,
    auctioneerLockId: lockId,
    auctioneerMaxRateBps: 15,
    lp: ACTORS.lpAlice,
    bids: [
      { bidder: ACTORS.mm1, amount: USDC(50_000), limitPrice: price, lockId: 0n, maxRateBps: 0 },
      { bidder: ACTORS.mm2, amount: USDC(50_000), limitPrice: price, lockId: 0n, maxRateBps: 0 },
    ],
  };
  const a = await createAuction(home, away, plan);
  log(`  Home: auction ${a.auctionId} created for ${away.tag} (sell 100,000 borrowed USDC for WETH)`);
  const watch: Watch[] = [
    ["user WETH", weth, ACTORS.user, 18],
    ["MM1 WETH", weth, ACTORS.mm1, 18],
    ["MM1 USDC", usdc, ACTORS.mm1, 6],
    ["MM2 WETH", weth, ACTORS.mm2, 18],
    ["MM2 USDC", usdc, ACTORS.mm2, 6],
    ["LP Alice capital WETH", weth, ACTORS.lpAlice, 18, () => away.capital(ACTORS.lpAlice, weth)],
    ["LP Alice capital USDC", usdc, ACTORS.lpAlice, 6, () => away.capital(ACTORS.lpAlice, usdc)],
  ];
  return clearAndSettle(ctx, away, plan, a, lockId, watch, (p) => `${formatUnits((p * USDC(1)) / PRICE_SCALE, 18)} WETH per USDC`);
}

/**
 * The anchored light client caught up with Home: waits until the anchor and the light client are in
 * the epoch of Home's latest block (the relayer submits the epoch changes, vouchers and rotations),
 * then reads from the chain that each set the light client rotated to is the one the anchor records
 * as vouched for that epoch.
 */
async function anchorReport(ctx: ScenarioContext, away: Away): Promise<AnchorReport | null> {
  const olc = away.addresses.openLibraLightClient;
  if (olc === null) return null;
  const lc = away.addresses.lightClient;
  const target = (await ctx.home.status()).epoch;
  const epochs = async () => ({
    anchor: await away.pub.readContract({ address: olc, abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "currentEpoch" }),
    client: await away.pub.readContract({ address: lc, abi: LIGHT_CLIENT_ABI, functionName: "currentEpoch" }),
  });
  if (target === 0n) {
    ctx.log(`  ${away.tag} no Home epoch has ended yet: nothing to ratchet (the anchor holds the genesis set and voucher)`);
  } else {
    ctx.log(`  ${away.tag} Home is in epoch ${target}: waiting for the relayer to bring the anchor and the light client there...`);
    await until(`the anchor and the light client of ${away.name} to reach epoch ${target}`, async () => {
      const e = await epochs();
      return e.anchor >= target && e.client >= target;
    }, ctx.log);
  }
  const now = await epochs();
  const rotations = await away.pub.getContractEvents({ address: lc, abi: artifact("HomeLightClient").abi, eventName: "EpochRotated", fromBlock: 0n });
  const vouched: Record<string, string> = {};
  for (const r of rotations) {
    const { newEpoch, validatorSetRoot } = r.args as { newEpoch: bigint; validatorSetRoot: bigint };
    const root = await away.pub.readContract({ address: olc, abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "vouchedAttestationSetRoot", args: [newEpoch] });
    if (BigInt(root) !== validatorSetRoot) throw new Error(`the light client rotated to set ${toHex(validatorSetRoot)} in epoch ${newEpoch}, but the anchor vouched for ${root}`);
    vouched[newEpoch.toString()] = root;
  }
  ctx.log(`  ${away.tag} the anchor (OpenLibraLightClient ${olc}) holds the real validator set of Open Libra epoch ${now.anchor}; the light client is in Home epoch ${now.client}`);
  for (const [e, root] of Object.entries(vouched)) ctx.log(`    epoch ${e}: attestation set ${root}, vouched for by a quorum of Open Libra epoch ${e}'s validators`);
  return { chain: away.name, chainId: away.chainId, openLibraLightClient: olc, openLibraEpoch: now.anchor.toString(), lightClientEpoch: now.client.toString(), vouched };
}

/** The relayer's gas per transaction and proving time per job, from its events (printed and summarised). */
function relayerNumbers(ctx: ScenarioContext): Pick<ScenarioSummary, "relayerGas" | "proofSeconds"> {
  const relayerGas: Record<string, string> = {};
  const proofSeconds: Record<string, number> = {};
  for (const { e } of ctx.events) {
    if (e.type === "confirmed" && e.gasUsed !== undefined) relayerGas[e.key] = e.gasUsed.toString();
    if (e.type === "proved") proofSeconds[e.key] = Math.round(e.seconds * 100) / 100;
  }
  ctx.log("\n  relayer transactions (gas):");
  for (const [k, g] of Object.entries(relayerGas)) ctx.log(`    ${k.padEnd(28)} ${g}`);
  return { relayerGas, proofSeconds };
}

export async function runScenario(ctx: ScenarioContext): Promise<ScenarioSummary> {
  const { home } = ctx;
  const aways = ctx.chains.map((c) => new Away(c));
  const w: Walk = {
    ctx,
    owner: (name) => keccak256(toHex(`home account ${name}`)),
    expiry: async () => (await homeNow(home)) + 86_400,
  };
  // One relayer settles on both chains: mode 1 on the first, mode 2 on the second (the first again with --away-chains 1).
  const [a, b = a] = aways as [Away, ...Away[]];
  ctx.log(`\n== One collateral account backs a lockup on ${a === b ? a.name : `each Away chain (${a.name} and ${b.name})`} ==`);
  const mm = await deployMarketMaker(w, a);
  const accountId = await openDeskAccount(w);
  const mmLock = await accountLock(w, a, accountId, "market maker", mm, USDC(200_000));
  const userLock = await accountLock(w, b, accountId, "user", ACTORS.user, USDC(101_000));
  const opened = await describeAccount(w, accountId);
  ctx.log("\n== A volatility spike: the circuit breaker raises the ratio (NORMAL -> SOFT -> NORMAL) ==");
  const risk = await volatilitySpike(w, a, accountId, ctx.riskSpikeTick);
  const m1 = await mode1(w, a, mm, mmLock);
  const m2 = await mode2(w, b, userLock);
  ctx.log(`\n== Attack on ${a.name} (chainId ${a.chainId}): a self-bid against LP Carol, refused by her own price limit ==`);
  const attack = await refusedSelfBid(w, a, { lp: ACTORS.lpCarol, lpName: "Carol" });
  ctx.log("\n== Anchored light clients: every attestation set vouched for by Open Libra's real validators, on each Away chain ==");
  const anchors: (AnchorReport | null)[] = [];
  for (const away of aways) anchors.push(await anchorReport(ctx, away));
  ctx.log("\n== The collateral account after both settlements: the receipts released their lockups and freed the credit ==");
  const end = await describeAccount(w, accountId);
  const account: AccountReport = {
    accountId: accountId.toString(),
    lockups: opened.lockups.map((l) => ({ lockId: l.lockId.toString(), chainId: Number(l.awayChainId), creditLimit: l.creditLimit.toString(), ratioBps: l.ratioBps })),
    openCreditValue: { opened: opened.openCreditValue.toString(), end: end.openCreditValue.toString() },
    status: Object.fromEntries(end.lockups.map((l) => [l.lockId.toString(), l.status])),
  };
  return { ok: true, account, risk, mode1: m1, mode2: m2, attack, anchors, ...relayerNumbers(ctx) };
}
