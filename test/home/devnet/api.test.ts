// The devnet HTTP API over real HTTP: JSON and SSZ answers decoded with the Home model,
// state proofs verified against header stateRoots, and bad requests (400/404/405/406)
// answered with a JSON error while nothing is applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, toHex } from "viem";
import {
  SignedHeaderSSZ,
  checkSignedHeader,
  decodeHeader,
  decodeSignedHeader,
  decodeValidatorSet,
  headerFromJSON,
  headerHash,
  signedHeaderFromJSON,
  validatorSetRoot,
  verifyStateProof,
  type StateProof,
} from "../../../home/model/index.ts";
import { bidCommitment, startDevnet, SignedHeaderListSSZ, type RunningDevnet } from "../../../home/devnet/index.ts";

let dn: RunningDevnet;
const OWNER = keccak256(toHex("owner"));
const BORROWER = "0x3333333333333333333333333333333333333333";
const ASSET = "0x4444444444444444444444444444444444444444";

async function get(path: string, accept = "application/json") {
  const res = await fetch(dn.url + path, { headers: { accept } });
  const ct = res.headers.get("content-type") ?? "";
  const body = ct.startsWith("application/json") ? await res.json() : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, body: body as any, headers: res.headers };
}
async function post(path: string, body: unknown, raw?: string) {
  const res = await fetch(dn.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}
function proofFromJSON(j: any): StateProof {
  return {
    leafKey: BigInt(j.leafKey),
    siblings: j.siblings.map(BigInt),
    included: j.included,
    leaf: j.leaf && { leafKey: BigInt(j.leaf.leafKey), awayBinding: BigInt(j.leaf.awayBinding), payloadDigest: BigInt(j.leaf.payloadDigest) },
  };
}

beforeAll(async () => {
  dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0, epochBlocks: 3, settlementAddress: "0x5e77000000000000000000000000000000000001" });
  for (let i = 0; i < 4; i++) dn.chain.produceBlock();
});
afterAll(async () => {
  await dn?.close();
});

describe("devnet HTTP API", () => {
  it("serves the loopback URL and status", async () => {
    expect(dn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const s = await get("/status");
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ homeChainId: 1, height: "4", epoch: "1", epochBlocks: 3, capacity: 4 });
  });

  it("serves signed headers as JSON and SSZ that decode and verify with the model", async () => {
    const j = await get("/headers/2");
    expect(j.status).toBe(200);
    expect(j.body).toMatchObject({ height: "2", epoch: "0", epochEnd: true, quorum: true });
    const sh = signedHeaderFromJSON(j.body.signedHeader);
    expect(checkSignedHeader(sh)).toEqual({ ok: true });
    expect(headerHash(sh.header).toString()).toBe(j.body.headerHash);

    const s = await get("/headers/2", "application/octet-stream");
    expect(s.headers.get("content-type")).toBe("application/octet-stream");
    const decoded = decodeSignedHeader(s.body);
    expect(decoded.header).toEqual(sh.header);
    expect(decoded.signatures).toEqual(sh.signatures);
    expect(checkSignedHeader(decoded)).toEqual({ ok: true });

    const h = await get("/headers/3/header", "application/octet-stream");
    expect(headerHash(decodeHeader(h.body))).toBe(BigInt((await get("/headers/3")).body.headerHash));
    const latest = await get("/headers/latest");
    expect(latest.body.height).toBe("4");

    const set = await get("/validator-sets/1", "application/octet-stream");
    const vs = decodeValidatorSet(set.body);
    expect(validatorSetRoot(vs)).toBe(sh.header.nextValidatorSetRoot); // announced by the end of epoch 0
    expect((await get("/validator-sets/1")).body.root).toBe(sh.header.nextValidatorSetRoot.toString());
    // Epoch 2's set is announced only by block 5, the end of epoch 1 (latest is 4).
    expect((await get("/validator-sets/2")).status).toBe(404);
  });

  it("serves bounded header ranges in JSON and as an SSZ list", async () => {
    const r = await get("/headers?from=1&to=3");
    expect(r.body.headers.map((h: any) => h.height)).toEqual(["1", "2", "3"]);
    for (let i = 1; i < 3; i++) {
      expect(headerFromJSON(r.body.headers[i].signedHeader.header).parentHash.toString()).toBe(r.body.headers[i - 1].headerHash);
    }
    const s = await get("/headers?from=1&to=3", "application/octet-stream");
    const list = SignedHeaderListSSZ.deserialize(s.body).map((v) => decodeSignedHeader(SignedHeaderSSZ.serialize(v)));
    expect(list.map((x) => x.header.height)).toEqual([1n, 2n, 3n]);
    expect((await get("/headers?from=3&to=1")).status).toBe(400);
    const big = await get("/headers?from=0&to=1000");
    expect(big.status).toBe(400);
    expect(big.body.error).toMatch(/at most 256/);
    expect((await get("/headers?from=50")).status).toBe(404);
  });

  it("applies an action, seals it with ?wait=1, and proves the leaf (and its absence before)", async () => {
    const before = dn.chain.latest.header.height;
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    const r = await post("/actions/lock?wait=1", { owner: OWNER, borrower: BORROWER, creditAsset: ASSET, collateral: "1300", expiry });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ type: "lock", sealed: true, result: { lockId: "1", creditLimit: "1000" }, height: String(before + 1n) });
    const p = await get("/state/proof?kind=1&id=1");
    expect(p.body.included).toBe(true);
    expect(p.body.payload).toMatchObject({ lockId: "1", borrower: BORROWER, creditLimit: "1000", status: 1 });
    expect(p.body.awayContract.toLowerCase()).toBe("0x5e77000000000000000000000000000000000001");
    expect(verifyStateProof(BigInt(r.body.stateRoot), proofFromJSON(p.body))).toBe(true);
    // At the block before, the same key is provably absent.
    const old = await get(`/state/proof?kind=1&id=1&height=${before}`);
    expect(old.body.included).toBe(false);
    const oldRoot = BigInt((await get(`/headers/${before}`)).body.signedHeader.header.stateRoot);
    expect(verifyStateProof(oldRoot, proofFromJSON(old.body))).toBe(true);
    expect(verifyStateProof(oldRoot, proofFromJSON(p.body))).toBe(false);
    const lk = await get("/lockups/1");
    expect(lk.body).toMatchObject({ lockId: "1", collateral: "1300", heldBy: null });
  });

  it("runs a mode 2 auction over HTTP with Home time warped, and serves its settlement proof", async () => {
    const t = Math.floor(Date.now() / 1000);
    const seller = "0x5555555555555555555555555555555555555555";
    const lk = await post("/actions/lock", { owner: OWNER, borrower: seller, creditAsset: ASSET, collateral: "1300", expiry: t + 7200 });
    const lockId = lk.body.result.lockId;
    const created = await post("/actions/create-auction", {
      auctioneer: seller, sellAsset: ASSET, sellAmount: "500", buyAsset: BORROWER, mode: 2, auctioneerLockId: lockId, auctioneerMaxRateBps: 40,
      lp: "0x7777777777777777777777777777777777777777", commitDeadline: t + 30, revealDeadline: t + 60, settleDeadline: t + 3600,
    });
    expect(created.status).toBe(200);
    const auctionId = BigInt(created.body.result.auctionId);
    const bid = { bidder: "0x6666666666666666666666666666666666666666", amount: 600n, limitPrice: 2n * 10n ** 18n, lockId: 0n, maxRateBps: 0, salt: OWNER };
    const commitment = bidCommitment({ auctionId, ...bid } as any);
    expect((await post("/actions/commit-bid", { auctionId: String(auctionId), commitment })).status).toBe(200);
    const reveal = { auctionId: String(auctionId), ...bid, amount: "600", limitPrice: bid.limitPrice.toString(), lockId: "0" };
    expect((await post("/actions/reveal-bid", reveal)).body.error).toMatch(/reveal phase/);
    await post("/admin/advance-time", { seconds: 30 });
    expect((await post("/actions/reveal-bid", reveal)).status).toBe(200);
    await post("/admin/advance-time", { seconds: 30 });
    const cl = await post("/actions/clear-auction?wait=1", { auctionId: String(auctionId) });
    expect(cl.body.result).toMatchObject({ clearingPrice: "2000000000000000000", sold: "500", unsold: "0", fills: 1 });
    const sp = await get(`/auctions/${auctionId}/settlement-proof`);
    expect(sp.status).toBe(200);
    expect(sp.body.result.payload.fills).toEqual([{ winner: bid.bidder, sellAmount: "500", payAmount: "1000", lockId: "0", maxRateBps: 0 }]);
    expect(sp.body.lockups.map((l: any) => l.id)).toEqual([lockId]);
    const root = BigInt(cl.body.stateRoot);
    expect(verifyStateProof(root, proofFromJSON(sp.body.result))).toBe(true);
    expect(verifyStateProof(root, proofFromJSON(sp.body.lockups[0]))).toBe(true);
    expect((await get(`/auctions/${auctionId}`)).body.status).toBe("cleared");
    expect((await get(`/auctions/${auctionId}/settlement-proof?height=1`)).status).toBe(404);
  });

  it("answers bad requests with 4xx JSON errors and applies nothing", async () => {
    const lockups = (await get("/lockups")).body.lockups.length;
    const pending = (await get("/status")).body.pendingLeaves;
    const cases: [Promise<{ status: number; body: any }>, number, RegExp][] = [
      [post("/actions/lock", null, "{not json"), 400, /not valid JSON/],
      [post("/actions/lock", [1, 2]), 400, /JSON object/],
      [post("/actions/lock", { owner: OWNER, borrower: BORROWER, creditAsset: ASSET, expiry: 9999999999 }), 400, /missing field 'collateral'/],
      [post("/actions/lock", { owner: "0x12", borrower: BORROWER, creditAsset: ASSET, collateral: "5", expiry: 9999999999 }), 400, /'owner'/],
      [post("/actions/lock", { owner: OWNER, borrower: BORROWER, creditAsset: ASSET, collateral: "-5", expiry: 9999999999 }), 400, /'collateral'/],
      [post("/actions/frobnicate", {}), 404, /unknown action 'frobnicate'/],
      [post("/actions/commit-bid", { auctionId: 42, commitment: OWNER }), 404, /auction 42 not found/],
      [post("/actions/ack-escrow", { auctionId: 77 }), 404, /auction 77 not found/],
      [post("/actions/ack-escrow", { auctionId: 1 }), 409, /only mode 1 auctions escrow/],
      [get("/state/proof?kind=9&id=1"), 400, /'kind'/],
      [get("/state/proof?kind=1"), 400, /missing query parameter 'id'/],
      [get("/state/proof?kind=1&id=1&height=999"), 404, /no block at height 999/],
      [get("/headers/abc"), 400, /'height'/],
      [get("/headers/999"), 404, /no block at height 999/],
      [get("/validator-sets/99"), 404, /not announced/],
      [get("/auctions/5"), 404, /auction 5 not found/],
      [get("/nothing/here"), 404, /no route/],
      [get("/state/proof?kind=1&id=1", "application/octet-stream"), 406, /JSON only/],
      [post("/admin/offline", { slots: [9] }), 400, /not a slot/],
      [post("/admin/advance-time", { seconds: -1 }), 400, /seconds/],
    ];
    for (const [p, status, msg] of cases) {
      const r = await p;
      expect([r.status, r.body.error]).toEqual([status, expect.stringMatching(msg)]);
    }
    const m1 = await fetch(dn.url + "/actions/lock");
    expect(m1.status).toBe(405);
    expect(m1.headers.get("allow")).toBe("POST");
    expect(((await m1.json()) as any).error).toMatch(/method GET not allowed/);
    const m2 = await fetch(dn.url + "/status", { method: "DELETE" });
    expect(m2.status).toBe(405);
    expect((await get("/lockups")).body.lockups.length).toBe(lockups);
    expect((await get("/status")).body.pendingLeaves).toBe(pending);
  });

  it("serves headers without quorum, marked, when validators go offline", async () => {
    expect((await post("/admin/offline", { slots: [0, 1] })).status).toBe(200);
    const b = await post("/admin/blocks", {});
    expect(b.body).toMatchObject({ quorum: false, signedPower: "2000000", totalPower: "4000000" });
    const sh = signedHeaderFromJSON(b.body.signedHeader);
    expect(sh.signed).toEqual([false, false, true, true]);
    expect(checkSignedHeader(sh).ok).toBe(false);
    await post("/admin/offline", { slots: null });
    expect((await post("/admin/blocks", {})).body.quorum).toBe(true);
  });
});
