// Test helper for relayer tests on the real stack: the stack itself (an EDR Away chain with the
// deployed contracts and a Home devnet bound to them), a funded mode 2 settlement (an LP's USDC
// offer against WETH, the winner and auctioneer holding WETH), a sealed-bid mode 2 auction cleared
// on Home, and what the Away chain itself recorded: every transaction a relayer's signer sent
// (target and selector) and the light client's HeaderSubmitted and the settlement's Settled events
// with the transaction that emitted them. Tests count submissions from these, never from the
// relayer's own logs or rows.
import { decodeEventLog, encodeFunctionData, keccak256, parseAbi, toHex, type Address, type Hex } from "viem";
import { devnetGenesis, startDevnet, type RunningDevnet } from "../../home/devnet/index.ts";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { deployAll } from "../../contracts/deploy/deploy.ts";
import { devnetAnchor } from "../../cli/stack.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { ensureContractsBuilt } from "./ensure-built.ts";
import { REGISTRY_ABI, TOKEN_ABI } from "../../cli/generated/scenario-abi.ts";

export type Addresses = Awaited<ReturnType<typeof deployAll>>;

const PRICE_SCALE = 10n ** 18n;
const EVENTS_ABI = parseAbi([
  "event HeaderSubmitted(uint64 indexed height, uint64 indexed epoch, uint256 stateRoot, uint64 timestampMs)",
  "event Settled(uint64 indexed auctionId, uint8 mode, uint64 height, uint256 receipt)",
]);

/**
 * An EDR Away chain with the contracts deployed (test tokens; the light client trusts the
 * devnet's epoch-0 validator set, deterministic from its seed; `anchored`: in anchored mode, from
 * the devnet's Open Libra genesis set and voucher, as `npm start` deploys) and an in-memory Home
 * devnet that produces blocks only when told, bound to them. The addresses are written to `addressesFile`.
 */
export async function startAwayStack(addressesFile: string, opts: { anchored?: boolean } = {}): Promise<{ rpc: EdrRpc; addresses: Addresses; dn: RunningDevnet }> {
  await ensureContractsBuilt();
  const rpc = await startEdrRpc();
  const { homeChainId, validatorSetRoot: genesisRoot } = devnetGenesis();
  const anchor = opts.anchored ? await devnetAnchor() : undefined;
  const addresses = await deployAll(rpc.url, {
    homeChainId, genesisEpoch: 0n, genesisValidatorSetRoot: genesisRoot, testTokens: true, out: addressesFile, rpcUrl: rpc.url, anchor,
  });
  const dn = await startDevnet({
    dataDir: null, blockMs: 0, port: 0, awayRpc: rpc.url, awayChainId: 31337n,
    settlementAddress: addresses.settlement, escrowAddress: addresses.escrow, confirmations: 0,
  });
  return { rpc, addresses, dn };
}

/** Sends from an unlocked EDR account and waits for a successful receipt (automine must be on). */
export async function send(rpc: EdrRpc, from: Address, to: Address, data: Hex): Promise<void> {
  const hash = await rpc.request("eth_sendTransaction", [{ from, to, data }]);
  for (;;) {
    const r = await rpc.request("eth_getTransactionReceipt", [hash]);
    if (r) {
      if (r.status !== "0x1") throw new Error(`setup tx to ${to} reverted`);
      return;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}

export interface Mode2Parties {
  lp: Address;
  winner: Address;
  auctioneer: Address;
}

/** The LP deposits 1,000 USDC units offered at 10 bps against WETH; winner and auctioneer hold and approve WETH. Enough for several 100-unit auctions. */
export async function fundMode2(rpc: EdrRpc, addresses: Addresses, p: Mode2Parties): Promise<void> {
  const usdc = addresses.tokens!.USDC;
  const weth = addresses.tokens!.WETH;
  await send(rpc, p.lp, usdc, encodeFunctionData({ abi: TOKEN_ABI, functionName: "mint", args: [p.lp, 1_000n] }));
  await send(rpc, p.lp, usdc, encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [addresses.registry, 1_000n] }));
  await send(rpc, p.lp, addresses.registry, encodeFunctionData({ abi: REGISTRY_ABI, functionName: "deposit", args: [usdc, 1_000n] }));
  await send(rpc, p.lp, addresses.registry, encodeFunctionData({ abi: REGISTRY_ABI, functionName: "setOffer", args: [usdc, 10, [{ asset: weth, minPrice: PRICE_SCALE / 2n }]] }));
  for (const who of [p.winner, p.auctioneer]) {
    await send(rpc, who, weth, encodeFunctionData({ abi: TOKEN_ABI, functionName: "mint", args: [who, 1_000n] }));
    await send(rpc, who, weth, encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [addresses.settlement, 1_000n] }));
  }
}

/** A sealed-bid mode 2 auction (100 USDC units borrowed from the LP, sold for WETH), revealed and cleared into the next Home block. */
export async function clearedMode2Auction(c: RunningDevnet["chain"], addresses: Addresses, p: Mode2Parties, salt: string) {
  const now = () => Math.floor(c.nowMs() / 1000);
  const usdc = addresses.tokens!.USDC;
  const weth = addresses.tokens!.WETH;
  const lock = await c.submit("lock", { owner: keccak256(toHex(`${salt} home owner`)), borrower: p.auctioneer, creditAsset: usdc, collateral: "1300", expiry: now() + 86_400 });
  const created = await c.submit("create-auction", {
    auctioneer: p.auctioneer, sellAsset: usdc, sellAmount: "100", buyAsset: weth, mode: 2, auctioneerLockId: (lock.result.lockId as bigint).toString(),
    auctioneerMaxRateBps: 30, reservePrice: (PRICE_SCALE / 2n).toString(), lp: p.lp,
    commitDeadline: now() + 10, revealDeadline: now() + 20, settleDeadline: now() + 3600,
  });
  const auctionId = created.result.auctionId as bigint;
  const bid = { auctionId, bidder: p.winner as Hex, amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex(salt)) as Hex };
  await c.submit("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(bid) });
  c.advanceTime(10);
  await c.submit("reveal-bid", { auctionId: auctionId.toString(), bidder: bid.bidder, amount: "100", limitPrice: bid.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: bid.salt });
  c.advanceTime(10);
  await c.submit("clear-auction", { auctionId: auctionId.toString() });
  const sealed = c.produceBlock();
  return { auctionId, height: sealed.header.height, sealedAt: Date.now() };
}

export interface SentTx {
  hash: Hex;
  to: Address;
  selector: Hex;
}

/** Every transaction `from` sent that a block includes, oldest first. */
export async function sentTxs(rpc: EdrRpc, from: Address): Promise<SentTx[]> {
  const latest = BigInt(await rpc.request("eth_blockNumber", []));
  const out: SentTx[] = [];
  for (let n = 0n; n <= latest; n++) {
    const b = await rpc.request("eth_getBlockByNumber", [toHex(n), true]);
    for (const tx of b.transactions) {
      if (tx.from.toLowerCase() === from.toLowerCase()) out.push({ hash: tx.hash, to: tx.to.toLowerCase(), selector: tx.input.slice(0, 10) });
    }
  }
  return out;
}

export type AwayEvent =
  | { name: "HeaderSubmitted"; height: bigint; txHash: Hex }
  | { name: "Settled"; auctionId: bigint; height: bigint; txHash: Hex };

/** The light client's HeaderSubmitted and the settlement contract's Settled events of the whole chain, oldest first. */
export async function awayEvents(rpc: EdrRpc, addresses: Addresses): Promise<AwayEvent[]> {
  const logs = await rpc.request("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", address: [addresses.lightClient, addresses.settlement] }]);
  const out: AwayEvent[] = [];
  for (const log of logs) {
    let ev;
    try {
      ev = decodeEventLog({ abi: EVENTS_ABI, data: log.data, topics: log.topics });
    } catch {
      continue; // another event
    }
    const from = log.address.toLowerCase();
    if (ev.eventName === "HeaderSubmitted" && from === addresses.lightClient.toLowerCase()) out.push({ name: "HeaderSubmitted", height: ev.args.height, txHash: log.transactionHash });
    else if (ev.eventName === "Settled" && from === addresses.settlement.toLowerCase()) out.push({ name: "Settled", auctionId: ev.args.auctionId, height: ev.args.height, txHash: log.transactionHash });
  }
  return out;
}
