// A Home devnet bound to two Away chains (two in-process EDR chains, chain ids 31337 and 31338,
// with the escrow contract at the same address on both, as one deployer's deployments are):
// `lock` and `create-auction` name their chain (default: the first), every leaf is bound to the
// contracts of its lockup's or auction's chain, an auction takes only lockups of its own chain,
// and ack-escrow / consume-receipt read the storage of the auction's chain through that chain's
// RPC; one collateral account backs lockups on both chains. Attack: a deposit made only on chain B is not an escrow of an auction bound to chain A.
// With one Away reader (before this change) the B auction's escrow was looked for on chain A.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, numberToHex, pad, toHex, type Hex } from "viem";
import type { AwayRpc } from "../../../home/devnet/away-proof.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig } from "../../../home/devnet/config.ts";
import { bidCommitment } from "../../../home/devnet/auctions-module.ts";
import { HomeError } from "../../../home/api/index.ts";
import { configFromArgs } from "../../../home/devnet/cli.ts";
import {
  KIND_ACCOUNT_LOCKUP,
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  PRICE_SCALE,
  awayBinding,
  encodeReceiptWord,
  escrowCommitment,
  escrowCommitmentSlot,
  mappingSlot,
  verifyStateProof,
} from "../../../home/model/index.ts";

const ESCROW = getAddress("0xE5c0000000000000000000000000000000000001");
const SETTLEMENT_A = getAddress("0x5e77000000000000000000000000000000000002");
const SETTLEMENT_B = getAddress("0x5e770000000000000000000000000000000000b2");
const AUCTIONEER = "0x1111111111111111111111111111111111111111" as Hex;
const SELL = "0x00000000000000000000000000000000000a11ce" as Hex;
const BUY = "0x00000000000000000000000000000000000000b0" as Hex;
const BIDDER = "0x0000000000000000000000000000000000002001" as Hex;
const OWNER = keccak256(toHex("home-owner"));

interface Edr {
  rpc: AwayRpc;
  setWord(contract: Hex, slot: Hex, word: bigint): Promise<void>;
  close(): Promise<void>;
}

async function edrChain(chainId: number): Promise<Edr> {
  const { network } = await import("hardhat");
  const conn = await network.create({ override: { chainId } });
  const provider = conn.provider as { request(a: { method: string; params?: unknown[] }): Promise<unknown> };
  const call = (method: string, params: unknown[] = []) => provider.request({ method, params });
  for (const a of [ESCROW, SETTLEMENT_A, SETTLEMENT_B]) await call("hardhat_setCode", [a, "0x00"]);
  await call("hardhat_mine", ["0x1"]);
  return {
    rpc: { request: (method, params) => call(method, params) },
    async setWord(contract, slot, word) {
      await call("hardhat_setStorageAt", [contract, slot, pad(numberToHex(word), { size: 32 })]);
      await call("hardhat_mine", ["0x1"]);
    },
    close: () => conn.close(),
  };
}

let A: Edr;
let B: Edr;
beforeAll(async () => {
  A = await edrChain(31337);
  B = await edrChain(31338);
});
afterAll(async () => {
  await A?.close();
  await B?.close();
});

function twoChainDevnet(): DevnetChain {
  return DevnetChain.open(
    resolveConfig({
      dataDir: null,
      blockMs: 0,
      port: 0,
      awayChains: [
        { chainId: 31337n, settlementAddress: SETTLEMENT_A, escrowAddress: ESCROW, awayRpc: A.rpc },
        { chainId: 31338n, settlementAddress: SETTLEMENT_B, escrowAddress: ESCROW, awayRpc: B.rpc },
      ],
    }),
  );
}

const sec = (c: DevnetChain) => Math.floor(c.nowMs() / 1000);
async function refusal(p: Promise<unknown>): Promise<[string, string]> {
  const e = await p.then(() => null, (x) => x);
  expect(e).toBeInstanceOf(HomeError);
  return [(e as HomeError).code, (e as HomeError).message];
}

/** A mode 1 auction of 100 SELL for BUY on `chainId` (undefined: the default chain), with one lock-backed bid of `lockId`. */
async function mode1Auction(c: DevnetChain, chainId: bigint | undefined, lockId: bigint) {
  const t = sec(c);
  const { result } = await c.submit("create-auction", {
    auctioneer: AUCTIONEER, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 1,
    commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600, ...(chainId === undefined ? {} : { awayChainId: chainId }),
  });
  const id = result.auctionId as bigint;
  const bid = { bidder: BIDDER, amount: 100n, limitPrice: PRICE_SCALE, lockId, maxRateBps: 10, salt: keccak256(toHex(`bid ${id}`)) };
  await c.submit("commit-bid", { auctionId: id, commitment: bidCommitment({ auctionId: id, ...bid }) });
  const refundNotBefore = BigInt(t + 3601);
  const deposit = { auctionId: id, depositor: AUCTIONEER, asset: SELL, amount: 100n, refundNotBefore };
  return { id, bid, ack: { auctionId: id, refundNotBefore: refundNotBefore.toString() }, slot: escrowCommitmentSlot(id, AUCTIONEER), word: escrowCommitment(deposit) };
}

describe("a devnet bound to two Away chains", () => {
  it("binds each lockup and auction to its chain's contracts and reads escrow and receipts on that chain", async () => {
    const c = twoChainDevnet();
    try {
      const t = sec(c);
      const lock = (awayChainId?: bigint) =>
        c.submit("lock", { owner: OWNER, borrower: BIDDER, creditAsset: BUY, collateral: "1300", expiry: t + 7200, ...(awayChainId === undefined ? {} : { awayChainId }) });
      expect((await lock()).result.lockId).toBe(1n); // default: the first chain
      expect((await lock(31338n)).result.lockId).toBe(2n);
      expect(await refusal(lock(5n))).toEqual(["unknown-away-chain", "awayChainId 5 is not an Away chain of this Home (configured: 31337, 31338)"]);
      expect([c.lockup(1n)!.awayChainId, c.lockup(2n)!.awayChainId]).toEqual([31337n, 31338n]);

      const a = await mode1Auction(c, undefined, 1n);
      const b = await mode1Auction(c, 31338n, 2n);
      // A lockup bound to chain B cannot back a bid in a chain-A auction (only B's settlement can borrow against it).
      const other = await mode1Auction(c, 31337n, 0n);
      const crossed = { ...a.bid, lockId: 2n, salt: keccak256(toHex("crossed")) };
      await c.submit("commit-bid", { auctionId: other.id, commitment: bidCommitment({ auctionId: other.id, ...crossed }) });
      expect([c.auction(a.id)!.awayChainId, c.auction(b.id)!.awayChainId]).toEqual([31337n, 31338n]);

      // The attack: the B auction's deposit exists only on chain B (same escrow address on both).
      await B.setWord(ESCROW, b.slot, b.word);
      expect((await refusal(c.submit("ack-escrow", { ...b.ack, auctionId: a.id, refundNotBefore: a.ack.refundNotBefore })))[0]).toBe("away-state-mismatch");
      await c.submit("ack-escrow", b.ack); // read on chain B
      await A.setWord(ESCROW, a.slot, a.word);
      await c.submit("ack-escrow", a.ack); // read on chain A

      c.advanceTime(10);
      expect(await refusal(c.submit("reveal-bid", { auctionId: other.id, ...crossed }))).toEqual([
        "wrong-away-chain",
        `lockId 2 is bound to Away chain 31338, not to the auction's chain 31337`,
      ]);
      for (const x of [a, b]) await c.submit("reveal-bid", { auctionId: x.id, ...x.bid });
      c.advanceTime(10);
      for (const x of [a, b]) await c.submit("clear-auction", { auctionId: x.id });

      // Leaves bound per chain, and the state proofs name each leaf's own contract.
      let sealed = c.produceBlock();
      const bound = (kind: Parameters<DevnetChain["stateProof"]>[0], id: bigint) => {
        const p = c.stateProof(kind, id);
        expect(verifyStateProof(sealed.header.stateRoot, p.proof)).toBe(true);
        return [p.proof.leaf!.awayBinding, p.awayContract];
      };
      expect(bound(KIND_LOCKUP, 1n)).toEqual([awayBinding(31337n, SETTLEMENT_A), SETTLEMENT_A]);
      expect(bound(KIND_LOCKUP, 2n)).toEqual([awayBinding(31338n, SETTLEMENT_B), SETTLEMENT_B]);
      expect(bound(KIND_AUCTION_RESULT, a.id)).toEqual([awayBinding(31337n, SETTLEMENT_A), SETTLEMENT_A]);
      expect(bound(KIND_AUCTION_RESULT, b.id)).toEqual([awayBinding(31338n, SETTLEMENT_B), SETTLEMENT_B]);
      expect(bound(KIND_ESCROW_ACK, b.id)).toEqual([awayBinding(31338n, ESCROW), ESCROW]);

      // Receipts: B's closed receipt is written on chain B only; A's is not consumable from it.
      const settled = encodeReceiptWord({ outcome: 1, recordedAt: 1_800_000_000n, settledMask: 1n, auctioneerBlamed: false });
      await B.setWord(SETTLEMENT_B, mappingSlot(b.id), settled);
      await B.setWord(SETTLEMENT_A, mappingSlot(a.id), settled); // A's contract address on the wrong chain
      expect((await refusal(c.submit("consume-receipt", { auctionId: a.id })))[0]).toBe("away-state-mismatch");
      expect((await c.submit("consume-receipt", { auctionId: b.id })).result).toMatchObject({ outcome: 1, released: [2n], slashed: [] });
      await A.setWord(SETTLEMENT_A, mappingSlot(a.id), settled);
      expect((await c.submit("consume-receipt", { auctionId: a.id })).result).toMatchObject({ outcome: 1, released: [1n], slashed: [] });
      sealed = c.produceBlock();
      expect(bound(KIND_RECEIPT, b.id)).toEqual([awayBinding(31338n, SETTLEMENT_B), SETTLEMENT_B]);
      expect(bound(KIND_RECEIPT, a.id)).toEqual([awayBinding(31337n, SETTLEMENT_A), SETTLEMENT_A]);
    } finally {
      c.close();
    }
  });

  it("refuses a mode 2 auction on another chain than its auctioneer's lockup", async () => {
    const c = twoChainDevnet();
    try {
      const t = sec(c);
      await c.submit("lock", { owner: OWNER, borrower: AUCTIONEER, creditAsset: SELL, collateral: "200", expiry: t + 7200, awayChainId: 31338n });
      const body = {
        auctioneer: AUCTIONEER, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 2, auctioneerLockId: 1, auctioneerMaxRateBps: 50,
        lp: BIDDER, commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600,
      };
      expect((await refusal(c.submit("create-auction", body)))[0]).toBe("wrong-away-chain");
      const { result } = await c.submit("create-auction", { ...body, awayChainId: 31338n });
      expect(c.auction(result.auctionId)!.awayChainId).toBe(31338n);
    } finally {
      c.close();
    }
  });

  it("lets one collateral account back lockups on both chains, each bound to its chain's settlement, with the credit summed across them", async () => {
    const USDC = getAddress("0x00000000000000000000000000000000000a11ce");
    const c = DevnetChain.open(
      resolveConfig({
        dataDir: null,
        blockMs: 0,
        port: 0,
        libraPriceSource: "0.5",
        // The same USDC address on both chains, priced once per chain (assets are keyed by chain and address).
        riskConfig: { assets: [31337n, 31338n].map((awayChainId) => ({ awayChainId, address: USDC, symbol: "USDC", decimals: 6, price: 10n ** 18n })) },
        awayChains: [
          { chainId: 31337n, settlementAddress: SETTLEMENT_A, escrowAddress: ESCROW, awayRpc: A.rpc },
          { chainId: 31338n, settlementAddress: SETTLEMENT_B, escrowAddress: ESCROW, awayRpc: B.rpc },
        ],
      }),
    );
    try {
      const expiry = sec(c) + 7200;
      // 20,000 LIBRA at $0.5 = $10,000 of collateral; at 130% it supports $7,692 of credit in all.
      const { accountId } = (await c.submit("open-account", { owner: OWNER, deposit: 20_000_000_000n })).result;
      const lock = (awayChainId: bigint, usdc: bigint) => c.submit("lock", { owner: OWNER, borrower: BIDDER, creditAsset: USDC, accountId, creditLimit: usdc * 10n ** 6n, expiry, awayChainId });
      const onA = await lock(31337n, 4_000n);
      const onB = await lock(31338n, 3_000n);
      const [code, message] = await refusal(lock(31338n, 1_000n));
      expect(code).toBe("insufficient-collateral");
      expect(message).not.toContain("\n");
      expect(c.account(accountId)!.lockups.map((l) => [l.lockId, l.awayChainId, l.settlement])).toEqual([
        [onA.result.lockId, 31337n, SETTLEMENT_A],
        [onB.result.lockId, 31338n, SETTLEMENT_B],
      ]);
      const sealed = c.produceBlock();
      for (const [lockId, chainId, settlement] of [[onA.result.lockId, 31337n, SETTLEMENT_A], [onB.result.lockId, 31338n, SETTLEMENT_B]] as const) {
        for (const kind of [KIND_LOCKUP, KIND_ACCOUNT_LOCKUP] as const) {
          const p = c.stateProof(kind, lockId);
          expect(verifyStateProof(sealed.header.stateRoot, p.proof)).toBe(true);
          expect([p.proof.leaf!.awayBinding, p.awayContract]).toEqual([awayBinding(chainId, settlement), settlement]);
        }
      }
    } finally {
      c.close();
    }
  });

  it("takes the chains from repeated --away-chain flags and refuses them mixed with the one-chain flags", () => {
    const cfg = configFromArgs(["--memory", "--away-chain", `31337,${SETTLEMENT_A},${ESCROW},http://127.0.0.1:1`, "--away-chain", `31338,${SETTLEMENT_B}`])!;
    expect(cfg.awayChains).toEqual([
      { chainId: 31337n, settlementAddress: SETTLEMENT_A, escrowAddress: ESCROW, awayRpc: "http://127.0.0.1:1" },
      { chainId: 31338n, settlementAddress: SETTLEMENT_B, escrowAddress: "0x0000000000000000000000000000000000000000", awayRpc: null },
    ]);
    expect(() => configFromArgs(["--away-chain", `31337,${SETTLEMENT_A}`, "--settlement-address", SETTLEMENT_B])).toThrow(/either as awayChains .* not both/);
    expect(() => configFromArgs(["--away-chain", `31337,${SETTLEMENT_A}`, "--away-chain", `31337,${SETTLEMENT_B}`])).toThrow("away chain 31337 is listed twice");
    expect(() => configFromArgs(["--away-chain", "31337"])).toThrow("--away-chain: '31337' is not 'chainId,settlement[,escrow[,rpc]]'");
  });

  it("refuses to reopen a two-chain data directory with one chain, or one-chain with two", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "olzk-devnet-chains-"));
    const open = (awayChains: { chainId: bigint; settlementAddress: Hex }[]) =>
      DevnetChain.open(resolveConfig({ dataDir, blockMs: 0, port: 0, awayChains: awayChains.map((a) => ({ ...a, escrowAddress: ESCROW, awayRpc: null })) }));
    const chainA = { chainId: 31337n, settlementAddress: SETTLEMENT_A };
    const chainB = { chainId: 31338n, settlementAddress: SETTLEMENT_B };
    try {
      const c = open([chainA, chainB]);
      c.produceBlock();
      c.close();
      // Before the check ran both ways, this reopened and left chain B's leaves bound to a chain Home no longer knows.
      expect(() => open([chainA])).toThrow(/created with moreAwayChains = 31338:.*which today's settings do not have/);
      open([chainA, chainB]).close();
      rmSync(dataDir, { recursive: true, force: true });
      const one = open([chainA]);
      one.produceBlock();
      one.close();
      expect(() => open([chainA, chainB])).toThrow(/created before moreAwayChains was a chain setting/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
