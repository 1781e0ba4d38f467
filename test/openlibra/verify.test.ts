// verifier-ts/openlibra on real Open Libra mainnet backups (../shared/vectors/openlibra): the chunk's
// waypoint is its manifest's, the epoch-117 LedgerInfo verifies under the set the chunk establishes
// (29 of 41), the state snapshot proof establishes the manifest's root at version 38180075; each
// check refuses tampered data with its error code. Plus the upstream single-key and PoP BLS vectors,
// a synthetic two-epoch chain built with the package's own builder, and vouchers.
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import {
  ACCUMULATOR_PLACEHOLDER_HASH,
  allSigners,
  checkChunkAgainstManifest,
  decodeBcs,
  encodeBcs,
  encodeEpochEndingChunk,
  formatWaypoint,
  LedgerInfo,
  LedgerInfoWithSignatures,
  makeBitmask,
  OpenLibraError,
  parseEpochEndingManifest,
  parseWaypoint,
  ratchetEpochChain,
  readEpochEndingChunk,
  seed,
  signLedgerInfo,
  signVoucher,
  toHex,
  verifyAggregateSignature,
  verifyLedgerInfo,
  verifyLedgerInfoSignatures,
  verifyMultiSignature,
  verifyProofOfPossession,
  verifyStateSnapshot,
  verifyTransactionInfo,
  verifyVoucher,
  waypointOf,
  type LedgerInfoWithSignatures as Liws,
  type OpenLibraErrorCode,
} from "../../verifier-ts/openlibra/index.ts";
import { bundleForBrowser } from "../fixtures/browser-bundle.ts";
import { syntheticEpochChange } from "./synthetic.ts";
import { loadMainnet, WAYPOINT_116 } from "./vectors.ts";

const m = loadMainnet();
const set117 = m.ledger.current;

function expectCode(f: () => unknown, code: OpenLibraErrorCode): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(OpenLibraError);
  expect((err as OpenLibraError).code, (err as Error).message).toBe(code);
}

/** A deep copy with a changed LedgerInfo or signatures (the BCS round trip copies every byte array). */
function clone(liws: Liws): Liws {
  return decodeBcs(LedgerInfoWithSignatures, encodeBcs(LedgerInfoWithSignatures, liws), "clone");
}

function withoutSigner(bitmask: Uint8Array, i: number): Uint8Array {
  const b = bitmask.slice();
  b[i >> 3]! &= ~(0x80 >> (i & 7));
  return b;
}

describe("mainnet epoch-ending chunk and waypoint", () => {
  it("seed(LedgerInfo) is SHA3-256(DIEM::LedgerInfo)", () => {
    expect(toHex(seed("LedgerInfo"))).toBe("cd510d1ab583c33b54fa949014601df0664857c18c4cfb228c862dd869df1b62");
    expect(toHex(seed("LedgerInfo", "APTOS::"))).not.toBe(toHex(seed("LedgerInfo")));
  });

  it("the chunk's waypoint equals its manifest's", () => {
    expect(m.chunk).toHaveLength(1);
    expect(formatWaypoint(waypointOf(m.chunk[0]!.ledgerInfo))).toBe(WAYPOINT_116);
    expect(formatWaypoint(m.manifest.waypoints[0]!)).toBe(WAYPOINT_116);
    expect(() => checkChunkAgainstManifest(m.manifest, 0, m.chunk)).not.toThrow();
  });

  it("ratchets from the waypoint to the epoch-117 set: 41 validators of 1,000,000", () => {
    expect(m.ledger.changes).toHaveLength(1);
    expect(m.ledger.changes[0]!.verifiedBy).toBe("waypoint");
    expect(set117.epoch).toBe(117n);
    expect(set117.verifier.validatorInfos).toHaveLength(41);
    expect(set117.verifier.validatorInfos.every((v) => v.votingPower === 1_000_000n)).toBe(true);
    expect(formatWaypoint(m.ledger.latest)).toBe(WAYPOINT_116);
  });

  it("refuses a waypoint with another hash or version, and a manifest whose waypoint differs", () => {
    const w = parseWaypoint(WAYPOINT_116);
    const flipped = { ...w, value: w.value.slice() };
    flipped.value[0]! ^= 1;
    expectCode(() => ratchetEpochChain(flipped, m.chunk), "WaypointMismatch");
    expectCode(() => ratchetEpochChain({ ...w, version: w.version - 1n }, m.chunk), "WaypointMismatch");
    expectCode(() => ratchetEpochChain({ ...w, version: w.version + 1n }, m.chunk), "StaleLedgerInfo");
    expectCode(() => ratchetEpochChain(w, []), "EmptyChain");
    const other = parseEpochEndingManifest(
      JSON.stringify({ first_epoch: 116, last_epoch: 116, waypoints: [`38180075:${"00".repeat(32)}`], chunks: [{ first_epoch: 116, last_epoch: 116, ledger_infos: "x" }] }),
    );
    expectCode(() => checkChunkAgainstManifest(other, 0, m.chunk), "ManifestMismatch");
    expectCode(() => parseWaypoint("38180075:98d7"), "MalformedWaypoint");
  });

  it("a LedgerInfo without next_epoch_state cannot end an epoch", () => {
    const li = clone(m.chunk[0]!);
    li.ledgerInfo.commitInfo.nextEpochState = null;
    expectCode(() => ratchetEpochChain(waypointOf(li.ledgerInfo), [li]), "NotEpochEnding");
  });

  it("reads chunk framing strictly: truncated records, trailing bytes and non-canonical BCS are refused", () => {
    const bytes = encodeEpochEndingChunk(m.chunk);
    expect(readEpochEndingChunk(bytes)).toHaveLength(1);
    expectCode(() => readEpochEndingChunk(bytes.subarray(0, bytes.length - 1)), "MalformedFile");
    expectCode(() => readEpochEndingChunk(new Uint8Array([...bytes, 0, 0])), "MalformedFile");
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    new DataView(longer.buffer).setUint32(0, bytes.length - 3, false); // record length one byte longer: a trailing byte
    expectCode(() => readEpochEndingChunk(longer), "MalformedBcs");
    const badTag = bytes.slice();
    badTag[4] = 1; // LedgerInfoWithSignatures variant 1 does not exist
    expectCode(() => readEpochEndingChunk(badTag), "MalformedBcs");
  });
});

describe("mainnet epoch-117 LedgerInfo (transaction proof)", () => {
  const message = () => utf8Concat(seed("LedgerInfo"), encodeBcs(LedgerInfo, m.li117.ledgerInfo));
  const signerKeys = () => {
    const bits = m.li117.signatures.validatorBitmask;
    return set117.verifier.validatorInfos.filter((_, i) => (bits[i >> 3]! & (0x80 >> (i & 7))) !== 0).map((v) => v.publicKey);
  };

  it("verifies under the set the chunk establishes: 29 of 41 signers", () => {
    const v = verifyLedgerInfo(m.ledger, m.li117);
    expect(v.epoch).toBe(117n);
    expect(v.version).toBe(38200017n);
    expect(v.verifiedBy).not.toBe("waypoint");
    const q = v.verifiedBy as Exclude<typeof v.verifiedBy, "waypoint">;
    expect(q.signers).toHaveLength(29);
    expect(q.signedPower).toBe(29_000_000n);
    expect(q.totalPower).toBe(41_000_000n);
    expect(q.quorumPower).toBe(27_333_334n);
    expect(verifyAggregateSignature(signerKeys(), message(), m.li117.signatures.sig!)).toBe(true);
  });

  it("fails with a flipped byte in the LedgerInfo", () => {
    for (const flip of [(l: Liws) => void (l.ledgerInfo.consensusDataHash[0]! ^= 1), (l: Liws) => void (l.ledgerInfo.commitInfo.timestampUsecs += 1n), (l: Liws) => void (l.ledgerInfo.commitInfo.executedStateId[31]! ^= 0x80)]) {
      const li = clone(m.li117);
      flip(li);
      expectCode(() => verifyLedgerInfoSignatures(set117, li), "SignatureMismatch");
    }
  });

  it("fails with a signer removed from the bitmask, and below quorum with two removed", () => {
    const li = clone(m.li117);
    li.signatures.validatorBitmask = withoutSigner(li.signatures.validatorBitmask, 0);
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "SignatureMismatch");
    li.signatures.validatorBitmask = withoutSigner(li.signatures.validatorBitmask, 3);
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "InsufficientVotingPower");
  });

  it("fails with the APTOS:: seed, the _NUL_ DST and the hashed instead of the raw message", () => {
    const bcsLi = encodeBcs(LedgerInfo, m.li117.ledgerInfo);
    const agg = m.li117.signatures;
    expectCode(() => verifyMultiSignature(set117.verifier, utf8Concat(seed("LedgerInfo", "APTOS::"), bcsLi), agg), "SignatureMismatch");
    expectCode(() => verifyMultiSignature(set117.verifier, sha3_256(message()), agg), "SignatureMismatch");
    expect(verifyAggregateSignature(signerKeys(), message(), agg.sig!, "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_")).toBe(false);
    expect(verifyAggregateSignature(signerKeys(), message(), agg.sig!)).toBe(true);
  });

  it("checks the bitmask shape: exactly ceil(n/8) bytes, no bit at or above n", () => {
    const li = clone(m.li117);
    li.signatures.validatorBitmask = new Uint8Array([...m.li117.signatures.validatorBitmask, 0]);
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "BitmaskLength");
    li.signatures.validatorBitmask = m.li117.signatures.validatorBitmask.slice(0, 5);
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "BitmaskLength");
    li.signatures.validatorBitmask = m.li117.signatures.validatorBitmask.slice();
    li.signatures.validatorBitmask[5]! |= 0x40; // bit 41 of a 41-validator set
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "BitmaskOutOfRange");
    li.signatures.validatorBitmask = m.li117.signatures.validatorBitmask.slice();
    li.signatures.sig = null;
    expectCode(() => verifyLedgerInfoSignatures(set117, li), "MissingSignature");
  });

  it("needs the set of its own epoch", () => {
    expectCode(() => verifyLedgerInfoSignatures({ ...set117, epoch: 118n }, m.li117), "EpochMismatch");
    const li = clone(m.li117);
    li.ledgerInfo.commitInfo.epoch = 118n;
    expectCode(() => verifyLedgerInfo(m.ledger, li), "UnverifiedLedgerInfo");
  });
});

describe("mainnet state snapshot at version 38180075", () => {
  it("establishes the manifest's root at its version", () => {
    const r = verifyStateSnapshot(m.ledger, m.stateManifest, m.stateProof);
    expect(r.version).toBe(38180075n);
    expect(toHex(r.stateRoot)).toBe("b4c9918ddb62469cc3e7e7b2a01b43aeac803470913b3a89afdcc44078df8d8a");
    expect(r.ledgerInfo.verifiedBy).toBe("waypoint");
    expect(r.ledgerInfo.epoch).toBe(116n);
  });

  it("fails with a flipped accumulator sibling, a wrong version, a newer version, another root", () => {
    const li = m.stateProof.ledgerInfo.ledgerInfo;
    const proof = m.stateProof.transactionInfo;
    for (const k of [0, 5, proof.ledgerInfoToTransactionInfoProof.siblings.length - 1]) {
      const siblings = proof.ledgerInfoToTransactionInfoProof.siblings.map((s) => s.slice());
      siblings[k]![0]! ^= 1;
      expectCode(() => verifyTransactionInfo(li, 38180075n, { ...proof, ledgerInfoToTransactionInfoProof: { siblings } }), "AccumulatorRootMismatch");
    }
    expectCode(() => verifyTransactionInfo(li, 38180074n, proof), "AccumulatorRootMismatch");
    expectCode(() => verifyTransactionInfo(li, 38180076n, proof), "VersionTooNew");
    const tooDeep = { siblings: Array.from({ length: 64 }, () => ACCUMULATOR_PLACEHOLDER_HASH) };
    expectCode(() => verifyTransactionInfo(li, 38180075n, { ...proof, ledgerInfoToTransactionInfoProof: tooDeep }), "ProofTooDeep");
    const otherRoot = { ...m.stateManifest, rootHash: m.stateManifest.rootHash.slice() };
    otherRoot.rootHash[0]! ^= 1;
    expectCode(() => verifyStateSnapshot(m.ledger, otherRoot, m.stateProof), "StateRootMismatch");
    expectCode(() => verifyStateSnapshot(m.ledger, { ...m.stateManifest, version: 38180074n }, m.stateProof), "AccumulatorRootMismatch");
    const info = { ...proof.transactionInfo, gasUsed: proof.transactionInfo.gasUsed + 1n };
    expectCode(() => verifyTransactionInfo(li, 38180075n, { ...proof, transactionInfo: info }), "AccumulatorRootMismatch");
    // Dropping the checkpoint changes the leaf, so the proof no longer folds to the root.
    const noCheckpoint = { ...proof.transactionInfo, stateCheckpointHash: null };
    expectCode(() => verifyTransactionInfo(li, 38180075n, { ...proof, transactionInfo: noCheckpoint }), "AccumulatorRootMismatch");
  });

  it("a LedgerInfo at the waypoint's version must hash to the waypoint", () => {
    const liws = clone(m.stateProof.ledgerInfo);
    liws.ledgerInfo.commitInfo.executedStateId[0]! ^= 1;
    expectCode(() => verifyStateSnapshot(m.ledger, m.stateManifest, { ...m.stateProof, ledgerInfo: liws }), "WaypointMismatch");
  });
});

describe("BLS vectors (upstream Aptos bls12381.move)", () => {
  const pk = hexToBytes("94209a296b739577cb076d3bfb1ca8ee936f29b69b7dae436118c4dd1cc26fd43dcd16249476a006b8b949bf022a7858");
  const sig = hexToBytes(
    "b01ce4632e94d8c611736e96aa2ad8e0528a02f927a81a92db8047b002a8c71dc2d6bfb94729d0973790c10b6ece446817e4b7543afd7ca9a17c75de301ae835d66231c26a003f11ae26802b98d90869a9e73788c38739f7ac9d52659e1f7cf7",
  );
  it("single key: the signature of 'Hello Aptos!' verifies; with first byte a0 it does not", () => {
    expect(verifyAggregateSignature([pk], utf8ToBytes("Hello Aptos!"), sig)).toBe(true);
    expect(verifyAggregateSignature([pk], utf8ToBytes("Hello Diem!"), sig)).toBe(false);
    const bad = sig.slice();
    bad[0] = 0xa0;
    let ok: boolean;
    try {
      ok = verifyAggregateSignature([pk], utf8ToBytes("Hello Aptos!"), bad);
    } catch (e) {
      expect((e as OpenLibraError).code).toBe("InvalidSignature");
      ok = false;
    }
    expect(ok).toBe(false);
    // A rogue pair of keys summing to the identity verifies nothing, whatever the "signature".
    const neg = bls12_381.G1.Point.fromBytes(pk).negate().toBytes(true);
    expect(verifyAggregateSignature([pk, neg], utf8ToBytes("Hello Aptos!"), sig)).toBe(false);
  });
  it("proof of possession verifies under the PoP DST and not under the signature DST", () => {
    const popPk = hexToBytes("808864c91ae7a9998b3f5ee71f447840864e56d79838e4785ff5126c51480198df3d972e1e0348c6da80d396983e42d7");
    const pop = hexToBytes(
      "ab42afff92510034bf1232a37a0d31bc8abfc17e7ead9170d2d100f6cf6c75ccdcfedbd31699a112b4464a06fd636f3f190595863677d660b4c5d922268ace421f9e86e3a054946ee34ce29e1f88c1a10f27587cf5ec528d65ba7c0dc4863364",
    );
    expect(verifyProofOfPossession(popPk, pop)).toBe(true);
    expect(verifyAggregateSignature([popPk], popPk, pop)).toBe(false);
  });
});

describe("a synthetic chain built with the package's builder", () => {
  it("ratchets two epochs through a chunk it encodes, and refuses a change signed by the wrong set", () => {
    const a = syntheticEpochChange({ validators: 10, epoch: 5n, label: "chain" });
    const b = syntheticEpochChange({ validators: 10, epoch: 6n, label: "chain" }); // current = the set a hands over to
    const chunk = readEpochEndingChunk(encodeEpochEndingChunk([a.liws, b.liws]));
    const ledger = ratchetEpochChain(waypointOf(a.ledgerInfo), chunk);
    expect(ledger.current.epoch).toBe(7n);
    expect(ledger.changes.map((c) => c.verifiedBy === "waypoint")).toEqual([true, false]);
    const forged = signLedgerInfo(b.ledgerInfo, a.current, allSigners(10)); // epoch-5 keys sign epoch 6
    expectCode(() => ratchetEpochChain(waypointOf(a.ledgerInfo), [a.liws, forged]), "SignatureMismatch");
    const skipped = syntheticEpochChange({ validators: 10, epoch: 7n, label: "chain" });
    expectCode(() => ratchetEpochChain(waypointOf(a.ledgerInfo), [a.liws, skipped.liws]), "EpochMismatch");
  });

  it("vouchers: a quorum of the epoch's set vouches for an attestation set root", () => {
    const s = syntheticEpochChange({ validators: 10, epoch: 9n, label: "voucher" });
    const root = 123456789n;
    const v = signVoucher(9n, root, s.current, [0, 1, 2, 3, 4, 5, 6]);
    expect(verifyVoucher(s.currentState, v, root).signedPower).toBe(7_000_000n);
    expectCode(() => verifyVoucher(s.currentState, v, root + 1n), "VoucherMismatch");
    expectCode(() => verifyVoucher(s.currentState, { ...v, attestationSetRoot: root + 1n }), "SignatureMismatch");
    expectCode(() => verifyVoucher({ ...s.currentState, epoch: 10n }, v), "EpochMismatch");
    expectCode(() => verifyVoucher(s.currentState, signVoucher(9n, root, s.current, [0, 1, 2, 3, 4, 5])), "InsufficientVotingPower");
    expectCode(() => verifyVoucher(s.currentState, signVoucher(9n, root, s.next, allSigners(10))), "SignatureMismatch");
    expect(makeBitmask(10, [0, 9])).toEqual(new Uint8Array([0x80, 0x40]));
  });
});

describe("browser safety", () => {
  it("verifier-ts/openlibra bundles for the browser (no node: imports) and the bundle verifies the mainnet LedgerInfo", async () => {
    const js = new TextDecoder().decode(await bundleForBrowser(new URL("../../verifier-ts/openlibra/index.ts", import.meta.url).pathname));
    expect(js).not.toMatch(/from\s*["']node:/);
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as typeof import("../../verifier-ts/openlibra/index.ts");
    const chunk = mod.readEpochEndingChunk(encodeEpochEndingChunk(m.chunk));
    const ledger = mod.ratchetEpochChain(mod.parseWaypoint(WAYPOINT_116), chunk);
    const liws = mod.decodeBcs(mod.LedgerInfoWithSignatures, encodeBcs(LedgerInfoWithSignatures, m.li117), "li");
    expect(mod.verifyLedgerInfo(ledger, liws).epoch).toBe(117n);
  });
});

function utf8Concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
