// verifier-ts on real HeaderQuorum proofs (dev artifacts of olzk setup): the chain from the
// checkpoint through a rotation, the collateral check on the rotated epoch's state, and
// agreement with snarkjs on valid and tampered variants of the real proofs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCollateral } from "../../verifier-ts/collateral.ts";
import { verifyGroth16 } from "../../verifier-ts/groth16.ts";
import { headerProofVerifier, verifyHeaderChain } from "../../verifier-ts/headerChain.ts";
import { checkValidatorSetBindings } from "../../verifier-ts/validatorSet.ts";
import { validatorSetRoot } from "../../home/model/validators.ts";
import { tamperedVariants } from "../vectors/groth16-vectors.ts";
import {
  HQ_AWAY_CHAIN,
  HQ_BORROWER,
  HQ_SETTLEMENT,
  HQ_STATE_TIME_MS,
  headerQuorumFixture,
  type HeaderQuorumFixture,
} from "../vectors/headerQuorum-vectors.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

let f: HeaderQuorumFixture;

beforeAll(async () => {
  f = await headerQuorumFixture();
});

afterAll(async () => {
  await terminateSnarkjsCurves();
});

describe("real HeaderQuorum proofs", () => {
  it("verifies the chain through the rotation", () => {
    const r = verifyHeaderChain(f.vkey, f.checkpoint, f.items);
    expect(r.ok).toBe(true);
    expect(r.headers.map((h) => [h.epoch, h.height])).toEqual([
      [0n, 1n],
      [0n, 2n],
      [1n, 3n],
    ]);
    expect(r.cursor.validatorSetRoot).toBe(validatorSetRoot(f.setB));
  });

  it("rejects a forged public input (the proof does not cover it)", () => {
    const forged = f.items.map((it, i) => (i === 2 ? { ...it, publicSignals: [it.publicSignals[0]!, "12345", ...it.publicSignals.slice(2)] } : it));
    const r = verifyHeaderChain(f.vkey, f.checkpoint, forged);
    expect(r.ok ? null : [r.code, r.index]).toEqual(["InvalidProof", 2]);
  });

  it("reports a second real header at height 1, validly signed by the same set, as an equivocation", () => {
    const r = verifyHeaderChain(f.vkey, f.checkpoint, [f.items[0]!, f.equivocation]);
    expect(r).toMatchObject({ ok: false, code: "Equivocation", index: 1, reason: "item 1: equivocation: another header at height 1 than item 0, with a valid proof by the set of epoch 0" });
    expect(verifyHeaderChain(f.vkey, f.checkpoint, [f.equivocation]).ok).toBe(true);
    // The same conflicting header with a proof that does not verify accuses nobody.
    const unproven = { ...f.equivocation, proof: f.items[1]!.proof };
    expect(verifyHeaderChain(f.vkey, f.checkpoint, [f.items[0]!, unproven])).toMatchObject({ ok: false, code: "HeightNotIncreasing" });
  });

  it("rejects skipping the epoch-ending header", () => {
    const r = verifyHeaderChain(f.vkey, f.checkpoint, [f.items[0]!, f.items[2]!]);
    expect(r.ok ? null : r.code).toBe("WrongEpoch");
  });

  it("agrees with snarkjs on tampered variants of a real proof", async () => {
    const snarkjs = await loadSnarkjs();
    const it0 = f.items[1]!;
    for (const v of tamperedVariants("HeaderQuorum", f.vkey, it0.proof, it0.publicSignals.map(String))) {
      expect(verifyGroth16(v.vkey, v.publicSignals, v.proof), v.name).toBe(v.expected);
      if (v.solidityEncodable) expect(await snarkjs.groth16.verify(v.vkey, v.publicSignals, v.proof), v.name).toBe(v.expected);
    }
  });

  it("answers the collateral question from the real bundle", () => {
    const query = {
      checkpoint: f.checkpoint,
      borrower: HQ_BORROWER,
      minCredit: 100_000n * 10n ** 6n,
      awayChainId: HQ_AWAY_CHAIN,
      settlementContract: HQ_SETTLEMENT,
      validUntil: 1_790_000_000n,
      maxAgeSeconds: 60n,
      now: HQ_STATE_TIME_MS / 1000n + 30n,
    };
    const verifier = headerProofVerifier(f.vkey);
    const r = checkCollateral(verifier, f.bundle, query);
    expect(r.ok ? r.header.height : r.reason).toBe(3n);
    expect(checkCollateral(verifier, f.bundle, { ...query, now: query.now + 31n })).toMatchObject({ ok: false, code: "HeaderTooOld" });
    expect(checkCollateral(verifier, f.bundle, { ...query, minCredit: 250_000n * 10n ** 6n + 1n })).toMatchObject({ ok: false, code: "InsufficientCredit" });
  });

  it("the fixture's validator sets are BLS-bound to the roots the proofs carry", () => {
    expect(checkValidatorSetBindings(f.setA, f.checkpoint.validatorSetRoot).ok).toBe(true);
    expect(checkValidatorSetBindings(f.setB, BigInt(f.items[1]!.publicSignals[3]!)).ok).toBe(true);
  });
});
