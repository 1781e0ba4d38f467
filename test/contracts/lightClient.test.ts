// HomeLightClient with real header proofs: header submission, a two-epoch rotation caught up one
// transaction after another, and every rejection (past epoch, lower height, conflicting header,
// wrong chain, wrong validator set, tampered proof, public input at the modulus, paused client,
// non-guardian pause). Both kinds of proof are accepted for the same set (the caller says which):
// the aggregated attestation and the per-validator fallback, each only with its own verifier.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FIELD_MODULUS, packMeta } from "../../home/model/index.ts";
import { connectChain, deployStack, expectRevert, send, type Stack } from "./fixtures.ts";
import { epochKeys, header, HOME_CHAIN_ID, T0 } from "./home-scenario.ts";
import { HEADER_PROOF, proveHeader, type ProvedHeader } from "./prove.ts";

/** BN254 base field modulus (for negating a G1 point). */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const root = (h: bigint) => 1_000_000n + h;

let s: Stack;
let snap: string;
const p: Record<string, ProvedHeader> = {};

beforeAll(async () => {
  const chain = await connectChain();
  s = await deployStack(chain);
  const e1 = epochKeys(1n).root;
  const e2 = epochKeys(2n).root;
  const specs = {
    h1: header({ epoch: 0n, height: 1n, stateRoot: root(1n) }),
    h2end: header({ epoch: 0n, height: 2n, stateRoot: root(2n), next: e1 }),
    h3end: header({ epoch: 1n, height: 3n, stateRoot: root(3n), next: e2 }),
    h4: header({ epoch: 2n, height: 4n, stateRoot: root(4n) }),
    pastEpoch: header({ epoch: 0n, height: 5n, stateRoot: root(5n) }),
    conflict: header({ epoch: 0n, height: 1n, stateRoot: root(99n) }),
    otherChain: header({ epoch: 0n, height: 2n, stateRoot: root(2n), chainId: HOME_CHAIN_ID + 1 }),
    wrongSet: header({ epoch: 0n, height: 2n, stateRoot: root(2n), signedBy: epochKeys(1n) }),
  };
  for (const [k, sh] of Object.entries(specs)) p[k] = await proveHeader(sh);
  // The per-validator fallback of the same headers (same public inputs, another circuit).
  p.h1pv = await proveHeader(specs.h1, "perValidator");
  p.h2endpv = await proveHeader(specs.h2end, "perValidator");
  snap = await chain.snapshot();
}, 900_000);

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

const submit = (name: string, role: "deployer" | "w1" = "deployer") => send(s, role, s.lightClient, "submitHeader", [p[name]!.kind, p[name]!.proof, p[name]!.pub]);
const trySubmit = (proof: readonly bigint[], pub: readonly bigint[], kind: number = HEADER_PROOF.aggregated) => s.lightClient.write.submitHeader([kind, proof, pub]);

describe("HomeLightClient", () => {
  it("starts at the trusted genesis", async () => {
    expect(await s.lightClient.read.currentEpoch()).toBe(0n);
    expect(await s.lightClient.read.currentValidatorSetRoot()).toBe(epochKeys(0n).root);
    expect(await s.lightClient.read.hasHeaders()).toBe(false);
    expect(await s.lightClient.read.homeChainId()).toBe(HOME_CHAIN_ID);
  });

  it("stores a proven header's state root and timestamp (anyone may submit)", async () => {
    const rc = await submit("h1", "w1");
    expect(await s.lightClient.read.stateRootAt([1n])).toBe(root(1n));
    expect(await s.lightClient.read.timestampAt([1n])).toBe(T0 - 60n + 1n);
    expect(await s.lightClient.read.provenState([1n])).toEqual([root(1n), T0 - 59n]);
    expect(await s.lightClient.read.latestHeight()).toBe(1n);
    expect(await s.lightClient.read.currentEpoch()).toBe(0n);
    const events = await s.lightClient.getEvents.HeaderSubmitted({}, { blockHash: rc.blockHash });
    expect(events).toHaveLength(1);
    expect(events[0].args).toMatchObject({ height: 1n, epoch: 0n, stateRoot: root(1n) });
    await expectRevert(s.lightClient.read.provenState([2n]), "UnknownHeader(uint64)");
  });

  it("rotates through two epochs, one epoch-ending header after another", async () => {
    await submit("h1");
    await submit("h2end");
    expect(await s.lightClient.read.currentEpoch()).toBe(1n);
    expect(await s.lightClient.read.currentValidatorSetRoot()).toBe(epochKeys(1n).root);
    await submit("h3end");
    expect(await s.lightClient.read.currentEpoch()).toBe(2n);
    expect(await s.lightClient.read.currentValidatorSetRoot()).toBe(epochKeys(2n).root);
    await submit("h4");
    expect(await s.lightClient.read.latestHeight()).toBe(4n);
    for (const h of [1n, 2n, 3n, 4n]) expect(await s.lightClient.read.stateRootAt([h])).toBe(root(h));
    const rotations = await s.lightClient.getEvents.EpochRotated({}, { fromBlock: 0n });
    expect(rotations.map((e: any) => e.args.newEpoch)).toEqual([0n, 1n, 2n]);
  });

  it("accepts the per-validator proof of the same header and set, and rotates with it", async () => {
    expect(p.h1pv!.pub).toEqual(p.h1!.pub); // same public inputs, another circuit
    await submit("h1pv");
    expect(await s.lightClient.read.stateRootAt([1n])).toBe(root(1n));
    await submit("h2endpv");
    expect(await s.lightClient.read.currentEpoch()).toBe(1n);
    await submit("h3end"); // and back to an aggregated proof in the next epoch
    expect(await s.lightClient.read.currentEpoch()).toBe(2n);
  });

  it("checks each proof with the verifier of the kind the caller names", async () => {
    // A valid per-validator proof declared aggregated (and the reverse) does not verify.
    await expectRevert(trySubmit(p.h1pv!.proof, p.h1pv!.pub, HEADER_PROOF.aggregated), "InvalidProof()");
    await expectRevert(trySubmit(p.h1!.proof, p.h1!.pub, HEADER_PROOF.perValidator), "InvalidProof()");
    expect(await s.lightClient.read.verifierOf([HEADER_PROOF.aggregated])).toBe(s.addresses.aggregatedHeaderVerifier);
    expect(await s.lightClient.read.verifierOf([HEADER_PROOF.perValidator])).toBe(s.addresses.perValidatorHeaderVerifier);
    // A kind outside the enum is refused by the ABI decoder.
    await expect(trySubmit(p.h1!.proof, p.h1!.pub, 2)).rejects.toThrow();
    expect(await s.lightClient.read.hasHeaders()).toBe(false);
  });

  it("a client without a per-validator verifier (the prod profile) refuses per-validator proofs and accepts aggregated ones", async () => {
    const lc = (await s.chain.viem.deployContract("HomeLightClient" as never, [
      HOME_CHAIN_ID,
      0n,
      epochKeys(0n).root,
      s.addresses.aggregatedHeaderVerifier,
      "0x0000000000000000000000000000000000000000",
      "0x0000000000000000000000000000000000000000",
      0n,
      s.account.guardian,
      4n,
    ] as never)) as any;
    await expectRevert(lc.write.submitHeader([HEADER_PROOF.perValidator, p.h1pv!.proof, p.h1pv!.pub]), "VerifierUnavailable(uint8)");
    await lc.write.submitHeader([HEADER_PROOF.aggregated, p.h1!.proof, p.h1!.pub]);
    expect(await lc.read.stateRootAt([1n])).toBe(root(1n));
  });

  it("a relayer can skip heights inside an epoch and still rotate", async () => {
    await submit("h2end");
    expect(await s.lightClient.read.currentEpoch()).toBe(1n);
    expect(await s.lightClient.read.stateRootAt([1n])).toBe(0n);
  });

  it("rejects a header of a past epoch after the rotation", async () => {
    await submit("h1");
    await submit("h2end");
    await expectRevert(trySubmit(p.pastEpoch!.proof, p.pastEpoch!.pub), "WrongEpoch(uint64,uint64)");
  });

  it("rejects a header signed for the next epoch before the rotation", async () => {
    await submit("h1");
    await expectRevert(trySubmit(p.h3end!.proof, p.h3end!.pub), "WrongEpoch(uint64,uint64)");
  });

  it("rejects a replayed header and a lower height", async () => {
    await submit("h1");
    await submit("h2end");
    await expectRevert(trySubmit(p.h1!.proof, p.h1!.pub), "HeightNotIncreasing(uint64,uint64)");
    await expectRevert(trySubmit(p.h2end!.proof, p.h2end!.pub), "HeightNotIncreasing(uint64,uint64)");
  });

  it("rejects a conflicting header at a stored height", async () => {
    await submit("h1");
    await expectRevert(trySubmit(p.conflict!.proof, p.conflict!.pub), "ConflictingHeader(uint64)");
    expect(await s.lightClient.read.stateRootAt([1n])).toBe(root(1n));
  });

  it("rejects a header of another Home chain", async () => {
    await expectRevert(trySubmit(p.otherChain!.proof, p.otherChain!.pub), "WrongChainId(uint32,uint32)");
  });

  it("rejects a header signed by a set that is not the current epoch's", async () => {
    await expectRevert(trySubmit(p.wrongSet!.proof, p.wrongSet!.pub), "WrongValidatorSet()");
  });

  it("rejects a tampered proof and public inputs the proof was not made for", async () => {
    const { proof, pub } = p.h1!;
    const negC = [...proof.slice(0, 7), Q - proof[7]!];
    await expectRevert(trySubmit(negC, pub), "InvalidProof()");
    // The h2end proof with h1's public inputs.
    await expectRevert(trySubmit(p.h2end!.proof, pub), "InvalidProof()");
    // Same epoch/set, forged state root.
    await expectRevert(trySubmit(proof, [pub[0]!, pub[1]! + 1n, pub[2]!, pub[3]!]), "InvalidProof()");
    // Forged timestamp in meta.
    const meta = packMeta({ chainId: HOME_CHAIN_ID, epoch: 0n, height: 1n, timestampMs: 1n });
    await expectRevert(trySubmit(proof, [meta, pub[1]!, pub[2]!, pub[3]!]), "InvalidProof()");
    expect(await s.lightClient.read.hasHeaders()).toBe(false);
  });

  it("rejects public inputs at or above the field modulus (no aliasing of the proven values)", async () => {
    const { proof, pub } = p.h1!;
    for (let i = 0; i < 4; i++) {
      const aliased = pub.map((x, j) => (j === i ? x + FIELD_MODULUS : x));
      await expectRevert(trySubmit(proof, aliased), "PublicInputNotInField(uint256)");
    }
    await expectRevert(trySubmit(proof, [FIELD_MODULUS, pub[1]!, pub[2]!, pub[3]!]), "PublicInputNotInField(uint256)");
  });

  it("guardian pause blocks submissions and settlement reads; unpause resumes; nobody else can pause", async () => {
    await expectRevert(s.lightClient.write.pause({ account: s.wallet.w1.account }), "NotGuardian()");
    await submit("h1");
    await send(s, "guardian", s.lightClient, "pause", []);
    expect(await s.lightClient.read.paused()).toBe(true);
    await expectRevert(trySubmit(p.h2end!.proof, p.h2end!.pub), "ClientPaused()");
    await expectRevert(s.lightClient.read.provenState([1n]), "ClientPaused()");
    // Pausing does not change state.
    expect(await s.lightClient.read.stateRootAt([1n])).toBe(root(1n));
    await expectRevert(s.lightClient.write.unpause({ account: s.wallet.w1.account }), "NotGuardian()");
    await send(s, "guardian", s.lightClient, "unpause", []);
    await submit("h2end");
    expect(await s.lightClient.read.currentEpoch()).toBe(1n);
  });

  it("logs every pause interval: pausedDuring counts the paused seconds in a window (an ongoing pause up to its end)", async () => {
    const at = async () => (await s.chain.publicClient.getBlock()).timestamp;
    const t0 = await at();
    await s.chain.rpc("evm_setNextBlockTimestamp", [Number(t0 + 100n)]);
    await send(s, "guardian", s.lightClient, "pause", []);
    await send(s, "guardian", s.lightClient, "pause", []); // already paused: no second interval
    await s.chain.rpc("evm_setNextBlockTimestamp", [Number(t0 + 160n)]);
    await send(s, "guardian", s.lightClient, "unpause", []);
    await send(s, "guardian", s.lightClient, "unpause", []); // not paused: nothing
    await s.chain.rpc("evm_setNextBlockTimestamp", [Number(t0 + 300n)]);
    await send(s, "guardian", s.lightClient, "pause", []);
    expect(await s.lightClient.read.pauseCount()).toBe(2n);
    const during = (from: bigint, to: bigint) => s.lightClient.read.pausedDuring([from, to]);
    expect(await during(t0, t0 + 100n)).toBe(0n);
    expect(await during(t0, t0 + 130n)).toBe(30n);
    expect(await during(t0 + 120n, t0 + 200n)).toBe(40n);
    expect(await during(t0, t0 + 300n)).toBe(60n);
    expect(await during(t0, t0 + 400n)).toBe(160n); // the second pause is still on: counted up to 'to'
    expect(await during(t0 + 400n, t0 + 100n)).toBe(0n);
    const events = await s.lightClient.getEvents.PausedSet({}, { fromBlock: 0n });
    expect(events.map((e: any) => [e.args.paused, e.args.timestamp - t0])).toEqual([[true, 100n], [false, 160n], [true, 300n]]);
  });

  it("header update gas stays under 260k for either kind (epoch-ending headers also write the next set)", async () => {
    const rc = await submit("h1");
    expect(rc.gasUsed).toBeLessThan(260_000n);
    const rot = await submit("h2end");
    expect(rot.gasUsed).toBeLessThan(270_000n);
  });

  it("keeps the last historySize headers; older ones become unknown", async () => {
    const small = (await s.chain.viem.deployContract("HomeLightClient" as never, [
      HOME_CHAIN_ID,
      0n,
      epochKeys(0n).root,
      s.addresses.aggregatedHeaderVerifier,
      s.addresses.perValidatorHeaderVerifier,
      "0x0000000000000000000000000000000000000000",
      0n,
      s.account.guardian,
      1n,
    ] as never)) as any;
    await small.write.submitHeader([p.h1!.kind, p.h1!.proof, p.h1!.pub]);
    expect(await small.read.stateRootAt([1n])).toBe(root(1n));
    await small.write.submitHeader([p.h2end!.kind, p.h2end!.proof, p.h2end!.pub]);
    expect(await small.read.stateRootAt([2n])).toBe(root(2n));
    expect(await small.read.stateRootAt([1n])).toBe(0n);
    await expectRevert(small.read.provenState([1n]), "UnknownHeader(uint64)");
    // An evicted height is still below the cursor: it cannot be submitted again.
    await expectRevert(small.write.submitHeader([p.conflict!.kind, p.conflict!.proof, p.conflict!.pub]), "HeightNotIncreasing(uint64,uint64)");
  });
});
