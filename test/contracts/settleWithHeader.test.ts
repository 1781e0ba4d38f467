// One transaction per settlement whose header is not yet on the Away chain, with real proofs on EDR:
// AtomicSettlement.settleWithHeader with one HeaderSettlement proof (quorum and inclusion), and
// settleWithHeaderTwoProofs with a header proof and a Settlement proof. Both store the header
// under the light client's own rules (so later settlements use the normal path) and refuse what
// submitHeader refuses: a tampered proof or payload, a header signed by another epoch's set, a
// header of a later epoch, a height at or below the latest stored one, a paused client.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildScenario, connectChain, deployStack, expectRevert, fundScenario, send, settleArgs, type Scenario, type Stack } from "./fixtures.ts";
import { epochKeys, header } from "./home-scenario.ts";
import { proveHeader, proveHeaderSettlement, type Proved, type ProvedHeader } from "./prove.ts";

let s: Stack;
let sc: Scenario;
let snap: string;
type Combined = Proved & { headerPub: bigint[] };
const p: Record<string, Combined> = {};
let h2: ProvedHeader;
let h3: ProvedHeader;

beforeAll(async () => {
  const chain = await connectChain();
  s = await deployStack(chain);
  sc = await buildScenario(s); // the scenario header (height 1) is stored by fundScenario
  await fundScenario(s, sc);
  const one = sc.cases.mode1One!;
  const at = (spec: Parameters<typeof header>[0]) => proveHeaderSettlement(header(spec), sc.tree, one);
  const root = sc.tree.root;
  p.h2 = await at({ epoch: 0n, height: 2n, stateRoot: root });
  p.h1 = await at({ epoch: 0n, height: 1n, stateRoot: root }); // the stored header, again
  p.otherSet = await at({ epoch: 0n, height: 2n, stateRoot: root, signedBy: epochKeys(1n) });
  p.laterEpoch = await at({ epoch: 1n, height: 2n, stateRoot: root });
  p.mode2One = await proveHeaderSettlement(header({ epoch: 0n, height: 2n, stateRoot: root }), sc.tree, sc.cases.mode2One!);
  h2 = await proveHeader(header({ epoch: 0n, height: 2n, stateRoot: root }));
  h3 = await proveHeader(header({ epoch: 0n, height: 3n, stateRoot: root }));
  snap = await chain.snapshot();
}, 900_000);

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

const one = () => sc.cases.mode1One!;
const withHeader = (c: Combined, result = one().result, lockups = one().lockups) =>
  s.settlement.write.settleWithHeader([c.proof, c.headerPub, result, lockups], { account: s.wallet.w2.account });
const receipt = (id: bigint) => s.settlement.read.receipts([id]) as Promise<bigint>;

describe("settleWithHeader (one HeaderSettlement proof)", () => {
  it("public inputs are the header's four, then the settlement's after its stateRoot", () => {
    const settlementPub = sc.proofs.mode1One!.pub;
    expect(p.h2!.pub).toEqual([...p.h2!.headerPub, ...settlementPub.slice(1)]);
    expect(p.h2!.headerPub).toEqual(h2.pub);
    expect(p.h2!.headerPub[1]).toBe(settlementPub[0]);
  });

  it("stores the header and settles in one transaction; a later settlement uses the header by the normal path", async () => {
    expect(await s.lightClient.read.stateRootAt([2n])).toBe(0n);
    const hash = await withHeader(p.h2!);
    const rc = await s.chain.publicClient.waitForTransactionReceipt({ hash });
    expect(rc.status).toBe("success");
    expect(await s.lightClient.read.stateRootAt([2n])).toBe(sc.tree.root);
    expect(await s.lightClient.read.latestHeight()).toBe(2n);
    const stored = await s.lightClient.getEvents.HeaderSubmitted({}, { blockHash: rc.blockHash });
    expect(stored.map((e: any) => e.args.height)).toEqual([2n]);
    const settled = await s.settlement.getEvents.Settled({}, { blockHash: rc.blockHash });
    expect(settled).toHaveLength(1);
    expect(settled[0].args).toMatchObject({ auctionId: one().result.auctionId, height: 2n });
    expect((await receipt(one().result.auctionId)) & 0xffn).toBe(1n); // closed, every fill settled
    await send(s, "w2", s.settlement, "settle", [...settleArgs(sc, "mode2One", 2n)]);
    expect((await receipt(sc.cases.mode2One!.result.auctionId)) & 0xffn).toBe(1n);
  });

  it("a second settlement of the same block may bring the header again: the proof is checked, nothing is rewritten", async () => {
    await withHeader(p.h2!);
    const hash = await withHeader(p.mode2One!, sc.cases.mode2One!.result, sc.cases.mode2One!.lockups);
    const rc = await s.chain.publicClient.waitForTransactionReceipt({ hash });
    expect(rc.status).toBe("success");
    expect(await s.lightClient.getEvents.HeaderSubmitted({}, { blockHash: rc.blockHash })).toHaveLength(0);
    expect((await receipt(sc.cases.mode2One!.result.auctionId)) & 0xffn).toBe(1n);
  });

  it("settles against an already stored header that is no longer the latest (height 1, after 3)", async () => {
    await send(s, "deployer", s.lightClient, "submitHeader", [h3.kind, h3.proof, h3.pub]);
    await withHeader(p.h1!);
    expect((await receipt(one().result.auctionId)) & 0xffn).toBe(1n);
    expect(await s.lightClient.read.latestHeight()).toBe(3n);
  });

  it("refuses a tampered proof, a tampered payload and a tampered header field", async () => {
    const c = p.h2!;
    const badProof = { ...c, proof: c.proof.map((w, i) => (i === 6 ? w ^ 1n : w)) as unknown as Combined["proof"] };
    await expectRevert(withHeader(badProof), "InvalidProof()");
    const r = one().result;
    await expectRevert(withHeader(c, { ...r, settleDeadline: r.settleDeadline + 1n }), "InvalidProof()");
    const l = one().lockups;
    await expectRevert(withHeader(c, r, [{ ...l[0]!, creditLimit: l[0]!.creditLimit + 1n }, ...l.slice(1)]), "InvalidProof()");
    // Another timestamp in meta (same height, epoch, chain): the header rules pass, the proof does not.
    await expectRevert(withHeader({ ...c, headerPub: [c.headerPub[0]! + (1n << 160n), ...c.headerPub.slice(1)] }), "InvalidProof()");
    // Another stateRoot: the settlement would be in a root nobody attested.
    await expectRevert(withHeader({ ...c, headerPub: [c.headerPub[0]!, c.headerPub[1]! + 1n, ...c.headerPub.slice(2)] }), "InvalidProof()");
    expect(await s.lightClient.read.stateRootAt([2n])).toBe(0n);
    expect(await receipt(r.auctionId)).toBe(0n);
  });

  it("refuses headers the light client refuses: another epoch's set, a later epoch, an older height, a paused client", async () => {
    await expectRevert(withHeader(p.otherSet!), "WrongValidatorSet()");
    await expectRevert(withHeader(p.laterEpoch!), "WrongEpoch(uint64,uint64)");
    await send(s, "deployer", s.lightClient, "submitHeader", [h3.kind, h3.proof, h3.pub]);
    await expectRevert(withHeader(p.h2!), "HeightNotIncreasing(uint64,uint64)");
    await s.chain.revert(snap);
    snap = await s.chain.snapshot();
    await send(s, "guardian", s.lightClient, "pause", []);
    await expectRevert(withHeader(p.h2!), "ClientPaused()");
    await expectRevert(withHeader(p.h1!), "ClientPaused()"); // the stored-header path too
    expect(await receipt(one().result.auctionId)).toBe(0n);
  });

  it("a combined proof submitted to the light client alone stores the header (anyone may)", async () => {
    const settlementPub = p.h2!.pub.slice(4);
    await send(s, "carol", s.lightClient, "submitHeaderWithSettlement", [p.h2!.proof, p.h2!.headerPub, settlementPub]);
    expect(await s.lightClient.read.stateRootAt([2n])).toBe(sc.tree.root);
    await expectRevert(
      s.lightClient.write.submitHeaderWithSettlement([p.h2!.proof, p.h2!.headerPub, settlementPub.slice(1)]),
      "InvalidProof()",
    );
  });
});

describe("settleWithHeaderTwoProofs (header proof and Settlement proof)", () => {
  const twoProofs = (h: ProvedHeader) => {
    const c = one();
    return s.settlement.write.settleWithHeaderTwoProofs([h.kind, h.proof, h.pub, sc.proofs.mode1One!.proof, c.result, c.lockups], { account: s.wallet.w2.account });
  };

  it("stores the header and settles in one transaction", async () => {
    await twoProofs(h2);
    expect(await s.lightClient.read.stateRootAt([2n])).toBe(sc.tree.root);
    expect((await receipt(one().result.auctionId)) & 0xffn).toBe(1n);
  });

  it("refuses what submitHeader refuses (older height, paused) and a tampered header proof", async () => {
    await expectRevert(twoProofs({ ...h2, proof: h2.proof.map((w, i) => (i === 0 ? w ^ 1n : w)) as unknown as ProvedHeader["proof"] }), "InvalidProof()");
    await send(s, "deployer", s.lightClient, "submitHeader", [h3.kind, h3.proof, h3.pub]);
    await expectRevert(twoProofs(h2), "HeightNotIncreasing(uint64,uint64)");
    await send(s, "guardian", s.lightClient, "pause", []);
    await expectRevert(twoProofs(h3), "ClientPaused()"); // h3 is stored: settle's own read refuses
    expect(await receipt(one().result.auctionId)).toBe(0n);
  });
});
