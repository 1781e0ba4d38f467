// Away-chain storage checks against a real EVM (Hardhat's EDR): storage written with
// hardhat_setStorageAt at the ENCODING.md slots, read back through eth_getProof over real
// HTTP, and verified by the devnet's own Merkle-Patricia checker. Then the devnet's
// escrow acknowledgement, mode 1 clearing and receipt consumption end to end.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, numberToHex, pad, toHex, type Hex } from "viem";
import {
  AwayProofError,
  checkEscrowDeposit,
  httpRpc,
  readSettlementReceipt,
  readVerifiedStorage,
  type AwayRpc,
} from "../../../home/devnet/away-proof.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig, type DevnetConfig } from "../../../home/devnet/config.ts";
import { bidCommitment } from "../../../home/devnet/auctions-module.ts";
import { HomeError } from "../../../home/api/index.ts";
import { HTTP_STATUS } from "../../../home/devnet/server.ts";
import {
  KIND_COLLATERAL_ACCOUNT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  PRICE_SCALE,
  encodeReceiptWord,
  escrowAckDigest,
  escrowCommitment,
  escrowCommitmentSlot,
  lockupDigest,
  mappingSlot,
  nestedMappingSlot,
  receiptDigest,
  verifyStateProof,
  type AuctionResultPayload,
} from "../../../home/model/index.ts";

const ESCROW = "0xE5c0000000000000000000000000000000000001" as Hex;
const SETTLEMENT = "0x5e77000000000000000000000000000000000002" as Hex;
const DEPOSITOR = "0x1111111111111111111111111111111111111111" as Hex;
const SELL = "0x00000000000000000000000000000000000a11ce" as Hex;
const BUY = "0x00000000000000000000000000000000000000b0" as Hex;
const OWNER = keccak256(toHex("home-owner"));
/** refundNotBefore of the test deposits (any value; the module checks it against settleDeadline). */
const RNB = 2_000_000_000n;
const deposit = (auctionId: bigint, amount: bigint, refundNotBefore = RNB) => ({ auctionId, depositor: DEPOSITOR, asset: SELL, amount, refundNotBefore });
const escrowWord = (auctionId: bigint, amount: bigint, refundNotBefore = RNB) => escrowCommitment(deposit(auctionId, amount, refundNotBefore));
const escrowSlot = (auctionId: bigint) => escrowCommitmentSlot(auctionId, DEPOSITOR);
const receiptWord = (outcome: number, recordedAt: bigint, settledMask: bigint, auctioneerBlamed = false) =>
  encodeReceiptWord({ outcome, recordedAt, settledMask, auctioneerBlamed });
const bidderAddr = (i: number) => `0x${(0x2000 + i).toString(16).padStart(40, "0")}` as Hex;

let provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> };
let closeConn: () => Promise<void>;
let server: Server;
let rpcUrl: string;
let rpc: AwayRpc;

async function call(method: string, params: unknown[] = []): Promise<unknown> {
  return provider.request({ method, params });
}
async function setWord(contract: Hex, slot: Hex, word: bigint): Promise<void> {
  await call("hardhat_setStorageAt", [contract, slot, pad(numberToHex(word), { size: 32 })]);
  await call("hardhat_mine", ["0x1"]);
}

beforeAll(async () => {
  const { network } = await import("hardhat");
  const conn = await network.connect();
  provider = conn.provider as typeof provider;
  closeConn = () => conn.close();
  for (const a of [ESCROW, SETTLEMENT]) await call("hardhat_setCode", [a, "0x00"]);
  await call("hardhat_mine", ["0x1"]);
  // Serve the in-process EVM over real HTTP JSON-RPC, as an Away node would be.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString());
      let out: unknown;
      try {
        out = { jsonrpc: "2.0", id: msg.id, result: await provider.request({ method: msg.method, params: msg.params }) };
      } catch (e) {
        out = { jsonrpc: "2.0", id: msg.id, error: { code: -32000, message: (e as Error).message } };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  rpcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rpc = httpRpc(rpcUrl);
});

afterAll(async () => {
  server?.close();
  await closeConn?.();
});

describe("Away storage proofs (eth_getProof against EDR)", () => {
  it("accepts a deposit stored at its mapping slot, and rejects a wrong amount or a wrong slot", async () => {
    const word = escrowWord(7n, 100n);
    await setWord(ESCROW, escrowSlot(7n), word);
    const read = await checkEscrowDeposit(rpc, ESCROW, deposit(7n, 100n), 0);
    expect(read.value).toBe(word);
    // slot 0 is mapping(uint64 => mapping(address => bytes32)): keccak(depositor . keccak(auctionId . 0))
    const inner = keccak256(`0x${"0".repeat(62)}07${"0".repeat(64)}`);
    expect(read.slot).toBe(keccak256(`0x${"0".repeat(24)}${DEPOSITOR.slice(2)}${inner.slice(2)}`));

    await expect(checkEscrowDeposit(rpc, ESCROW, deposit(7n, 101n), 0)).rejects.toThrow(/does not match/);
    await expect(checkEscrowDeposit(rpc, ESCROW, deposit(7n, 100n, RNB - 1n), 0)).rejects.toThrow(/does not match/);
    await expect(checkEscrowDeposit(rpc, ESCROW, deposit(8n, 100n), 0)).rejects.toThrow(/holds no deposit/);
    // Another depositor's key under the same auction is not the auctioneer's deposit.
    await expect(checkEscrowDeposit(rpc, ESCROW, { ...deposit(7n, 100n), depositor: bidderAddr(1) }, 0)).rejects.toThrow(/holds no deposit/);
    // The right word at a slot of another mapping (base slot 1) is not a deposit.
    await setWord(ESCROW, nestedMappingSlot(9n, DEPOSITOR, 1n), escrowWord(9n, 5n));
    await expect(checkEscrowDeposit(rpc, ESCROW, deposit(9n, 5n), 0)).rejects.toThrow(AwayProofError);
  });

  it("does not believe an RPC that lies about the value or answers for another slot", async () => {
    const good = escrowWord(7n, 100n);
    const other = escrowWord(7n, 999n);
    await setWord(ESCROW, escrowSlot(11n), other);
    // Lies in the `value` field only: the checker reads the value from the proof itself.
    const lyingValue: AwayRpc = {
      async request(method, params) {
        const r = (await rpc.request(method, params)) as any;
        if (method === "eth_getProof") r.storageProof[0].value = numberToHex(good);
        return r;
      },
    };
    await expect(checkEscrowDeposit(lyingValue, ESCROW, deposit(11n, 100n), 0)).rejects.toThrow(
      /does not match/,
    );
    // Answers with the proof of slot(7) (which holds `good`) when asked for slot(11).
    const wrongSlot: AwayRpc = {
      async request(method, params) {
        if (method === "eth_getProof") return rpc.request(method, [params[0], [escrowSlot(7n)], params[2]]);
        return rpc.request(method, params);
      },
    };
    const v = await readVerifiedStorage(wrongSlot, ESCROW, escrowSlot(11n), 0).then((r) => r.value, (e) => e);
    expect(v).not.toBe(good);
    await expect(checkEscrowDeposit(wrongSlot, ESCROW, deposit(11n, 100n), 0)).rejects.toThrow(
      AwayProofError,
    );
    // A proof under another block's stateRoot fails the account proof.
    const staleRoot: AwayRpc = {
      async request(method, params) {
        const r = (await rpc.request(method, params)) as any;
        if (method === "eth_getBlockByNumber") r.stateRoot = keccak256(toHex("not the root"));
        return r;
      },
    };
    await expect(readVerifiedStorage(staleRoot, ESCROW, escrowSlot(7n), 0)).rejects.toThrow(/proof rejected/);
  });

  it("checks the proof against the block at the confirmation depth, and decodes settlement receipts", async () => {
    await setWord(SETTLEMENT, mappingSlot(21n), receiptWord(2, 1_700_000_000n, 5n, true));
    const r = await readSettlementReceipt(rpc, SETTLEMENT, 21n, 0);
    expect([r.outcome, r.recordedAt, r.settledMask, r.auctioneerBlamed]).toEqual([2, 1_700_000_000n, 5n, true]);
    const head = BigInt((await call("eth_blockNumber")) as string);
    expect(r.blockNumber).toBe(head);
    // EDR answers eth_getProof with the head's state whatever block is asked, so a proof
    // for "one block deep" does not verify against that block's stateRoot: it is refused.
    await expect(readSettlementReceipt(rpc, SETTLEMENT, 21n, 1)).rejects.toThrow(/proof rejected.*Away block/);
    await expect(readSettlementReceipt(rpc, SETTLEMENT, 21n, Number(head) + 1)).rejects.toThrow(/fewer than/);
    // Bits beyond the layout: not a receipt word.
    await setWord(SETTLEMENT, mappingSlot(22n), 1n << 137n);
    await expect(readSettlementReceipt(rpc, SETTLEMENT, 22n, 0)).rejects.toThrow(/not a receipt word/);
  });
});

describe("devnet module with a real Away chain", () => {
  function chain(over: Partial<DevnetConfig> = {}): DevnetChain {
    return DevnetChain.open(
      resolveConfig({ dataDir: null, blockMs: 0, port: 0, awayRpc: rpcUrl, awayChainId: 31337n, escrowAddress: ESCROW, settlementAddress: SETTLEMENT, ...over }),
    );
  }
  async function rejects(p: Promise<unknown>, status: number, msg: RegExp) {
    const e = await p.then(() => null, (x) => x);
    expect(e).toBeInstanceOf(HomeError);
    expect([HTTP_STATUS[(e as HomeError).code], (e as HomeError).message]).toEqual([status, expect.stringMatching(msg)]);
  }
  const sec = (c: DevnetChain) => Math.floor(c.nowMs() / 1000);

  it("acknowledges the escrow, clears mode 1 with ties, a partial fill and lock-backed bids, and releases on a settlement receipt", async () => {
    const c = chain();
    try {
      const t = sec(c);
      await c.submit("lock", { owner: OWNER, borrower: bidderAddr(2), creditAsset: BUY, collateral: "1300", expiry: t + 7200 }); // lock 1, limit 1000
      await c.submit("lock", { owner: OWNER, borrower: bidderAddr(5), creditAsset: BUY, collateral: "1300", expiry: t + 7200 }); // lock 2
      const { result } = await c.submit("create-auction", {
        auctioneer: DEPOSITOR, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 1,
        reservePrice: (PRICE_SCALE / 2n).toString(), commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600,
      });
      const id = result.auctionId as bigint;
      const P = (x: bigint) => (x * PRICE_SCALE) / 100n;
      const bids = [
        { bidder: bidderAddr(1), amount: 40n, limitPrice: P(150n), lockId: 0n, maxRateBps: 0 }, // tie, earlier commit
        { bidder: bidderAddr(2), amount: 30n, limitPrice: P(300n), lockId: 1n, maxRateBps: 250 }, // highest, borrows
        { bidder: bidderAddr(3), amount: 40n, limitPrice: P(150n), lockId: 0n, maxRateBps: 0 }, // tie, later: partial
        { bidder: bidderAddr(5), amount: 40n, limitPrice: P(120n), lockId: 2n, maxRateBps: 100 }, // does not fill: lock freed
      ].map((b, i) => ({ ...b, salt: keccak256(toHex(`s${i}`)) }));
      for (const b of bids) await c.submit("commit-bid", { auctionId: id, commitment: bidCommitment({ auctionId: id, ...b }) });

      // No deposit on the Away chain yet.
      const rnb = BigInt(t + 3601);
      const ackBody = { auctionId: id, refundNotBefore: rnb.toString() };
      await rejects(c.submit("ack-escrow", ackBody), 422, /holds no deposit/);
      await setWord(ESCROW, escrowSlot(id), escrowWord(id, 99n, rnb));
      await rejects(c.submit("ack-escrow", ackBody), 422, /does not match/);
      await rejects(c.submit("ack-escrow", { ...ackBody, amount: "99" }), 422, /sell amount/);
      await rejects(c.submit("ack-escrow", { auctionId: id }), 400, /refundNotBefore/);
      // Refundable in the last second of the settle window: refused before reading Away.
      const early = await c.submit("ack-escrow", { auctionId: id, refundNotBefore: t + 3600 }).then(() => null, (e) => e);
      expect([HTTP_STATUS[early.code as HomeError["code"]], early.code]).toEqual([422, "refund-too-early"]);
      await setWord(ESCROW, escrowSlot(id), escrowWord(id, 100n, rnb));
      const ack = await c.submit("ack-escrow", ackBody);
      expect(ack.leaves).toEqual([expect.objectContaining({ kind: KIND_ESCROW_ACK, id })]);
      await rejects(c.submit("ack-escrow", ackBody), 409, /already acknowledged/);

      c.advanceTime(10);
      for (const b of bids) await c.submit("reveal-bid", { auctionId: id, ...b });
      expect([c.lockup(1n)!.heldBy, c.lockup(2n)!.heldBy]).toEqual([id, id]);
      c.advanceTime(10);
      await c.submit("clear-auction", { auctionId: id });
      const r = c.auction(id)!.result as AuctionResultPayload;
      expect(r.clearingPrice).toBe(P(150n));
      expect(r.fills.map((f) => [f.winner, f.sellAmount, f.payAmount, f.lockId, f.maxRateBps])).toEqual([
        [bidderAddr(2), 30n, 45n, 1n, 250],
        [bidderAddr(1), 40n, 60n, 0n, 0],
        [bidderAddr(3), 30n, 45n, 0n, 0],
      ]);
      expect([c.lockup(1n)!.heldBy, c.lockup(2n)!.heldBy]).toEqual([id, null]);
      // What a Settlement proof needs, at the block sealing the result: lock 1 (the only lock-backed fill).
      const cleared = c.produceBlock();
      const sp = c.settlementProof(id);
      expect(sp.result.height).toBe(cleared.header.height);
      expect(verifyStateProof(cleared.header.stateRoot, sp.result.proof)).toBe(true);
      expect(sp.lockups.map((l) => [l.id, l.proof.included, (l.payload as any).status])).toEqual([[1n, true, 1]]);
      expect(verifyStateProof(cleared.header.stateRoot, sp.lockups[0]!.proof)).toBe(true);

      // Receipts: none yet; open (fill 1 settled so far) is not consumed; a mask that does not fit
      // the 3 fills is refused; closed with every fill settled -> lock 1 released.
      await rejects(c.submit("consume-receipt", { auctionId: id }), 422, /no receipt/);
      await setWord(SETTLEMENT, mappingSlot(id), receiptWord(0, 1_799_999_000n, 2n));
      const open = await c.submit("consume-receipt", { auctionId: id }).then(() => null, (e) => e);
      expect([HTTP_STATUS[open.code as HomeError["code"]], open.code]).toEqual([409, "receipt-open"]);
      await setWord(SETTLEMENT, mappingSlot(id), receiptWord(2, 1_799_999_000n, 8n));
      await rejects(c.submit("consume-receipt", { auctionId: id }), 422, /does not fit its 3 fills/);
      await setWord(SETTLEMENT, mappingSlot(id), receiptWord(1, 1_800_000_000n, 7n));
      const rc = await c.submit("consume-receipt", { auctionId: id });
      expect(rc.result).toMatchObject({ outcome: 1, recordedAt: 1_800_000_000n, settledMask: 7n, released: [1n], slashed: [] });
      await rejects(c.submit("consume-receipt", { auctionId: id }), 409, /already consumed/);
      const b = c.produceBlock();
      for (const [kind, digest] of [
        [KIND_RECEIPT, receiptDigest({ auctionId: id, outcome: 1, recordedAt: 1_800_000_000n, settledMask: 7n, auctioneerBlamed: false })],
        [KIND_ESCROW_ACK, escrowAckDigest({ auctionId: id, depositor: DEPOSITOR, asset: SELL, amount: 100n, refundNotBefore: rnb })],
        [KIND_LOCKUP, lockupDigest({ ...c.lockup(1n)!.payload })],
      ] as const) {
        const p = c.stateProof(kind, kind === KIND_LOCKUP ? 1n : id);
        expect(p.proof.leaf?.payloadDigest).toBe(digest);
        expect(verifyStateProof(b.header.stateRoot, p.proof)).toBe(true);
      }
      expect(c.lockup(1n)!.payload.status).toBe(2);
      expect(c.auction(id)!.status).toBe("settled");
    } finally {
      c.close();
    }
  });

  it("mode 2: slashes the auctioneer's lockup only when the receipt blames it, and refuses an RPC of another chain", async () => {
    const c = chain();
    const wrongChain = chain({ awayChainId: 1n });
    try {
      const t = sec(c);
      await c.submit("lock", { owner: OWNER, borrower: DEPOSITOR, creditAsset: SELL, collateral: "200", expiry: t + 7200 });
      const { result } = await c.submit("create-auction", {
        auctioneer: DEPOSITOR, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 2, auctioneerLockId: 1, auctioneerMaxRateBps: 50,
        lp: bidderAddr(7), commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600,
      });
      const id = result.auctionId as bigint;
      const b = { bidder: bidderAddr(9), amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex("x")) };
      await c.submit("commit-bid", { auctionId: id, commitment: bidCommitment({ auctionId: id, ...b }) });
      c.advanceTime(10);
      await c.submit("reveal-bid", { auctionId: id, ...b });
      c.advanceTime(10);
      await c.submit("clear-auction", { auctionId: id }); // mode 2: no escrow needed
      await setWord(SETTLEMENT, mappingSlot(id), receiptWord(2, 1_800_000_500n, 0n, true));
      const rc = await c.submit("consume-receipt", { auctionId: id });
      expect(rc.result).toMatchObject({ outcome: 2, auctioneerBlamed: true, released: [], slashed: [1n] });
      expect(c.lockup(1n)!.payload.status).toBe(3);
      expect(c.auction(id)!.status).toBe("defaulted");

      // A default the auctioneer did not cause (winner or LP side): its lockup is released.
      await c.submit("lock", { owner: OWNER, borrower: DEPOSITOR, creditAsset: SELL, collateral: "200", expiry: t + 7200 });
      const t1 = sec(c);
      const second = await c.submit("create-auction", {
        auctioneer: DEPOSITOR, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 2, auctioneerLockId: 2, auctioneerMaxRateBps: 50,
        lp: bidderAddr(7), commitDeadline: t1 + 10, revealDeadline: t1 + 20, settleDeadline: t1 + 3600,
      });
      const id2 = second.result.auctionId as bigint;
      const b2 = { ...b, salt: keccak256(toHex("y")) };
      await c.submit("commit-bid", { auctionId: id2, commitment: bidCommitment({ auctionId: id2, ...b2 }) });
      c.advanceTime(10);
      await c.submit("reveal-bid", { auctionId: id2, ...b2 });
      c.advanceTime(10);
      await c.submit("clear-auction", { auctionId: id2 });
      await setWord(SETTLEMENT, mappingSlot(id2), receiptWord(2, 1_800_000_600n, 0n, false));
      expect((await c.submit("consume-receipt", { auctionId: id2 })).result).toMatchObject({ outcome: 2, released: [2n], slashed: [] });
      expect(c.lockup(2n)!.payload.status).toBe(2);

      const t2 = sec(wrongChain);
      await wrongChain.submit("create-auction", {
        auctioneer: DEPOSITOR, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 1, commitDeadline: t2 + 10, revealDeadline: t2 + 20, settleDeadline: t2 + 3600,
      });
      await rejects(wrongChain.submit("ack-escrow", { auctionId: 1, refundNotBefore: t2 + 3601 }), 422, /serves chain 31337/);
    } finally {
      c.close();
      wrongChain.close();
    }
  });

  it("frees an account's credit when a receipt settles its lockup, and slashes the account on a blamed default", async () => {
    // SELL priced at 1 USD (6 decimals), LIBRA at 0.5 USD: 3,000 LIBRA base units = 0.0015 USD
    // back one lockup of 1,000 SELL units (0.001 USD, needing 0.0013 at 130%), not two.
    const risk = { assets: [{ awayChainId: 31337n, address: SELL, symbol: "SELL", decimals: 6, price: PRICE_SCALE }] };
    const c = chain({ riskConfig: risk, libraPriceSource: "0.5" });
    try {
      const accountId = (await c.submit("open-account", { owner: OWNER, deposit: 3000 })).result.accountId;
      const lock = (limit: number) => c.submit("lock", { owner: OWNER, borrower: DEPOSITOR, creditAsset: SELL, accountId, creditLimit: limit, expiry: sec(c) + 7200 });
      const mode2 = async (lockId: bigint, salt: string) => {
        const t = sec(c);
        const { result } = await c.submit("create-auction", {
          auctioneer: DEPOSITOR, sellAsset: SELL, sellAmount: "100", buyAsset: BUY, mode: 2, auctioneerLockId: lockId, auctioneerMaxRateBps: 50,
          lp: bidderAddr(7), commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600,
        });
        const id = result.auctionId as bigint;
        const b = { bidder: bidderAddr(9), amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex(salt)) };
        await c.submit("commit-bid", { auctionId: id, commitment: bidCommitment({ auctionId: id, ...b }) });
        c.advanceTime(10);
        await c.submit("reveal-bid", { auctionId: id, ...b });
        c.advanceTime(10);
        await c.submit("clear-auction", { auctionId: id });
        return id;
      };
      const first = (await lock(1000)).result.lockId;
      await rejects(lock(1000), 422, /can back at most 0\.000153 SELL more at 130%/);
      const a1 = await mode2(first, "settle");
      await setWord(SETTLEMENT, mappingSlot(a1), receiptWord(1, 1_800_000_700n, 1n));
      const settled = await c.submit("consume-receipt", { auctionId: a1 });
      expect(settled.result).toMatchObject({ outcome: 1, released: [first], slashed: [] });
      expect(settled.leaves).toContainEqual(expect.objectContaining({ kind: KIND_COLLATERAL_ACCOUNT, id: accountId }));
      expect(c.account(accountId)!.position).toMatchObject({ openLockups: 0, openNeedValue: 0n, withdrawable: 3000n });

      // The credit is free again: a second lockup of the same size opens, and backs a mode 2 loan that defaults by the auctioneer.
      const second = (await lock(1000)).result.lockId;
      const a2 = await mode2(second, "default");
      await setWord(SETTLEMENT, mappingSlot(a2), receiptWord(2, 1_800_000_800n, 0n, true));
      expect((await c.submit("consume-receipt", { auctionId: a2 })).result).toMatchObject({ outcome: 2, released: [], slashed: [second] });
      // Slashed: LIBRA worth the lockup's need (0.0013 USD) at 0.5 USD = 2,600 base units.
      expect(c.account(accountId)!.account).toMatchObject({ collateral: 400n, slashed: 2600n, openLockIds: [] });
      expect(c.account(accountId)!.lockups.map((l) => l.status)).toEqual(["released", "slashed"]);
      const b = c.produceBlock();
      const p = c.stateProof(KIND_COLLATERAL_ACCOUNT, accountId);
      expect(p.payload).toMatchObject({ collateral: 400n, slashed: 2600n, openLockups: 0, openCreditValue: 0n, openNeedValue: 0n });
      expect(verifyStateProof(b.header.stateRoot, p.proof)).toBe(true);
    } finally {
      c.close();
    }
  });
});
