// The anchored check of verifier-ts: a Home attestation set of epoch E is accepted only when a quorum
// of the real Open Libra validators of epoch E (BLS keys generated with noble, sets established by
// the ratchet from a waypoint or given as BCS) vouched for its root. Unit checks (checkAnchoredSet,
// checkValidatorSetBindings and verifyHeaderChain with anchors, voucher files) and the CLI
// (`olzk verify validators --voucher`), including every mismatch.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatorSetToJSON } from "../../home/model/ssz.ts";
import { anchorsFromLedger, checkAnchoredSet, checkValidatorSetBindings, verifyHeaderChain, type SetAnchor } from "../../verifier-ts/index.ts";
import {
  allSigners,
  encodeBcs,
  encodeEpochEndingChunk,
  EpochState,
  formatWaypoint,
  OpenLibraError,
  ratchetEpochChain,
  signVoucher,
  voucherFromJSON,
  voucherToJSON,
  waypointOf,
  type Voucher,
} from "../../verifier-ts/openlibra/index.ts";
import { epochKeys, HOME_CHAIN_ID } from "../contracts/home-scenario.ts";
import { runOlzk } from "../fixtures/olzk.ts";
import { syntheticEpochChange } from "../openlibra/synthetic.ts";
import { CHAIN_ID, headerItem, SET_A, SET_B, SET_C, STAND_IN } from "./chainFixtures.ts";

// Open Libra epochs 1 and 2: the epoch-ending LedgerInfo of epoch 0 (the trusted waypoint) hands over
// to set 1, whose epoch-ending LedgerInfo hands over to set 2.
const end0 = syntheticEpochChange({ validators: 10, epoch: 0n, label: "anchor-test" });
const end1 = syntheticEpochChange({ validators: 10, epoch: 1n, label: "anchor-test" });
const ol1 = end0.nextState;
const signers1 = end0.next;
const waypoint = formatWaypoint(waypointOf(end0.ledgerInfo));
const home1 = epochKeys(1n);

const vouch1 = (root: bigint, count = 10): Voucher => signVoucher(1n, root, signers1, allSigners(count));
const anchor1 = (v: Voucher): SetAnchor => ({ epochState: ol1, voucher: v });

describe("checkAnchoredSet", () => {
  it("accepts the root a quorum of the epoch's Open Libra set vouched for", () => {
    const r = checkAnchoredSet(1n, SET_A, anchor1(vouch1(SET_A, 7)));
    expect(r).toMatchObject({ ok: true, vouchedBy: { epoch: 1n, signedPower: 7_000_000n, totalPower: 10_000_000n, quorumPower: 6_666_667n } });
  });

  it("refuses another root, another epoch's set, too little power and another set's signature", () => {
    expect(checkAnchoredSet(1n, SET_B, anchor1(vouch1(SET_A)))).toMatchObject({ ok: false, code: "VoucherMismatch" });
    expect(checkAnchoredSet(2n, SET_A, anchor1(vouch1(SET_A)))).toMatchObject({ ok: false, code: "EpochMismatch" });
    expect(checkAnchoredSet(1n, SET_A, { epochState: end1.nextState, voucher: vouch1(SET_A) })).toMatchObject({ ok: false, code: "EpochMismatch" });
    expect(checkAnchoredSet(1n, SET_A, anchor1(signVoucher(2n, SET_A, signers1, allSigners(10))))).toMatchObject({ ok: false, code: "EpochMismatch" });
    expect(checkAnchoredSet(1n, SET_A, anchor1(vouch1(SET_A, 6)))).toMatchObject({ ok: false, code: "InsufficientVotingPower" });
    expect(checkAnchoredSet(1n, SET_A, anchor1(signVoucher(1n, SET_A, end0.current, allSigners(10))))).toMatchObject({ ok: false, code: "SignatureMismatch" });
    // A voucher's root edited after signing.
    expect(checkAnchoredSet(1n, SET_B, anchor1({ ...vouch1(SET_A), attestationSetRoot: SET_B }))).toMatchObject({ ok: false, code: "SignatureMismatch" });
  });
});

describe("checkValidatorSetBindings with an anchor", () => {
  it("accepts a vouched set and says who vouched; unanchored it is unchanged", () => {
    const plain = checkValidatorSetBindings(home1.set, home1.root, HOME_CHAIN_ID);
    expect(plain).toEqual({ ok: true, root: home1.root, totalPower: 10n, boundSlots: 4 });
    const r = checkValidatorSetBindings(home1.set, home1.root, HOME_CHAIN_ID, anchor1(vouch1(home1.root)));
    expect(r).toMatchObject({ ok: true, root: home1.root, vouchedBy: { epoch: 1n, signedPower: 10_000_000n } });
  });

  it("refuses a set whose root is not the vouched one, and a set of another epoch", () => {
    const other = epochKeys(9n).root;
    expect(checkValidatorSetBindings(home1.set, home1.root, HOME_CHAIN_ID, anchor1(vouch1(other)))).toMatchObject({ ok: false, anchorCode: "VoucherMismatch" });
    const home2 = epochKeys(2n);
    expect(checkValidatorSetBindings(home2.set, home2.root, HOME_CHAIN_ID, anchor1(vouch1(home2.root)))).toMatchObject({ ok: false, anchorCode: "EpochMismatch" });
  });
});

describe("verifyHeaderChain with anchors", () => {
  const checkpoint = { chainId: CHAIN_ID, epoch: 0n, validatorSetRoot: SET_A };
  const anchors = [
    { epochState: end0.currentState, voucher: signVoucher(0n, SET_A, end0.current, allSigners(10)) },
    anchor1(vouch1(SET_B)),
  ];
  const toB = [headerItem({ epoch: 0n, height: 1n, setRoot: SET_A, nextSetRoot: SET_B }), headerItem({ epoch: 1n, height: 2n, setRoot: SET_B })];
  const toC = [headerItem({ epoch: 0n, height: 1n, setRoot: SET_A, nextSetRoot: SET_C })];

  it("accepts a rotation to the vouched set", () => {
    expect(verifyHeaderChain(STAND_IN, checkpoint, toB, { anchors })).toMatchObject({ ok: true, cursor: { epoch: 1n, validatorSetRoot: SET_B } });
  });

  it("refuses a rotation to an unvouched set, which the unanchored chain accepts", () => {
    expect(verifyHeaderChain(STAND_IN, checkpoint, toC)).toMatchObject({ ok: true, cursor: { epoch: 1n, validatorSetRoot: SET_C } });
    const r = verifyHeaderChain(STAND_IN, checkpoint, toC, { anchors });
    expect(r).toMatchObject({ ok: false, code: "UnvouchedValidatorSet", index: 0, cursor: { epoch: 0n, validatorSetRoot: SET_A } });
    expect(r.ok ? "" : r.reason).toMatch(/rotation to epoch 1: VoucherMismatch/);
  });

  it("refuses a rotation without a voucher of the next epoch, and a checkpoint whose set is not vouched", () => {
    expect(verifyHeaderChain(STAND_IN, checkpoint, toB, { anchors: anchors.slice(0, 1) })).toMatchObject({ ok: false, code: "UnvouchedValidatorSet", index: 0 });
    expect(verifyHeaderChain(STAND_IN, { ...checkpoint, validatorSetRoot: SET_C }, [headerItem({ epoch: 0n, height: 1n, setRoot: SET_C })], { anchors })).toMatchObject({
      ok: false,
      code: "UnvouchedValidatorSet",
      index: -1,
    });
  });
});

describe("anchorsFromLedger and voucher files", () => {
  it("takes each voucher's set from the ratchet, and refuses an epoch the ledger has no set for", () => {
    const ledger = ratchetEpochChain(waypointOf(end0.ledgerInfo), [end0.liws, end1.liws]);
    const [a] = anchorsFromLedger(ledger, [vouch1(SET_A)]);
    expect(a!.epochState).toEqual(ol1);
    expect(() => anchorsFromLedger(ledger, [signVoucher(5n, SET_A, signers1, allSigners(10))])).toThrow(OpenLibraError);
  });

  it("round-trips a voucher through JSON and names the bad field of a malformed one", () => {
    const v = vouch1(SET_A, 8);
    expect(voucherFromJSON(JSON.parse(JSON.stringify(voucherToJSON(v))))).toEqual(v);
    const j = voucherToJSON(v);
    expect(() => voucherFromJSON({ ...j, epoch: "-1" })).toThrow(/voucher epoch/);
    expect(() => voucherFromJSON({ ...j, signature: "0x1234" })).toThrow(/voucher signature must be 96 bytes/);
    expect(() => voucherFromJSON({ ...j, validatorBitmask: "ff" })).toThrow(/validatorBitmask/);
    expect(() => voucherFromJSON([])).toThrow(/JSON object/);
  });
});

describe("olzk verify validators --voucher", () => {
  let dir = "";
  const file = (name: string, content: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  let set = "";
  let base: string[] = [];
  const voucherFile = (name: string, v: Voucher) => file(name, JSON.stringify(voucherToJSON(v)));
  const olzk = (...argv: string[]) => runOlzk(["verify", "validators", ...base, ...argv]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "olzk-anchor-"));
    set = file("set1.json", JSON.stringify(validatorSetToJSON(home1.set)));
    base = ["--set", set, "--root", home1.root.toString(), "--home-chain-id", String(HOME_CHAIN_ID)];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts a vouched set with the Open Libra set given as BCS, or established from a waypoint", async () => {
    const voucher = voucherFile("v.json", vouch1(home1.root, 9));
    const state = file("ol1.bcs", encodeBcs(EpochState, ol1));
    const line = `VALID: 4 bound validators, total power 10, root ${home1.root}; vouched for by 9 of 10 Open Libra validators of epoch 1, power 9000000 of 10000000`;
    expect(await olzk("--voucher", voucher, "--epoch-state", state)).toMatchObject({ code: 0, out: line });
    const chunk = file("epoch_ending_0-1.chunk", encodeEpochEndingChunk([end0.liws, end1.liws]));
    expect(await olzk("--voucher", voucher, "--waypoint", waypoint, "--epoch-ending", chunk)).toMatchObject({ code: 0, out: line });
  });

  it("exit 1: another root vouched for, too little power, a chain that does not verify", async () => {
    const state = file("ol1.bcs", encodeBcs(EpochState, ol1));
    const other = await olzk("--voucher", voucherFile("other.json", vouch1(epochKeys(9n).root)), "--epoch-state", state);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^INVALID: VoucherMismatch: attestation set \d+ of epoch 1 is not vouched for: voucher vouches for attestation set \d+, expected \d+$/);
    const weak = await olzk("--voucher", voucherFile("weak.json", vouch1(home1.root, 6)), "--epoch-state", state, "--json");
    expect(weak.code).toBe(1);
    expect(JSON.parse(weak.out)).toMatchObject({ ok: false, anchorCode: "InsufficientVotingPower" });
    const chunk = file("only0.chunk", encodeEpochEndingChunk([end1.liws]));
    const wrongWaypoint = await olzk("--voucher", voucherFile("v.json", vouch1(home1.root)), "--waypoint", waypoint, "--epoch-ending", chunk);
    expect(wrongWaypoint.code).toBe(1);
    expect(wrongWaypoint.out).toMatch(/^INVALID: WaypointMismatch: /);
  });

  it("exit 2: a voucher without a set, a set source without a voucher, unreadable files", async () => {
    const voucher = voucherFile("v.json", vouch1(home1.root));
    const state = file("ol1.bcs", encodeBcs(EpochState, ol1));
    expect(await olzk("--voucher", voucher)).toMatchObject({ code: 2, err: expect.stringMatching(/--voucher needs the Open Libra set of its epoch/) });
    expect(await olzk("--voucher", voucher, "--epoch-state", state, "--waypoint", waypoint)).toMatchObject({ code: 2 });
    expect(await olzk("--epoch-state", state)).toMatchObject({ code: 2, err: expect.stringMatching(/only go with --voucher/) });
    expect(await olzk("--voucher", file("bad.json", "{"), "--epoch-state", state)).toMatchObject({ code: 2, err: expect.stringMatching(/not valid JSON/) });
    expect(await olzk("--voucher", file("bad2.json", JSON.stringify({ epoch: "1" })), "--epoch-state", state)).toMatchObject({ code: 2, err: expect.stringMatching(/validatorBitmask/) });
    expect(await olzk("--voucher", voucher, "--epoch-state", file("bad.bcs", new Uint8Array([1, 2, 3])))).toMatchObject({ code: 2, err: expect.stringMatching(/BCS of an EpochState/) });
    expect(await olzk("--voucher", join(dir, "missing.json"), "--epoch-state", state)).toMatchObject({ code: 2, err: expect.stringMatching(/ENOENT/) });
  });
});
