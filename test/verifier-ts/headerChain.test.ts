// Header-chain rules of verifier-ts (same as HomeLightClient): rotation, wrong set root,
// past/future epoch, non-increasing height, wrong chain, malformed meta and invalid proofs, and
// each proof checked with the verifier of its kind (aggregated or per-validator); beyond the
// contract: no empty chains, equivocation reported, JSON checkpoints accepted. The proof
// check is a stand-in here; real Groth16 proofs drive it in headerQuorum.real.test.ts.
import { describe, expect, it } from "vitest";
import { verifyHeaderChain, decodeMeta, type Checkpoint } from "../../verifier-ts/headerChain.ts";
import { CHAIN_ID, headerItem, SET_A, SET_B, SET_C, STAND_IN } from "./chainFixtures.ts";

const checkpoint: Checkpoint = { chainId: CHAIN_ID, epoch: 3n, validatorSetRoot: SET_A };

describe("verifyHeaderChain", () => {
  it("accepts a chain through two rotations and returns the verified headers", () => {
    const r = verifyHeaderChain(STAND_IN, checkpoint, [
      headerItem({ epoch: 3n, height: 1n, setRoot: SET_A }),
      headerItem({ epoch: 3n, height: 4n, setRoot: SET_A, nextSetRoot: SET_B }),
      headerItem({ epoch: 4n, height: 5n, setRoot: SET_B, nextSetRoot: SET_C }),
      headerItem({ epoch: 5n, height: 9n, setRoot: SET_C, stateRoot: 999n, timestampMs: 1_234_567n }),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.headers.map((h) => [h.epoch, h.height])).toEqual([
      [3n, 1n],
      [3n, 4n],
      [4n, 5n],
      [5n, 9n],
    ]);
    expect(r.headers[3]).toEqual({
      chainId: CHAIN_ID,
      epoch: 5n,
      height: 9n,
      timestampMs: 1_234_567n,
      stateRoot: 999n,
      validatorSetRoot: SET_C,
      nextValidatorSetRoot: 0n,
    });
    expect(r.cursor).toEqual({ chainId: CHAIN_ID, epoch: 5n, validatorSetRoot: SET_C, height: 9n });
  });

  it("checks each item with the verifier of its kind, and refuses a kind it has no verifier for", () => {
    const items = [
      headerItem({ epoch: 3n, height: 1n, setRoot: SET_A, kind: "perValidator" }),
      headerItem({ epoch: 3n, height: 2n, setRoot: SET_A, nextSetRoot: SET_B }),
    ];
    const seen: string[] = [];
    const spy = (kind: string) => () => {
      seen.push(kind);
      return { ok: true as const };
    };
    expect(verifyHeaderChain({ aggregated: spy("aggregated"), perValidator: spy("perValidator") }, checkpoint, items).ok).toBe(true);
    expect(seen).toEqual(["perValidator", "aggregated"]);
    const r = verifyHeaderChain({ aggregated: spy("aggregated") }, checkpoint, items);
    expect(r).toMatchObject({ ok: false, code: "VerifierUnavailable", index: 0 });
    const bad = { ...items[0]!, kind: "both" as never };
    expect(verifyHeaderChain(STAND_IN, checkpoint, [bad])).toMatchObject({ ok: false, code: "MalformedItem", index: 0 });
  });

  it("refuses an empty chain: it proves nothing", () => {
    const r = verifyHeaderChain(STAND_IN, { ...checkpoint, height: 10n }, []);
    expect(r).toMatchObject({ ok: false, code: "NoHeaders", index: -1, reason: "no header proofs: a chain must carry at least one header" });
  });

  it("accepts a checkpoint as JSON has it (decimal strings, numbers) and names a bad field", () => {
    const items = [headerItem({ epoch: 3n, height: 11n, setRoot: SET_A })];
    const json = { chainId: String(CHAIN_ID), epoch: "3", validatorSetRoot: SET_A.toString(), height: 10 };
    const r = verifyHeaderChain(STAND_IN, json, items);
    expect(r.ok ? r.cursor : r.reason).toEqual({ chainId: CHAIN_ID, epoch: 3n, validatorSetRoot: SET_A, height: 11n });
    expect(verifyHeaderChain(STAND_IN, { ...json, epoch: 3 }, items).ok).toBe(true);
    expect(verifyHeaderChain(STAND_IN, { ...json, epoch: "-3" }, items)).toMatchObject({ code: "BadCheckpoint", reason: 'checkpoint epoch must be a u64, got "-3"' });
    expect(verifyHeaderChain(STAND_IN, { ...json, validatorSetRoot: 1.5 }, items)).toMatchObject({
      code: "BadCheckpoint",
      reason: "checkpoint validatorSetRoot must be a non-zero field element, got 1.5",
    });
  });

  it("reports two valid, different headers at one height as an equivocation", () => {
    const h5 = headerItem({ epoch: 3n, height: 5n, setRoot: SET_A });
    const other = headerItem({ epoch: 3n, height: 5n, setRoot: SET_A, stateRoot: 999n });
    const r = reject([headerItem({ epoch: 3n, height: 4n, setRoot: SET_A }), h5, other]);
    expect(r).toMatchObject({ code: "Equivocation", index: 2, reason: "item 2: equivocation: another header at height 5 than item 1, with a valid proof by the set of epoch 3" });
    // After a rotation at height 5, the next set signing another height-5 header equivocates too.
    const rot = headerItem({ epoch: 3n, height: 5n, setRoot: SET_A, nextSetRoot: SET_B });
    expect(reject([rot, headerItem({ epoch: 4n, height: 5n, setRoot: SET_B })]).code).toBe("Equivocation");
  });

  it("does not call a repeated header, an unproven one or an untrusted set's an equivocation", () => {
    const h5 = headerItem({ epoch: 3n, height: 5n, setRoot: SET_A });
    expect(reject([h5, h5]).code).toBe("HeightNotIncreasing");
    expect(reject([h5, headerItem({ epoch: 3n, height: 5n, setRoot: SET_A, stateRoot: 1n, valid: false })]).code).toBe("HeightNotIncreasing");
    expect(reject([h5, headerItem({ epoch: 3n, height: 5n, setRoot: SET_C, stateRoot: 1n })]).code).toBe("HeightNotIncreasing");
  });

  const reject = (items: ReturnType<typeof headerItem>[], cp: Checkpoint = checkpoint) => {
    const r = verifyHeaderChain(STAND_IN, cp, items);
    if (r.ok) throw new Error("expected a rejection");
    return r;
  };

  it("rejects a header signed by the wrong set", () => {
    const r = reject([headerItem({ epoch: 3n, height: 1n, setRoot: SET_B })]);
    expect(r.code).toBe("WrongValidatorSet");
    expect(r.index).toBe(0);
  });

  it("rejects the old set after a rotation", () => {
    const r = reject([
      headerItem({ epoch: 3n, height: 1n, setRoot: SET_A, nextSetRoot: SET_B }),
      headerItem({ epoch: 4n, height: 2n, setRoot: SET_A }),
    ]);
    expect(r.code).toBe("WrongValidatorSet");
    expect(r.index).toBe(1);
    expect(r.headers).toHaveLength(1);
    expect(r.cursor.epoch).toBe(4n);
  });

  it("rejects a past epoch after rotating, and a skipped epoch", () => {
    expect(
      reject([
        headerItem({ epoch: 3n, height: 1n, setRoot: SET_A, nextSetRoot: SET_B }),
        headerItem({ epoch: 3n, height: 2n, setRoot: SET_A }),
      ]).code,
    ).toBe("WrongEpoch");
    expect(reject([headerItem({ epoch: 4n, height: 1n, setRoot: SET_A })]).code).toBe("WrongEpoch");
    expect(reject([headerItem({ epoch: 2n, height: 1n, setRoot: SET_A })]).reason).toMatch(/epoch 2, the current epoch is 3/);
  });

  it("rejects equal and decreasing heights, and heights at or below the checkpoint", () => {
    expect(
      reject([headerItem({ epoch: 3n, height: 5n, setRoot: SET_A }), headerItem({ epoch: 3n, height: 5n, setRoot: SET_A })]).code,
    ).toBe("HeightNotIncreasing");
    expect(
      reject([headerItem({ epoch: 3n, height: 5n, setRoot: SET_A }), headerItem({ epoch: 3n, height: 4n, setRoot: SET_A })]).code,
    ).toBe("HeightNotIncreasing");
    expect(reject([headerItem({ epoch: 3n, height: 10n, setRoot: SET_A })], { ...checkpoint, height: 10n }).code).toBe("HeightNotIncreasing");
  });

  it("rejects another chain's header, malformed meta and out-of-field inputs", () => {
    expect(reject([headerItem({ epoch: 3n, height: 1n, setRoot: SET_A, chainId: 8 })]).code).toBe("WrongChainId");
    const bigMeta = headerItem({ epoch: 3n, height: 1n, setRoot: SET_A });
    bigMeta.publicSignals = [(1n << 224n).toString(), ...bigMeta.publicSignals.slice(1)];
    expect(reject([bigMeta]).code).toBe("MalformedMeta");
    const r = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
    const outOfField = headerItem({ epoch: 3n, height: 1n, setRoot: SET_A });
    outOfField.publicSignals = [outOfField.publicSignals[0]!, r.toString(), SET_A.toString(), "0"];
    expect(reject([outOfField]).code).toBe("PublicInputNotInField");
    const short = headerItem({ epoch: 3n, height: 1n, setRoot: SET_A });
    short.publicSignals = short.publicSignals.slice(0, 3);
    expect(reject([short]).code).toBe("MalformedItem");
  });

  it("rejects ending the last representable epoch", () => {
    const max = (1n << 64n) - 1n;
    const r = reject([headerItem({ epoch: max, height: 1n, setRoot: SET_A, nextSetRoot: SET_B })], { ...checkpoint, epoch: max });
    expect(r.code).toBe("MalformedMeta");
    expect(verifyHeaderChain(STAND_IN, { ...checkpoint, epoch: max }, [headerItem({ epoch: max, height: 1n, setRoot: SET_A })]).ok).toBe(true);
  });

  it("rejects an invalid proof after the cheap checks pass", () => {
    const r = reject([headerItem({ epoch: 3n, height: 1n, setRoot: SET_A }), headerItem({ epoch: 3n, height: 2n, setRoot: SET_A, valid: false })]);
    expect(r.code).toBe("InvalidProof");
    expect(r.index).toBe(1);
    expect(r.reason).toBe("item 1: invalid aggregated header proof (pairing check failed)");
  });

  it("rejects a bad checkpoint", () => {
    expect(reject([], { ...checkpoint, validatorSetRoot: 0n }).code).toBe("BadCheckpoint");
    expect(reject([], { ...checkpoint, chainId: -1 }).reason).toBe("checkpoint chainId must be a u32, got -1");
  });

  it("decodes meta like the model packs it", () => {
    const item = headerItem({ epoch: 12n, height: 34n, setRoot: SET_A, timestampMs: 56n, chainId: 78 });
    expect(decodeMeta(BigInt(item.publicSignals[0]!))).toEqual({ chainId: 78, epoch: 12n, height: 34n, timestampMs: 56n });
    expect(decodeMeta(1n << 224n)).toBeNull();
  });
});
