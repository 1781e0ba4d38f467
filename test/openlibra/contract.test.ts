// OpenLibraLightClient on EDR (EIP-2537 precompiles): started from the epoch-117 set the mainnet chunk
// establishes, it accepts the real 29-of-41 epoch-117 quorum certificate and refuses tampered ones;
// a synthetic 41-validator epoch change (keys generated with noble, BCS built with verifier-ts/openlibra)
// ratchets it; vouchers are accepted or refused, a late one (for the epoch the client just left) under
// that epoch's set. Every refusal is asserted by its custom error.
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEventLogs, toHex, type Hex } from "viem";
import {
  allSigners,
  encodeBcs,
  EpochState,
  encodeKeyYs,
  encodeSetOpening,
  ledgerInfoCalldata,
  seed,
  setCommitment,
  signLedgerInfo,
  signVoucher,
  uncompressedSignature,
  verifyVoucher,
  type EpochState as EpochStateT,
  type LedgerInfoCalldata,
  type LedgerInfoWithSignatures,
} from "../../verifier-ts/openlibra/index.ts";
import { connectChain, expectRevert, type Chain } from "../contracts/fixtures.ts";
import { syntheticEpochChange, type SyntheticEpochChange } from "./synthetic.ts";
import { loadMainnet } from "./vectors.ts";

type Client = { address: Hex; abi: never; read: Record<string, (a?: unknown[]) => Promise<any>>; write: Record<string, (a: unknown[]) => Promise<Hex>> };

let chain: Chain;
let mainnet: Client;
let synthetic: Client;
let snap: string;
const m = loadMainnet();
const set117 = m.ledger.current;
let s: SyntheticEpochChange;

const P = bls12_381.fields.Fp.ORDER;

function hex(c: LedgerInfoCalldata): [Hex, Hex, Hex, Hex] {
  return [toHex(c.ledgerInfo), toHex(c.bitmask), toHex(c.signature), toHex(c.setOpening)];
}

async function deploy(state: EpochStateT): Promise<Client> {
  return (await chain.viem.deployContract("OpenLibraLightClient" as never, [state.epoch, toHex(setCommitment(state).commitment)] as never)) as unknown as Client;
}

async function mined(hash: Hex) {
  const rc = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(rc.status).toBe("success");
  return rc;
}

/** Calldata for `liws` with `bitmask` in place of its own (opening rebuilt to match, as an attacker would). */
function withBitmask(state: EpochStateT, liws: LedgerInfoWithSignatures, bitmask: Uint8Array): LedgerInfoCalldata {
  const c = ledgerInfoCalldata(state, liws);
  return { ...c, bitmask, setOpening: encodeSetOpening(state, bitmask) };
}

function clearBit(b: Uint8Array, i: number): Uint8Array {
  const out = b.slice();
  out[i >> 3]! &= ~(0x80 >> (i & 7));
  return out;
}

beforeAll(async () => {
  chain = await connectChain();
  mainnet = await deploy(set117);
  s = syntheticEpochChange({ validators: 41, epoch: 7n, label: "contract-test" });
  synthetic = await deploy(s.currentState);
  snap = await chain.snapshot();
}, 300_000);

beforeEach(async () => {
  await chain.revert(snap);
  snap = await chain.snapshot();
});

describe("trusted start from the mainnet chunk", () => {
  it("commitmentOf(BCS of the epoch-117 set, its y-coordinates) is the commitment verifier-ts computes", async () => {
    const [commitment, epoch, total, n] = await mainnet.read.commitmentOf!([toHex(encodeBcs(EpochState, set117)), toHex(encodeKeyYs(set117))]);
    expect(commitment).toBe(toHex(setCommitment(set117).commitment));
    expect([epoch, total, n]).toEqual([117n, 41_000_000n, 41]);
    expect(await mainnet.read.setCommitment!()).toBe(commitment);
    expect(await mainnet.read.currentEpoch!()).toBe(117n);
    expect(await mainnet.read.LEDGER_INFO_SEED!()).toBe(toHex(seed("LedgerInfo")));
  });

  it("commitmentOf refuses a y-coordinate that is not the key's decompression", async () => {
    const bcs = toHex(encodeBcs(EpochState, set117));
    const ys = encodeKeyYs(set117);
    const neg = ys.slice();
    const y3 = BigInt(toHex(ys.subarray(3 * 48, 4 * 48)));
    neg.set(beBytes(P - y3, 48), 3 * 48); // the other root: same x, other sign
    await expectRevert(mainnet.read.commitmentOf!([bcs, toHex(neg)]), "InvalidPublicKey(uint256)");
    const off = ys.slice();
    off.set(beBytes(y3 + 1n, 48), 3 * 48); // same sign (most likely), not on the curve
    await expectRevert(mainnet.read.commitmentOf!([bcs, toHex(off)]), "InvalidPublicKey(uint256)");
    await expectRevert(mainnet.read.commitmentOf!([bcs, toHex(ys.subarray(48))]), "MalformedKeyHints()");
  });
});

describe("the real epoch-117 quorum certificate (29 of 41)", () => {
  it("verifies", async () => {
    const r = await mainnet.read.verifyLedgerInfo!(hex(ledgerInfoCalldata(set117, m.li117)));
    expect(r).toMatchObject({ epoch: 117n, round: 9977n, version: 38200017n, endsEpoch: false, signedPower: 29_000_000n });
    expect(r.executedStateId).toBe(toHex(m.li117.ledgerInfo.commitInfo.executedStateId));
  });

  it("is refused with a flipped byte in the LedgerInfo", async () => {
    const c = ledgerInfoCalldata(set117, m.li117);
    for (const at of [0, 20, 60, 90, 128]) {
      const li = c.ledgerInfo.slice();
      li[at]! ^= 1;
      const err = at === 0 ? "WrongEpoch(uint64,uint64)" : "SignatureMismatch()";
      await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, ledgerInfo: li })), err);
    }
  });

  it("is refused with a signer removed from the bitmask, and below quorum with two removed", async () => {
    const one = clearBit(m.li117.signatures.validatorBitmask, 0);
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex(withBitmask(set117, m.li117, one))), "SignatureMismatch()");
    const two = clearBit(one, 3);
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex(withBitmask(set117, m.li117, two))), "InsufficientVotingPower(uint256,uint256)");
  });

  it("checks the bitmask shape", async () => {
    const c = ledgerInfoCalldata(set117, m.li117);
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, bitmask: new Uint8Array([...c.bitmask, 0]) })), "BitmaskLength(uint256,uint256)");
    const high = c.bitmask.slice();
    high[5]! |= 0x01; // bit 47 of a 41-validator set
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, bitmask: high })), "BitmaskOutOfRange()");
  });

  it("refuses an opening that is not the committed set", async () => {
    const c = ledgerInfoCalldata(set117, m.li117);
    const leaf = c.setOpening.slice();
    leaf[116 + 5]! ^= 1; // inside the first group's first leaf
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, setOpening: leaf })), "SetOpeningMismatch()");
    const total = c.setOpening.slice();
    total[15]! ^= 1; // total power
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, setOpening: total })), "SetOpeningMismatch()");
    // An absent validator (index 1) given as another validator's key and power: its leaf changes.
    const other = { ...set117, verifier: { validatorInfos: set117.verifier.validatorInfos.map((v, i) => (i === 1 ? set117.verifier.validatorInfos[2]! : v)) } };
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, setOpening: encodeSetOpening(other, c.bitmask) })), "SetOpeningMismatch()");
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, setOpening: c.setOpening.subarray(0, c.setOpening.length - 1) })), "MalformedSetOpening()");
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, setOpening: new Uint8Array([...c.setOpening, 0]) })), "MalformedSetOpening()");
  });

  it("refuses a signature off the curve and the signature of another message", async () => {
    const c = ledgerInfoCalldata(set117, m.li117);
    const sig = c.signature.slice();
    sig[191]! ^= 1;
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, signature: sig })), "InvalidSignature()");
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, signature: c.signature.subarray(1) })), "InvalidSignature()");
    const chunkSig = uncompressedSignature(m.chunk[0]!.signatures.sig!); // a real signature, by the epoch-116 set over another LedgerInfo
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex({ ...c, signature: chunkSig })), "SignatureMismatch()");
  });

  it("refuses a LedgerInfo of another epoch, and an epoch change without next_epoch_state", async () => {
    const c = ledgerInfoCalldata(set117, m.li117);
    const epoch116 = ledgerInfoCalldata(set117, { ...m.chunk[0]!, signatures: m.li117.signatures });
    await expectRevert(mainnet.read.verifyLedgerInfo!(hex(epoch116)), "WrongEpoch(uint64,uint64)");
    await expectRevert(mainnet.write.submitEpochChange!([...hex(c), "0x"]), "NotEpochEnding()");
  });
});

describe("a synthetic 41-validator epoch change", () => {
  it("ratchets to the next set, which then signs epoch 8; the change cannot be replayed", async () => {
    const c = ledgerInfoCalldata(s.currentState, s.liws);
    const rc = await mined(await synthetic.write.submitEpochChange!([...hex(c), toHex(c.nextKeyYs)]));
    const next = toHex(setCommitment(s.nextState).commitment);
    const [ev] = parseEventLogs({ abi: synthetic.abi, logs: rc.logs, eventName: "EpochChanged" as never }) as unknown as { args: Record<string, unknown> }[];
    expect(ev!.args).toMatchObject({ epoch: 8n, setCommitment: next, version: s.ledgerInfo.commitInfo.version, executedStateId: toHex(s.ledgerInfo.commitInfo.executedStateId) });
    expect(await synthetic.read.currentEpoch!()).toBe(8n);
    expect(await synthetic.read.setCommitment!()).toBe(next);

    const after = syntheticEpochChange({ validators: 41, epoch: 8n, label: "contract-test", signers: allSigners(29) });
    const r = await synthetic.read.verifyLedgerInfo!(hex(ledgerInfoCalldata(after.currentState, after.liws)));
    expect(r).toMatchObject({ epoch: 8n, endsEpoch: true, signedPower: 29_000_000n });
    await expectRevert(synthetic.write.submitEpochChange!([...hex(c), toHex(c.nextKeyYs)]), "WrongEpoch(uint64,uint64)");
  });

  it("refuses y-coordinates that are not the next keys' decompressions", async () => {
    const c = ledgerInfoCalldata(s.currentState, s.liws);
    const ys = c.nextKeyYs.slice();
    const y5 = BigInt(toHex(ys.subarray(5 * 48, 6 * 48)));
    ys.set(beBytes(P - y5, 48), 5 * 48);
    await expectRevert(synthetic.write.submitEpochChange!([...hex(c), toHex(ys)]), "InvalidPublicKey(uint256)");
    await expectRevert(synthetic.write.submitEpochChange!([...hex(c), toHex(c.nextKeyYs.subarray(0, 40 * 48))]), "MalformedKeyHints()");
  });

  it("refuses a next set for another epoch and a next key with its flags changed, even when signed", async () => {
    const wrongEpoch = structuredClone(s.ledgerInfo);
    wrongEpoch.commitInfo.nextEpochState!.epoch = 9n;
    const c1 = ledgerInfoCalldata(s.currentState, signLedgerInfo(wrongEpoch, s.current, allSigners(41)));
    await expectRevert(synthetic.write.submitEpochChange!([...hex(c1), toHex(c1.nextKeyYs)]), "WrongNextEpoch(uint64,uint64)");

    const flipped = structuredClone(s.ledgerInfo);
    flipped.commitInfo.nextEpochState!.verifier.validatorInfos[4]!.publicKey[0]! ^= 0x20; // sign flag
    const ys = encodeKeyYs(s.nextState);
    const c2 = ledgerInfoCalldata(s.currentState, signLedgerInfo(flipped, s.current, allSigners(41)));
    await expectRevert(synthetic.write.submitEpochChange!([...hex(c2), toHex(ys)]), "InvalidPublicKey(uint256)");
  });
});

describe("vouchers", () => {
  const root = 0x1234567890abcdefn;
  const args = (epoch: bigint, r: bigint, v: ReturnType<typeof signVoucher>, state: EpochStateT = s.currentState) =>
    [epoch, toHex(r, { size: 32 }), toHex(v.signatures.validatorBitmask), toHex(uncompressedSignature(v.signatures.sig!)), toHex(encodeSetOpening(state, v.signatures.validatorBitmask))] as const;

  it("accepts a voucher by 28 of 41 (the quorum) and records the attestation set root", async () => {
    const v = signVoucher(7n, root, s.current, allSigners(28));
    expect(verifyVoucher(s.currentState, v, root).signedPower).toBe(28_000_000n);
    expect(await synthetic.read.verifyVoucher!([...args(7n, root, v)])).toBe(28_000_000n);
    const rc = await mined(await synthetic.write.submitVoucher!([...args(7n, root, v)]));
    const [ev] = parseEventLogs({ abi: synthetic.abi, logs: rc.logs, eventName: "AttestationSetVouched" as never }) as unknown as { args: Record<string, unknown> }[];
    expect(ev!.args).toMatchObject({ epoch: 7n, attestationSetRoot: toHex(root, { size: 32 }) });
    expect(await synthetic.read.vouchedAttestationSetRoot!([7n])).toBe(toHex(root, { size: 32 }));
    await mined(await synthetic.write.submitVoucher!([...args(7n, root, v)])); // the same root again: idempotent
    const equivocation = signVoucher(7n, root + 1n, s.current, allSigners(41));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, root + 1n, equivocation)]), "ConflictingVoucher(uint64,bytes32)");
  });

  it("refuses another root, too few signers, another epoch, and the wrong set's keys", async () => {
    const v = signVoucher(7n, root, s.current, allSigners(28));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, root + 1n, v)]), "SignatureMismatch()");
    const few = signVoucher(7n, root, s.current, allSigners(27));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, root, few)]), "InsufficientVotingPower(uint256,uint256)");
    const other = signVoucher(8n, root, s.current, allSigners(41));
    await expectRevert(synthetic.write.submitVoucher!([...args(8n, root, other)]), "UnknownEpoch(uint64,uint64,uint64)");
    await expectRevert(synthetic.write.submitVoucher!([...args(6n, root, signVoucher(6n, root, s.current, allSigners(41)))]), "UnknownEpoch(uint64,uint64,uint64)");
    const byNext = signVoucher(7n, root, s.next, allSigners(41));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, root, byNext)]), "SignatureMismatch()");
    expect(await synthetic.read.vouchedAttestationSetRoot!([7n])).toBe(toHex(0n, { size: 32 }));
  });
});

describe("a late voucher (after the epoch change to 8)", () => {
  const root = 0xabcdefn;
  const args = (epoch: bigint, v: ReturnType<typeof signVoucher>, state: EpochStateT) =>
    [epoch, toHex(root, { size: 32 }), toHex(v.signatures.validatorBitmask), toHex(uncompressedSignature(v.signatures.sig!)), toHex(encodeSetOpening(state, v.signatures.validatorBitmask))] as const;

  beforeEach(async () => {
    const c = ledgerInfoCalldata(s.currentState, s.liws);
    await mined(await synthetic.write.submitEpochChange!([...hex(c), toHex(c.nextKeyYs)]));
  });

  it("keeps the commitment of every set it held and takes epoch 7's voucher by 28 of epoch 7's 41", async () => {
    expect(await synthetic.read.firstEpoch!()).toBe(7n);
    expect(await synthetic.read.setCommitmentOf!([7n])).toBe(toHex(setCommitment(s.currentState).commitment));
    expect(await synthetic.read.setCommitmentOf!([8n])).toBe(await synthetic.read.setCommitment!());
    expect(await synthetic.read.setCommitmentOf!([9n])).toBe(toHex(0n, { size: 32 }));
    const v = signVoucher(7n, root, s.current, allSigners(28));
    expect(await synthetic.read.verifyVoucher!([...args(7n, v, s.currentState)])).toBe(28_000_000n);
    await mined(await synthetic.write.submitVoucher!([...args(7n, v, s.currentState)]));
    expect(await synthetic.read.vouchedAttestationSetRoot!([7n])).toBe(toHex(root, { size: 32 }));
  });

  it("refuses epoch 7's voucher by epoch 8's set (with either set's opening) and below epoch 7's quorum", async () => {
    const byNext = signVoucher(7n, root, s.next, allSigners(41));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, byNext, s.nextState)]), "SetOpeningMismatch()");
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, byNext, s.currentState)]), "SignatureMismatch()");
    const few = signVoucher(7n, root, s.current, allSigners(27));
    await expectRevert(synthetic.write.submitVoucher!([...args(7n, few, s.currentState)]), "InsufficientVotingPower(uint256,uint256)");
    expect(await synthetic.read.vouchedAttestationSetRoot!([7n])).toBe(toHex(0n, { size: 32 }));
  });
});

function beBytes(v: bigint, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * (n - 1 - i))) & 0xffn));
}
