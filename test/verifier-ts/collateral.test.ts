// The collateral check: an accepted bundle, each rejection reason, and the bundle's JSON and
// SSZ encodings (round trips, version byte, malformed input). Header proofs use the
// stand-in checker; the state tree, leaves and digests are the Home model's.
import { describe, expect, it } from "vitest";
import {
  BundleFormatError,
  collateralBundleFromJSON,
  collateralBundleToJSON,
  decodeCollateralBundle,
  encodeCollateralBundle,
  parseCollateralBundle,
} from "../../verifier-ts/bundle.ts";
import { collateralBundleSSZ } from "../../verifier-ts/bundleSsz.ts";
import { checkCollateral, type CollateralBundle, type CollateralQuery } from "../../verifier-ts/collateral.ts";
import { ASSET, AWAY_CHAIN, BORROWER, CHAIN_ID, collateralBundle, headerItem, lockup, SET_A, SET_B, SETTLEMENT, STAND_IN } from "./chainFixtures.ts";

const query: CollateralQuery = {
  checkpoint: { chainId: CHAIN_ID, epoch: 3n, validatorSetRoot: SET_A },
  borrower: BORROWER,
  minCredit: 500n * 10n ** 18n,
  awayChainId: AWAY_CHAIN,
  settlementContract: SETTLEMENT,
  validUntil: 1_750_000_000n,
  maxAgeSeconds: 600n,
  now: 1_700_000_100n,
};

describe("checkCollateral", () => {
  it("accepts a locked lockup with enough credit from a fresh header", () => {
    const r = checkCollateral(STAND_IN, collateralBundle(), query);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lockId).toBe(42n);
    expect(r.creditLimit).toBe(1_000n * 10n ** 18n);
    expect(r.creditAsset).toBe(ASSET);
    expect(r.header.height).toBe(5n);
    expect(r.ageSeconds).toBe(95n);
  });

  it("accepts exact boundaries: credit == X, expiry == T, age == S; addresses in any case", () => {
    const r = checkCollateral(STAND_IN, collateralBundle(), {
      ...query,
      borrower: BORROWER.toUpperCase().replace("0X", "0x") as `0x${string}`,
      minCredit: 1_000n * 10n ** 18n,
      validUntil: 1_800_000_000n,
      maxAgeSeconds: 95n,
      creditAsset: ASSET,
    });
    expect(r.ok).toBe(true);
  });

  const reason = (r: ReturnType<typeof checkCollateral>) => (r.ok ? "ok" : r.code);

  it("rejects each failing rule with its own code", () => {
    expect(reason(checkCollateral(STAND_IN, collateralBundle(lockup({ status: 2 })), query))).toBe("NotLocked");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(lockup({ status: 3 })), query))).toBe("NotLocked");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, borrower: ASSET }))).toBe("WrongBorrower");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, minCredit: 1_000n * 10n ** 18n + 1n }))).toBe("InsufficientCredit");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, validUntil: 1_800_000_001n }))).toBe("ExpiresTooSoon");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, maxAgeSeconds: 94n }))).toBe("HeaderTooOld");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, now: 1_700_000_004n }))).toBe("HeaderFromFuture");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, creditAsset: BORROWER }))).toBe("WrongCreditAsset");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, awayChainId: 1n }))).toBe("WrongAwayBinding");
    expect(reason(checkCollateral(STAND_IN, collateralBundle(), { ...query, settlementContract: ASSET }))).toBe("WrongAwayBinding");
  });

  it("refuses a lockup that expires at or before now, also when validUntil is 0", () => {
    const b = collateralBundle(lockup({ expiry: 1_700_000_100n }));
    const at = checkCollateral(STAND_IN, b, { ...query, validUntil: 0n });
    expect(at).toMatchObject({ ok: false, code: "LockupExpired", reason: "lockup 42 expired at 1700000100, at or before now (1700000100)" });
    const long = checkCollateral(STAND_IN, collateralBundle(lockup({ expiry: 1_600_000_000n })), { ...query, validUntil: 0n });
    expect(long).toMatchObject({ ok: false, code: "LockupExpired", reason: "lockup 42 expired at 1600000000, at or before now (1700000100)" });
    expect(checkCollateral(STAND_IN, b, { ...query, validUntil: 0n, now: 1_700_000_099n }).ok).toBe(true);
  });

  it("takes every query field as a JSON user has it: decimal strings, safe numbers, bigints, a JSON checkpoint", () => {
    const json = JSON.parse(
      JSON.stringify({
        checkpoint: { chainId: CHAIN_ID, epoch: "3", validatorSetRoot: SET_A.toString() },
        borrower: BORROWER,
        minCredit: (500n * 10n ** 18n).toString(),
        awayChainId: 31337,
        settlementContract: SETTLEMENT,
        validUntil: 1_750_000_000,
        maxAgeSeconds: "600",
        now: 1_700_000_100,
      }),
    ) as CollateralQuery;
    const r = checkCollateral(STAND_IN, collateralBundle(), json);
    expect(r.ok ? r.ageSeconds : r.reason).toBe(95n);
  });

  it("names both chains in WrongAwayBinding, whatever type the query's chain id has", () => {
    const want = `lockup 42 is bound to chain 31337 contract ${SETTLEMENT}, not chain 1 contract ${SETTLEMENT}`;
    for (const awayChainId of [1, "1", 1n]) {
      expect(checkCollateral(STAND_IN, collateralBundle(), { ...query, awayChainId })).toMatchObject({ ok: false, code: "WrongAwayBinding", reason: want });
    }
  });

  it("answers a bad query field with BadQuery naming it, never by throwing", () => {
    const bad = (patch: Record<string, unknown>) => {
      const r = checkCollateral(STAND_IN, collateralBundle(), { ...query, ...patch } as CollateralQuery);
      return r.ok ? "accepted" : `${r.code}: ${r.reason}`;
    };
    const u64 = (name: string, got: string) => `BadQuery: query.${name} must be a u64 (bigint, safe integer number or decimal string), got ${got}`;
    expect(bad({ now: 1.5 })).toBe(u64("now", "1.5"));
    expect(bad({ now: "soon" })).toBe(u64("now", '"soon"'));
    expect(bad({ now: -1n })).toBe(u64("now", "-1n"));
    expect(bad({ now: 2 ** 60 })).toBe(u64("now", String(2 ** 60)));
    expect(bad({ validUntil: null })).toBe(u64("validUntil", "null"));
    expect(bad({ maxAgeSeconds: [] })).toBe(u64("maxAgeSeconds", "an array"));
    expect(bad({ awayChainId: (1n << 64n).toString() })).toBe(u64("awayChainId", '"18446744073709551616"'));
    expect(bad({ minCredit: "0x10" })).toBe('BadQuery: query.minCredit must be a u256 (bigint, safe integer number or decimal string), got "0x10"');
    expect(bad({ borrower: undefined })).toBe("BadQuery: query.borrower must be a 0x address of 20 bytes, got nothing");
    expect(bad({ settlementContract: "0x1234" })).toBe('BadQuery: query.settlementContract must be a 0x address of 20 bytes, got "0x1234"');
    expect(bad({ creditAsset: 7 })).toBe("BadQuery: query.creditAsset must be a 0x address of 20 bytes, got 7");
    expect(bad({ checkpoint: { chainId: CHAIN_ID, epoch: "x", validatorSetRoot: "1" } })).toBe('BadQuery: query.checkpoint epoch must be a u64, got "x"');
    expect(bad({ checkpoint: undefined })).toBe("BadQuery: query.checkpoint must be an object");
  });

  it("rejects a lockup bound to another contract even if the bundle claims the right one", () => {
    const b = collateralBundle(lockup(), { contract: ASSET });
    expect(reason(checkCollateral(STAND_IN, b, query))).toBe("WrongAwayBinding");
    expect(reason(checkCollateral(STAND_IN, { ...b, awayContract: SETTLEMENT }, query))).toBe("StateProofInvalid");
  });

  it("rejects a payload that differs from the committed leaf, and a wrong path", () => {
    const b = collateralBundle();
    expect(reason(checkCollateral(STAND_IN, { ...b, lockup: { ...b.lockup, creditLimit: b.lockup.creditLimit * 2n } }, query))).toBe("StateProofInvalid");
    expect(reason(checkCollateral(STAND_IN, { ...b, lockup: { ...b.lockup, status: 1, lockId: 43n } }, query))).toBe("StateProofInvalid");
    const siblings = [...b.siblings];
    siblings[0] = siblings[0]! + 1n;
    expect(reason(checkCollateral(STAND_IN, { ...b, siblings }, query))).toBe("StateProofInvalid");
    expect(reason(checkCollateral(STAND_IN, { ...b, siblings: siblings.slice(1) }, query))).toBe("MalformedBundle");
  });

  it("rejects a state height that is not a verified header, a bad chain and a bad version", () => {
    const b = collateralBundle();
    expect(reason(checkCollateral(STAND_IN, { ...b, stateHeight: 4n }, query))).toBe("UnknownStateHeader");
    const forged = { ...b, headers: [...b.headers.slice(0, 2), { ...b.headers[2]!, proof: { ...b.headers[2]!.proof, pi_a: ["0", "2", "1"] } }] };
    const r = checkCollateral(STAND_IN, forged, query);
    expect(r.ok ? null : [r.code, "chainCode" in r ? r.chainCode : null]).toEqual(["HeaderChain", "InvalidProof"]);
    const skipped = { ...b, headers: [b.headers[0]!, b.headers[2]!] };
    const r2 = checkCollateral(STAND_IN, skipped, query);
    expect(r2.ok ? null : r2.reason).toMatch(/^header chain: item 1: header of epoch 4, the current epoch is 3/);
    expect(reason(checkCollateral(STAND_IN, { ...b, version: 1 }, query))).toBe("UnsupportedVersion"); // v1 bundles had no proof kinds
    // The bundle carries a per-validator proof (height 3): without that verifier the chain stops there.
    const noPv = checkCollateral({ aggregated: STAND_IN.aggregated }, b, query);
    expect(noPv.ok ? null : [noPv.code, "chainCode" in noPv ? noPv.chainCode : null]).toEqual(["HeaderChain", "VerifierUnavailable"]);
  });

  it("rejects a bundle that brings its own checkpoint", () => {
    const b = collateralBundle();
    for (const cp of [
      { ...b.checkpoint, validatorSetRoot: SET_B },
      { ...b.checkpoint, epoch: 4n },
      { ...b.checkpoint, chainId: 8 },
      { ...b.checkpoint, height: 1n },
    ]) {
      expect(reason(checkCollateral(STAND_IN, { ...b, checkpoint: cp }, query))).toBe("UntrustedCheckpoint");
    }
  });
});

describe("collateral bundle encodings", () => {
  it("JSON round trip", () => {
    const b = collateralBundle();
    const json = JSON.parse(JSON.stringify(collateralBundleToJSON(b))) as unknown;
    const back = collateralBundleFromJSON(json);
    expect(collateralBundleToJSON(back)).toEqual(collateralBundleToJSON(b));
    expect(checkCollateral(STAND_IN, back, query).ok).toBe(true);
  });

  it("SSZ round trip, version in byte 0, and the same verdicts", () => {
    const b = { ...collateralBundle(), checkpoint: { ...collateralBundle().checkpoint, height: 1n } };
    const q = { ...query, checkpoint: b.checkpoint };
    const bytes = encodeCollateralBundle(b);
    expect(bytes[0]).toBe(2);
    const back = decodeCollateralBundle(bytes);
    expect(collateralBundleToJSON(back)).toEqual(collateralBundleToJSON(b));
    expect(encodeCollateralBundle(back)).toEqual(bytes);
    const T = collateralBundleSSZ().CollateralBundle;
    expect(T.hashTreeRoot(T.deserialize(bytes))).toEqual(T.hashTreeRoot(T.deserialize(encodeCollateralBundle(back))));
    expect(checkCollateral(STAND_IN, back, q).ok).toBe(true);
    expect(parseCollateralBundle(bytes).lockup).toEqual(b.lockup);
    expect(parseCollateralBundle(`  \n${JSON.stringify(collateralBundleToJSON(b))}`).checkpoint).toEqual(b.checkpoint);
  });

  it("the hand-written SSZ codec writes exactly the bytes of the @chainsafe/ssz container", () => {
    const T = collateralBundleSSZ().CollateralBundle;
    const unhex = (h: string) => Uint8Array.from(h.slice(2).match(/../g)!.map((x) => parseInt(x, 16)));
    const sszValue = (b: CollateralBundle) => ({
      version: b.version,
      checkpoint: {
        chainId: b.checkpoint.chainId,
        epoch: b.checkpoint.epoch,
        validatorSetRoot: b.checkpoint.validatorSetRoot,
        hasHeight: b.checkpoint.height === undefined ? 0 : 1,
        height: b.checkpoint.height ?? 0n,
      },
      headers: b.headers.map((h) => ({
        kind: h.kind === "aggregated" ? 0 : 1,
        piA: h.proof.pi_a.slice(0, 2).map(BigInt),
        piB: [...h.proof.pi_b[0]!, ...h.proof.pi_b[1]!].map(BigInt),
        piC: h.proof.pi_c.slice(0, 2).map(BigInt),
        publicSignals: h.publicSignals.map(BigInt),
      })),
      stateHeight: b.stateHeight,
      lockup: { ...b.lockup, owner: unhex(b.lockup.owner), borrower: unhex(b.lockup.borrower), creditAsset: unhex(b.lockup.creditAsset) },
      awayChainId: b.awayChainId,
      awayContract: unhex(b.awayContract),
      siblings: b.siblings,
    });
    for (const b of [collateralBundle(), { ...collateralBundle(), headers: [] }, { ...collateralBundle(), checkpoint: { ...collateralBundle().checkpoint, height: 9n } }]) {
      const ours = encodeCollateralBundle(b);
      expect(ours).toEqual(T.serialize(sszValue(b)));
      expect(collateralBundleToJSON(decodeCollateralBundle(T.serialize(sszValue(b))))).toEqual(collateralBundleToJSON(b));
    }
  });

  it("types a file by its content: JSON with a UTF-8 byte order mark or whitespace is JSON, not SSZ", () => {
    const b = collateralBundle();
    const text = JSON.stringify(collateralBundleToJSON(b));
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(parseCollateralBundle(bom).lockup).toEqual(b.lockup);
    expect(parseCollateralBundle(`\uFEFF${text}`).lockup).toEqual(b.lockup);
    expect(parseCollateralBundle(new TextEncoder().encode(`\r\n\t ${text}`)).lockup).toEqual(b.lockup);
    expect(parseCollateralBundle(encodeCollateralBundle(b)).lockup).toEqual(b.lockup);
  });

  it("rejects unknown versions, truncated bytes and malformed JSON with BundleFormatError", () => {
    const bytes = encodeCollateralBundle(collateralBundle());
    const v1 = bytes.slice();
    v1[0] = 1;
    expect(() => decodeCollateralBundle(v1)).toThrow(/version 1 is not supported/);
    const badKind = bytes.slice();
    badKind[badKind.length - 12 * 32 - 1] = 2; // the last header proof's kind byte
    expect(() => decodeCollateralBundle(badKind)).toThrow(/kind must be 0 \(aggregated\) or 1/);
    expect(() => decodeCollateralBundle(bytes.slice(0, bytes.length - 5))).toThrow(BundleFormatError);
    expect(() => decodeCollateralBundle(bytes.slice(0, 100))).toThrow(/the fixed part alone/);
    const badOffset = bytes.slice();
    badOffset[55] = 0;
    badOffset[56] = 0;
    expect(() => decodeCollateralBundle(badOffset)).toThrow(/headers offset/);
    expect(() => parseCollateralBundle("{ not json")).toThrow(/not valid JSON/);
    expect(() => parseCollateralBundle(new TextEncoder().encode("hello"))).toThrow(/^bundle is not valid JSON: /);
    const json = collateralBundleToJSON(collateralBundle());
    expect(() => collateralBundleFromJSON({ ...json, version: 9 })).toThrow(/version 9/);
    expect(() => collateralBundleFromJSON({ ...json, awayContract: "0x1234" })).toThrow(/awayContract must be 0x followed by 40 hex digits/);
    expect(() => collateralBundleFromJSON({ ...json, siblings: json.siblings.slice(1) })).toThrow(/siblings must be an array of 32/);
    expect(() => collateralBundleFromJSON({ ...json, stateHeight: "-1" })).toThrow(/stateHeight/);
    const bad = headerItem({ epoch: 3n, height: 2n, setRoot: SET_A });
    expect(() => collateralBundleFromJSON({ ...json, headers: [{ ...bad, publicSignals: ["1"] }] })).toThrow(/publicSignals must be an array of 4/);
    expect(() => collateralBundleFromJSON({ ...json, headers: [{ ...bad, kind: "fast" }] })).toThrow(/kind must be "aggregated" or "perValidator"/);
  });
});
