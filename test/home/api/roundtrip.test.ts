// The typed client and the devnet server agree on every route of the Home API: a devnet (with a
// real EDR Away chain behind HTTP JSON-RPC, for the escrow and receipt checks) records every reply
// it sends while HomeClient calls every route, in JSON and SSZ, successes and refusals; each
// reply is then re-read with the schema it was encoded with and encodes back to the same JSON.
// The route table is the only definition both sides use, so this changes nothing: it proves it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, numberToHex, pad, toHex, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_TYPES, HomeApiError, HomeClient, ROUTE_IDS, type RouteId } from "../../../home/api/index.ts";
import { bidCommitment, startDevnet, type RecordedReply, type RunningDevnet } from "../../../home/devnet/index.ts";
import {
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_ACCOUNT_LOCKUP,
  KIND_COLLATERAL_ACCOUNT,
  KIND_LOCKUP,
  KIND_RISK_STATE,
  KIND_RECEIPT,
  PRICE_SCALE,
  encodeReceiptWord,
  escrowCommitment,
  escrowCommitmentSlot,
  headerHash,
  receiptSlot,
  verifyStateProof,
} from "../../../home/model/index.ts";
import { startEdrRpc, type EdrRpc } from "../../relayer/edr-rpc.ts";
import { checkRecordedReply } from "./recorded.ts";

const ESCROW: Hex = "0xE5c0000000000000000000000000000000000001";
const SETTLEMENT: Hex = "0x5e77000000000000000000000000000000000002";
const AUCTIONEER: Hex = "0x1111111111111111111111111111111111111111";
const SELL: Hex = "0x00000000000000000000000000000000000a11ce";
const BUY: Hex = "0x00000000000000000000000000000000000000b0";
const BIDDER: Hex = "0x0000000000000000000000000000000000002001";
const OWNER = keccak256(toHex("round-trip owner"));

let rpc: EdrRpc;
let dn: RunningDevnet;
let home: HomeClient;
const backupDir = mkdtempSync(join(tmpdir(), "olzk-roundtrip-backup-"));
const replies: RecordedReply[] = [];

async function setWord(contract: Hex, slot: Hex, word: bigint): Promise<void> {
  await rpc.request("hardhat_setStorageAt", [contract, slot, pad(numberToHex(word), { size: 32 })]);
  await rpc.request("hardhat_mine", ["0x1"]);
}

async function refusal(p: Promise<unknown>): Promise<HomeApiError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(HomeApiError);
  return e as HomeApiError;
}

beforeAll(async () => {
  rpc = await startEdrRpc();
  for (const a of [ESCROW, SETTLEMENT]) await rpc.request("hardhat_setCode", [a, "0x00"]);
  await rpc.request("hardhat_mine", ["0x1"]);
  dn = await startDevnet(
    { dataDir: null, backupDir, blockMs: 0, port: 0, epochBlocks: 3, awayRpc: rpc.url, awayChainId: 31337n, escrowAddress: ESCROW, settlementAddress: SETTLEMENT,
      riskConfig: { assets: [{ awayChainId: 31337n, address: BUY, symbol: "BUY", decimals: 18, price: PRICE_SCALE }] } },
    { onReply: (r) => replies.push(r) },
  );
  home = new HomeClient(dn.url);
});

afterAll(async () => {
  await dn?.close();
  await rpc?.close();
  rmSync(backupDir, { recursive: true, force: true });
});

describe("HomeClient against the devnet server", () => {
  it("calls every route and action, and every reply reads back with the schema it was encoded with", async () => {
    expect((await home.service()).status).toBe("/status");
    const t0 = Math.floor((await home.status()).nowMs / 1000);

    // the long-poll: answered at waitMs with the height unchanged, or held until the next block
    const h0 = (await home.status()).height;
    expect((await home.nextStatus(h0, 50)).height).toBe(h0);
    const next = home.nextStatus(h0, 10_000);
    await home.sealBlock();
    expect((await next).height).toBe(h0 + 1n);

    // mode 1, end to end: lock, auction, sealed bid, escrow ack, clearing, receipt, expiry and release
    const lock = await home.act("lock", { owner: OWNER, borrower: BIDDER, creditAsset: BUY, collateral: 1300n, expiry: t0 + 7200 }, { wait: true });
    expect(lock).toMatchObject({ type: "lock", sealed: true, result: { lockId: 1n, creditLimit: 1000n } });
    const created = await home.act("create-auction", {
      auctioneer: AUCTIONEER, sellAsset: SELL, sellAmount: 100n, buyAsset: BUY, mode: 1,
      commitDeadline: t0 + 10, revealDeadline: t0 + 20, settleDeadline: t0 + 3600,
    });
    const auctionId = created.result.auctionId;
    const bid = { auctionId, bidder: BIDDER, amount: 100n, limitPrice: PRICE_SCALE * 5n, lockId: 1n, maxRateBps: 50, salt: keccak256(toHex("salt")) };
    expect((await home.act("commit-bid", { auctionId, commitment: bidCommitment(bid) })).result.commitSeq).toBe(1);
    const refundNotBefore = BigInt(t0 + 3601);
    await setWord(ESCROW, escrowCommitmentSlot(auctionId, AUCTIONEER), escrowCommitment({ auctionId, depositor: AUCTIONEER, asset: SELL, amount: 100n, refundNotBefore }));
    const ack = await home.act("ack-escrow", { auctionId, refundNotBefore });
    expect(ack.leaves).toEqual([expect.objectContaining({ kind: KIND_ESCROW_ACK, id: auctionId })]);
    await home.advanceTime(10);
    await home.act("reveal-bid", bid);
    await home.advanceTime(10);
    const cleared = await home.act("clear-auction", { auctionId }, { wait: true });
    expect(cleared.result).toMatchObject({ fills: 1, sold: 100n, clearingPrice: PRICE_SCALE * 5n });

    // what a Settlement proof needs, at the block that sealed the result
    const sp = await home.settlementProof(auctionId);
    expect(sp.height).toBe(cleared.height);
    expect(sp.result.payload?.fills[0]?.winner).toBe(BIDDER);
    expect(sp.lockups.map((l) => [l.id, l.payload?.status])).toEqual([[1n, 1]]);
    expect(verifyStateProof(sp.stateRoot, sp.result.proof) && verifyStateProof(sp.stateRoot, sp.lockups[0]!.proof)).toBe(true);

    expect((await refusal(home.act("consume-receipt", { auctionId }))).code).toBe("away-state-mismatch"); // no receipt yet
    await setWord(SETTLEMENT, receiptSlot(auctionId), encodeReceiptWord({ outcome: 0, recordedAt: BigInt(t0 + 25), settledMask: 0n, auctioneerBlamed: false }));
    expect((await refusal(home.act("consume-receipt", { auctionId }))).code).toBe("receipt-open");
    await setWord(SETTLEMENT, receiptSlot(auctionId), encodeReceiptWord({ outcome: 1, recordedAt: BigInt(t0 + 30), settledMask: 1n, auctioneerBlamed: false }));
    const consumed = await home.act("consume-receipt", { auctionId }, { wait: true });
    expect(consumed.result).toMatchObject({ outcome: 1, released: [1n], slashed: [] });
    expect((await refusal(home.act("consume-receipt", { auctionId }))).code).toBe("receipt-consumed");
    const lock2 = await home.act("lock", { owner: OWNER, borrower: BIDDER, creditAsset: BUY, collateral: "1300", expiry: String(t0 + 100) });
    await home.advanceTime(200);
    expect((await home.act("release-lock", { lockId: lock2.result.lockId })).result.status).toBe(2);
    await home.sealBlock();

    // state proofs of every kind, and a non-inclusion proof
    for (const [kind, id] of [[KIND_LOCKUP, 1n], [KIND_AUCTION_RESULT, auctionId], [KIND_ESCROW_ACK, auctionId], [KIND_RECEIPT, auctionId]] as const) {
      const p = await home.stateProof(kind, id);
      expect([p.kind, p.proof.included, p.payload !== null]).toEqual([kind, true, true]);
      expect(verifyStateProof(p.stateRoot, p.proof)).toBe(true);
    }
    expect((await home.stateProof(KIND_LOCKUP, 99n, 1n)).proof.included).toBe(false);

    // the module state
    expect((await home.auction(auctionId)).status).toBe("settled");
    expect((await home.auctions()).length).toBe(1);
    expect((await home.lockup(1n)).heldBy).toBeNull();
    expect((await home.lockups()).map((l) => l.status)).toEqual([2, 2]);

    // collateral accounts and the risk engine
    const { accountId } = (await home.act("open-account", { owner: OWNER, deposit: 2000n })).result;
    expect((await home.act("deposit", { accountId, owner: OWNER, amount: 600n })).result.collateral).toBe(2600n);
    const accountLock = await home.act("lock", { owner: OWNER, borrower: BIDDER, creditAsset: BUY, accountId, creditLimit: 1000n, expiry: t0 + 7200 });
    expect(accountLock.result).toMatchObject({ accountId, creditLimit: 1000n });
    expect((await home.act("withdraw", { accountId, owner: OWNER, amount: 100n })).result.collateral).toBe(2500n);
    expect((await refusal(home.act("lock", { owner: OWNER, borrower: BIDDER, creditAsset: BUY, accountId, creditLimit: 10n ** 30n, expiry: t0 + 7200 }))).code).toBe("insufficient-collateral");
    expect((await refusal(home.act("withdraw", { accountId, owner: OWNER, amount: 10_000n }))).code).toBe("withdrawal-too-large");
    expect((await refusal(home.account(77n))).code).toBe("account-not-found");
    const account = await home.account(accountId);
    expect([account.collateral, account.openLockups, account.lockups.map((l) => l.lockId)]).toEqual([2500n, 1, [accountLock.result.lockId]]);
    const risk = await home.risk();
    expect([risk.breaker, risk.acceptsNew, risk.libraPrice]).toEqual(["NORMAL", true, "1"]);
    await home.sealBlock();
    for (const [kind, id] of [[KIND_RISK_STATE, 0n], [KIND_COLLATERAL_ACCOUNT, accountId], [KIND_ACCOUNT_LOCKUP, accountLock.result.lockId]] as const) {
      const p = await home.stateProof(kind, id);
      expect([p.kind, p.proof.included, p.payload !== null]).toEqual([kind, true, true]);
      expect(verifyStateProof(p.stateRoot, p.proof)).toBe(true);
    }

    // headers and validator sets, JSON and SSZ
    const latest = await home.block("latest");
    expect(headerHash((await home.signedHeader("latest")).header)).toBe(latest.headerHash);
    const b2 = await home.block(2n);
    expect((await home.signedHeader(2n)).header).toEqual(b2.signedHeader.header);
    expect((await home.headerOnly(2n)).headerHash).toBe(b2.headerHash);
    expect(await home.header(2n)).toEqual(b2.signedHeader.header);
    const range = await home.headers(0n, 3n);
    expect(range.headers.map((h) => h.height)).toEqual([0n, 1n, 2n, 3n]);
    expect((await home.signedHeaders(0n, 3n)).map((sh) => sh.header.height)).toEqual([0n, 1n, 2n, 3n]);
    expect((await home.validatorSet(0n)).epoch).toBe(0n);
    expect((await home.validatorSetSsz("latest")).epoch).toBe(latest.epoch);

    // devnet controls
    expect(await home.setOffline([0])).toEqual([0]);
    expect((await home.sealBlock()).signedHeader.signed[0]).toBe(false);
    expect(await home.setOffline(null)).toBeNull();
    expect((await home.block("latest")).aggregated).toBe(true);
    expect(await home.setAttestation({ aggregate: false })).toEqual({ aggregate: false, dropouts: [] });
    const perValidatorOnly = await home.sealBlock();
    expect([perValidatorOnly.aggregated, perValidatorOnly.signedHeader.aggregate]).toEqual([false, null]);
    expect(await home.setAttestation({ aggregate: true, dropouts: [1] })).toEqual({ aggregate: true, dropouts: [1] });
    expect((await home.sealBlock()).signedHeader.aggregate?.signers).toEqual([true, false, true, true]);
    expect(await home.setAttestation({ dropouts: [] })).toEqual({ aggregate: true, dropouts: [] });
    expect((await refusal(home.setAttestation({ dropouts: [7] }))).code).toBe("invalid-request");

    // Open Libra formats: epoch-ending LedgerInfos (BCS and JSON), the genesis waypoint, vouchers, a backup
    const ended = await home.openLibraEpochEnding(0n);
    expect(ended.ledgerInfos.length).toBeGreaterThan(1);
    expect(ended.ledgerInfos[0]!.waypoint).toBe((await home.openLibraWaypoint()).waypoint);
    expect((await home.openLibraEpochState(1n)).epochState).toEqual(ended.ledgerInfos[0]!.ledgerInfoWithSignatures.ledgerInfo.commitInfo.nextEpochState);
    expect((await refusal(home.openLibraEpochState(10_000n))).code).toBe("validator-set-not-announced");
    expect((await home.openLibraVoucher(1n)).attestationSetRoot).toBe((await home.validatorSet(1n)).root);
    expect((await home.openLibraBackup({ toEpoch: 0n })).waypoints).toEqual([ended.ledgerInfos[0]!.waypoint]);
    expect((await refusal(home.openLibraEpochEnding(10_000n))).code).toBe("ledger-info-not-found");
    expect((await refusal(home.openLibraVoucher(10_000n))).code).toBe("voucher-not-found");

    // refusals: codes on the wire, through the client
    expect((await refusal(home.block(10_000n))).code).toBe("block-not-found");
    expect((await refusal(home.auction(77n))).code).toBe("auction-not-found");
    expect((await refusal(home.settlementProof(77n))).code).toBe("result-not-found");
    expect((await refusal(home.act("commit-bid", { auctionId, commitment: OWNER }))).code).toBe("wrong-phase");
    expect((await refusal(home.validatorSet(99n))).code).toBe("validator-set-not-announced");
    const local = await refusal(home.act("lock", { owner: "0x12", borrower: BIDDER, creditAsset: BUY, collateral: 1n, expiry: 1n }));
    expect([local.code, local.status, local.message]).toEqual(["invalid-request", 0, expect.stringMatching(/field 'owner'/)]);

    // every route and every action was answered, and every reply reads back with its schema
    const served = new Set(replies.filter((r) => r.status === 200).map((r) => r.route));
    expect(ROUTE_IDS.filter((id: RouteId) => !served.has(id))).toEqual([]);
    const actions = new Set(replies.filter((r) => r.route === "action" && r.status === 200).map((r) => r.action));
    expect(ACTION_TYPES.filter((t) => !actions.has(t))).toEqual([]);
    expect(replies.filter((r) => r.ssz).map((r) => r.ssz).sort()).toEqual(["header", "signedHeader", "signedHeader", "signedHeaderList", "validatorSet"]);
    expect(replies.some((r) => r.status >= 400)).toBe(true);
    for (const r of replies) checkRecordedReply(r);
  });
});
