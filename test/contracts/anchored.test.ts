// HomeLightClient in anchored mode, on EDR with real Groth16 header proofs and real BLS quorums:
// deployed by deployAll next to an OpenLibraLightClient, it takes the genesis set and each set an
// epoch-ending header names only when a quorum of that epoch's real Open Libra validators vouched for
// it. The attack: the epoch-0 attestation committee signs an epoch-ending header naming a set of its
// choosing. The unanchored client (as deployed before) rotates to it; the anchored one refuses it,
// and refuses a set vouched for another epoch, a rotation before the voucher, and (at submitVoucher,
// in OpenLibraLightClient) a voucher signed by less than 2/3 of the power; the HeaderSettlement path
// (submitHeaderWithSettlement) applies the same rule. Liveness: when the anchor ratchets past an
// epoch before that epoch's voucher is recorded (0 -> 1 -> 2, then the voucher of 1), the late voucher
// is still taken (checked against epoch 1's set) and the light client rotates to epoch 1; a voucher
// for an epoch the anchor never held, or signed by another epoch's set, is refused. deployAll with
// `anchor: { address }` puts a second light client on the same anchor.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, toHex, type Address } from "viem";
import { UserError } from "../../cli/args.ts";
import { deployAll, type DeployedAddresses } from "../../contracts/deploy/deploy.ts";
import { allSigners, setCommitment, signVoucher } from "../../verifier-ts/openlibra/index.ts";
import { openLibraEpochs, ratchetOpenLibra, revertOf, submitVoucher, vouch, voucherArgs, type OpenLibraEpochs } from "./anchor.ts";
import { connectChain, deployStack, expectRevert, send, type Instance, type Stack } from "./fixtures.ts";
import { buildState, epochKeys, header, HOME_CHAIN_ID, settlementCases } from "./home-scenario.ts";
import { proveHeader, proveHeaderSettlement, type Proved, type ProvedHeader } from "./prove.ts";

const ZERO = "0x0000000000000000000000000000000000000000";
const e0 = epochKeys(0n).root;
const e1 = epochKeys(1n).root;
/** A set the epoch-0 committee picks for itself (keys it holds), vouched for by no one. */
const evil = epochKeys(9n).root;

let s: Stack;
let ol: OpenLibraEpochs;
let anchored: DeployedAddresses;
let lc: Instance;
let olc: Instance;
let snap: string;
const p: Record<string, ProvedHeader> = {};
/** HeaderSettlement proofs of epoch-ending headers (submitHeaderWithSettlement applies the same rule). */
const hs: Record<string, Proved & { headerPub: bigint[] }> = {};

beforeAll(async () => {
  s = await deployStack(await connectChain());
  ol = openLibraEpochs();
  anchored = await deployAll(
    { publicClient: s.chain.publicClient, walletClient: s.wallet.deployer },
    {
      homeChainId: HOME_CHAIN_ID,
      genesisEpoch: 0n,
      genesisValidatorSetRoot: e0,
      guardian: s.account.guardian,
      anchor: { epochState: ol.states[0]!, genesisVoucher: vouch(ol, 0n, e0) },
    },
  );
  lc = await s.chain.viem.getContractAt("HomeLightClient" as never, anchored.lightClient);
  olc = await s.chain.viem.getContractAt("OpenLibraLightClient" as never, anchored.openLibraLightClient!);
  p.h1 = await proveHeader(header({ epoch: 0n, height: 1n, stateRoot: 11n }));
  p.h2end = await proveHeader(header({ epoch: 0n, height: 2n, stateRoot: 12n, next: e1 }));
  p.evilEnd = await proveHeader(header({ epoch: 0n, height: 2n, stateRoot: 12n, next: evil }));
  p.staleEnd = await proveHeader(header({ epoch: 0n, height: 2n, stateRoot: 12n, next: e0 }));
  const cases = settlementCases(s.parties);
  const tree = buildState(Object.values(cases));
  for (const [name, next] of [["toE1", e1], ["toEvil", evil]] as const) {
    hs[name] = await proveHeaderSettlement(header({ epoch: 0n, height: 2n, stateRoot: tree.root, next }), tree, cases.mode1One!);
  }
  snap = await s.chain.snapshot();
}, 900_000);

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

const submitTo = (client: Instance, name: string) => client.write.submitHeader([p[name]!.kind, p[name]!.proof, p[name]!.pub]);
const submit = (name: string) => send(s, "w1", lc, "submitHeader", [p[name]!.kind, p[name]!.proof, p[name]!.pub]);
const root32 = (r: bigint) => toHex(r, { size: 32 });

/** The Open Libra side of the epoch-0 -> 1 boundary: the epoch change, then (optionally) the voucher of epoch 1. */
async function openLibraEpoch1(voucherRoot: bigint | null = e1): Promise<void> {
  await ratchetOpenLibra(s.chain, olc, ol, 0n);
  if (voucherRoot !== null) await submitVoucher(s.chain, olc, ol, vouch(ol, 1n, voucherRoot));
}

async function expectUnvouched(name: string, epoch: bigint, root: bigint, vouched: bigint): Promise<void> {
  expect(await revertOf(submitTo(lc, name))).toEqual({ errorName: "UnvouchedValidatorSet", args: [epoch, root, vouched] });
  expect(await lc.read.currentEpoch()).toBe(0n);
  expect(await lc.read.currentValidatorSetRoot()).toBe(e0);
}

describe("deployAll with an anchor", () => {
  it("deploys the OpenLibraLightClient from the trusted set, records the genesis voucher, and anchors the light client to it", async () => {
    expect(await olc.read.currentEpoch()).toBe(0n);
    expect(await olc.read.setCommitment()).toBe(toHex(setCommitment(ol.states[0]!).commitment));
    expect(await olc.read.vouchedAttestationSetRoot([0n])).toBe(root32(e0));
    expect(getAddress(await lc.read.anchor())).toBe(anchored.openLibraLightClient);
    expect(await lc.read.currentValidatorSetRoot()).toBe(e0);
    const [ev] = await lc.getEvents.Anchored({}, { fromBlock: 0n });
    expect(getAddress(ev.args.anchor)).toBe(anchored.openLibraLightClient);
    // The unanchored stack: no anchor.
    expect(s.addresses.openLibraLightClient).toBeNull();
    expect(await s.lightClient.read.anchor()).toBe(ZERO);
  });

  it("refuses a genesis voucher that does not verify, and a trusted set of another epoch (one line, nothing deployed)", async () => {
    const clients = { publicClient: s.chain.publicClient, walletClient: s.wallet.deployer };
    const base = { homeChainId: HOME_CHAIN_ID, genesisEpoch: 0n, genesisValidatorSetRoot: e0 };
    const before = await s.chain.publicClient.getTransactionCount({ address: s.account.deployer });
    await expect(deployAll(clients, { ...base, anchor: { epochState: ol.states[0]!, genesisVoucher: vouch(ol, 0n, evil) } })).rejects.toThrow(/genesis voucher.*VoucherMismatch/);
    await expect(deployAll(clients, { ...base, anchor: { epochState: ol.states[0]!, genesisVoucher: vouch(ol, 0n, e0, 6) } })).rejects.toThrow(/InsufficientVotingPower/);
    await expect(deployAll(clients, { ...base, anchor: { epochState: ol.states[1]!, genesisVoucher: vouch(ol, 1n, e0) } })).rejects.toThrow(UserError);
    // The anchor is checked before anything is deployed.
    expect(await s.chain.publicClient.getTransactionCount({ address: s.account.deployer })).toBe(before);
  });

  it("the constructor refuses a genesis set the anchor has not vouched for, and an anchor without code", async () => {
    const args = (genesis: bigint, anchor: Address) => [HOME_CHAIN_ID, 0n, genesis, anchored.aggregatedHeaderVerifier, ZERO, ZERO, 0n, s.account.guardian, 4n, anchor];
    await expectRevert(s.chain.viem.deployContract("HomeLightClient" as never, args(evil, anchored.openLibraLightClient!) as never), "UnvouchedValidatorSet(uint64,uint256,uint256)");
    await expectRevert(s.chain.viem.deployContract("HomeLightClient" as never, args(e0, s.account.w1) as never), "InvalidConfig()");
  });
});

describe("rotation in anchored mode", () => {
  it("accepts the rotation to the set the epoch-1 validators vouched for", async () => {
    await submit("h1");
    await openLibraEpoch1();
    await submit("h2end");
    expect(await lc.read.currentEpoch()).toBe(1n);
    expect(await lc.read.currentValidatorSetRoot()).toBe(e1);
    const rotations = await lc.getEvents.EpochRotated({}, { fromBlock: 0n });
    expect(rotations.map((e: Instance) => [e.args.newEpoch, e.args.validatorSetRoot])).toEqual([
      [0n, e0],
      [1n, e1],
    ]);
  });

  it("refuses the committee's rotation to a set of its own choosing, which the unanchored client accepts", async () => {
    // Unanchored (as before this mode existed): the attack succeeds.
    await send(s, "w1", s.lightClient, "submitHeader", [p.evilEnd!.kind, p.evilEnd!.proof, p.evilEnd!.pub]);
    expect(await s.lightClient.read.currentEpoch()).toBe(1n);
    expect(await s.lightClient.read.currentValidatorSetRoot()).toBe(evil);
    // Anchored: the same header is refused, naming the epoch, its set and the vouched set.
    await submit("h1");
    await openLibraEpoch1();
    await expectUnvouched("evilEnd", 1n, evil, e1);
  });

  it("refuses a set vouched for another epoch (the genesis set, vouched for epoch 0, as epoch 1's)", async () => {
    await openLibraEpoch1();
    await expectUnvouched("staleEnd", 1n, e0, e1);
  });

  it("refuses a rotation before epoch 1's voucher is recorded, and takes the same header once it is", async () => {
    await openLibraEpoch1(null);
    await expectUnvouched("h2end", 1n, e1, 0n);
    await submitVoucher(s.chain, olc, ol, vouch(ol, 1n, e1));
    await submit("h2end");
    expect(await lc.read.currentValidatorSetRoot()).toBe(e1);
  });

  it("a voucher signed by less than 2/3 of the power is refused at submitVoucher, so the rotation stays refused", async () => {
    await openLibraEpoch1(null);
    const weak = vouch(ol, 1n, e1, 6); // 6 of 10 validators: 6,000,000 < 6,666,667
    expect(await revertOf(olc.write.submitVoucher([...voucherArgs(ol.states[1]!, weak)]))).toEqual({
      errorName: "InsufficientVotingPower",
      args: [6_000_000n, 6_666_667n],
    });
    expect(await olc.read.vouchedAttestationSetRoot([1n])).toBe(root32(0n));
    await expectUnvouched("h2end", 1n, e1, 0n);
  });

  it("a voucher by the previous epoch's validators is refused (the anchor is at epoch 1, its set must sign)", async () => {
    await openLibraEpoch1(null);
    const byEpoch0 = signVoucher(1n, e1, ol.signers[0]!, allSigners(10));
    await expectRevert(olc.write.submitVoucher([...voucherArgs(ol.states[1]!, byEpoch0)]), "SignatureMismatch()");
    await expectUnvouched("evilEnd", 1n, evil, 0n);
  });

  it("submitHeaderWithSettlement (a HeaderSettlement proof of an epoch-ending header) applies the same rule", async () => {
    await openLibraEpoch1();
    const withSettlement = (name: string) => lc.write.submitHeaderWithSettlement([hs[name]!.proof, hs[name]!.headerPub, hs[name]!.pub.slice(4)]);
    expect(await revertOf(withSettlement("toEvil"))).toEqual({ errorName: "UnvouchedValidatorSet", args: [1n, evil, e1] });
    await send(s, "w1", lc, "submitHeaderWithSettlement", [hs.toE1!.proof, hs.toE1!.headerPub, hs.toE1!.pub.slice(4)]);
    expect(await lc.read.currentEpoch()).toBe(1n);
    expect(await lc.read.currentValidatorSetRoot()).toBe(e1);
  });
});

describe("a late voucher (the anchor ratcheted past its epoch first)", () => {
  /** The anchor ratchets 0 -> 1 -> 2 before anyone submits epoch 1's voucher. */
  async function anchorAtEpoch2(): Promise<void> {
    await ratchetOpenLibra(s.chain, olc, ol, 0n);
    await ratchetOpenLibra(s.chain, olc, ol, 1n);
    expect(await olc.read.currentEpoch()).toBe(2n);
  }

  it("is taken for a past epoch (checked against that epoch's set), and the light client then rotates to that epoch", async () => {
    await submit("h1");
    await anchorAtEpoch2();
    await expectUnvouched("h2end", 1n, e1, 0n);
    await submitVoucher(s.chain, olc, ol, vouch(ol, 1n, e1));
    expect(await olc.read.vouchedAttestationSetRoot([1n])).toBe(root32(e1));
    await submit("h2end");
    expect(await lc.read.currentEpoch()).toBe(1n);
    expect(await lc.read.currentValidatorSetRoot()).toBe(e1);
    // The anchor keeps every set it held, and a late voucher is still one root per epoch.
    expect(await olc.read.setCommitmentOf([1n])).toBe(toHex(setCommitment(ol.states[1]!).commitment));
    await expectRevert(olc.write.submitVoucher([...voucherArgs(ol.states[1]!, vouch(ol, 1n, evil))]), "ConflictingVoucher(uint64,bytes32)");
  });

  it("lets a light client deployed later on the same anchor (deployAll with its address) start from that epoch", async () => {
    await anchorAtEpoch2();
    const clients = { publicClient: s.chain.publicClient, walletClient: s.wallet.deployer };
    const opts = { homeChainId: HOME_CHAIN_ID, genesisEpoch: 1n, genesisValidatorSetRoot: e1, anchor: { address: anchored.openLibraLightClient! } };
    await expect(deployAll(clients, opts)).rejects.toThrow(/has no voucher for genesis epoch 1 \(it holds epochs 0 to 2\)/);
    await submitVoucher(s.chain, olc, ol, vouch(ol, 1n, e1));
    const second = await deployAll(clients, opts);
    expect(second.openLibraLightClient).toBe(anchored.openLibraLightClient);
    const lc2: Instance = await s.chain.viem.getContractAt("HomeLightClient" as never, second.lightClient);
    expect(getAddress(await lc2.read.anchor())).toBe(anchored.openLibraLightClient);
    expect([await lc2.read.currentEpoch(), await lc2.read.currentValidatorSetRoot()]).toEqual([1n, e1]);
  });

  it("is refused for an epoch the anchor never held: epoch 2's real set vouching while the anchor is at epoch 1", async () => {
    await ratchetOpenLibra(s.chain, olc, ol, 0n);
    expect(await revertOf(olc.write.submitVoucher([...voucherArgs(ol.states[2]!, vouch(ol, 2n, evil))]))).toEqual({
      errorName: "UnknownEpoch",
      args: [2n, 0n, 1n],
    });
    expect(await olc.read.setCommitmentOf([2n])).toBe(root32(0n));
    expect(await olc.read.vouchedAttestationSetRoot([2n])).toBe(root32(0n));
  });

  it("is refused for a past epoch when signed by another epoch's set (its opening or its signature does not match epoch 1's set)", async () => {
    await anchorAtEpoch2();
    const bySet = (e: number) => signVoucher(1n, evil, ol.signers[e]!, allSigners(10));
    // The current set (2) and an earlier one (0), each with its own opening: not the set committed for epoch 1.
    for (const e of [2, 0]) expect(await revertOf(olc.write.submitVoucher([...voucherArgs(ol.states[e]!, bySet(e))]))).toEqual({ errorName: "SetOpeningMismatch", args: [] });
    // Epoch 1's opening with set 2's signature: the signature does not verify under epoch 1's keys.
    await expectRevert(olc.write.submitVoucher([...voucherArgs(ol.states[1]!, bySet(2))]), "SignatureMismatch()");
    expect(await olc.read.vouchedAttestationSetRoot([1n])).toBe(root32(0n));
    await expectUnvouched("evilEnd", 1n, evil, 0n);
  });
});
