// verifier-ts on real header proofs of both circuits (dev artifacts of olzk setup): the chain
// from the checkpoint through a rotation with aggregated proofs, with per-validator proofs and
// with both mixed, each checked with its own key; the collateral check on the rotated epoch's
// state; and agreement with snarkjs on valid and tampered variants of the real proofs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCollateral } from "../../verifier-ts/collateral.ts";
import { verifyGroth16 } from "../../verifier-ts/groth16.ts";
import { headerProofVerifiers, verifyHeaderChain } from "../../verifier-ts/headerChain.ts";
import { checkValidatorSetBindings } from "../../verifier-ts/validatorSet.ts";
import { validatorSetRoot } from "../../home/model/validators.ts";
import { tamperedVariants } from "../vectors/groth16-vectors.ts";
import {
  HQ_AWAY_CHAIN,
  HQ_BORROWER,
  HQ_CHAIN_ID,
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

describe("real header proofs (aggregated and per-validator)", () => {
  it("verifies the chain through the rotation with aggregated proofs, with per-validator proofs, and with both mixed", () => {
    for (const items of [f.items, f.perValidatorItems, [f.perValidatorItems[0]!, f.items[1]!, f.perValidatorItems[2]!]]) {
      const r = verifyHeaderChain(f.vkeys, f.checkpoint, items);
      expect(r.ok).toBe(true);
      expect(r.headers.map((h) => [h.epoch, h.height])).toEqual([
        [0n, 1n],
        [0n, 2n],
        [1n, 3n],
      ]);
      expect(r.cursor.validatorSetRoot).toBe(validatorSetRoot(f.setB));
    }
    // The two proofs of a header have the same public inputs.
    expect(f.perValidatorItems.map((x) => x.publicSignals)).toEqual(f.items.map((x) => x.publicSignals));
  });

  it("checks each proof with its own kind's key: a proof under the other kind, or without that key, is refused", () => {
    const swapped = f.items.map((it, i) => (i === 1 ? { ...it, kind: "perValidator" as const } : it));
    expect(verifyHeaderChain(f.vkeys, f.checkpoint, swapped)).toMatchObject({ ok: false, code: "InvalidProof", index: 1 });
    expect(verifyHeaderChain({ aggregated: f.vkeys.aggregated }, f.checkpoint, f.perValidatorItems)).toMatchObject({ ok: false, code: "VerifierUnavailable", index: 0 });
  });

  it("rejects a forged public input (the proof does not cover it)", () => {
    for (const items of [f.items, f.perValidatorItems]) {
      const forged = items.map((it, i) => (i === 2 ? { ...it, publicSignals: [it.publicSignals[0]!, "12345", ...it.publicSignals.slice(2)] } : it));
      const r = verifyHeaderChain(f.vkeys, f.checkpoint, forged);
      expect(r.ok ? null : [r.code, r.index]).toEqual(["InvalidProof", 2]);
    }
  });

  it("reports a second real header at height 1, validly signed by the same set, as an equivocation", () => {
    const r = verifyHeaderChain(f.vkeys, f.checkpoint, [f.items[0]!, f.equivocation]);
    expect(r).toMatchObject({ ok: false, code: "Equivocation", index: 1, reason: "item 1: equivocation: another header at height 1 than item 0, with a valid proof by the set of epoch 0" });
    // Whatever circuit proved the first one.
    expect(verifyHeaderChain(f.vkeys, f.checkpoint, [f.perValidatorItems[0]!, f.equivocation])).toMatchObject({ ok: false, code: "Equivocation" });
    expect(verifyHeaderChain(f.vkeys, f.checkpoint, [f.equivocation]).ok).toBe(true);
    // The same conflicting header with a proof that does not verify accuses nobody.
    const unproven = { ...f.equivocation, proof: f.items[1]!.proof };
    expect(verifyHeaderChain(f.vkeys, f.checkpoint, [f.items[0]!, unproven])).toMatchObject({ ok: false, code: "HeightNotIncreasing" });
  });

  it("rejects skipping the epoch-ending header", () => {
    const r = verifyHeaderChain(f.vkeys, f.checkpoint, [f.items[0]!, f.items[2]!]);
    expect(r.ok ? null : r.code).toBe("WrongEpoch");
  });

  it("agrees with snarkjs on tampered variants of real proofs of both circuits", async () => {
    const snarkjs = await loadSnarkjs();
    for (const [name, kind, items] of [["AggregatedHeaderQuorum", "aggregated", f.items], ["HeaderQuorum", "perValidator", f.perValidatorItems]] as const) {
      const it0 = items[1]!;
      for (const v of tamperedVariants(name, f.vkeys[kind], it0.proof, it0.publicSignals.map(String))) {
        expect(verifyGroth16(v.vkey, v.publicSignals, v.proof), `${name} ${v.name}`).toBe(v.expected);
        if (v.solidityEncodable) expect(await snarkjs.groth16.verify(v.vkey, v.publicSignals, v.proof), `${name} ${v.name}`).toBe(v.expected);
      }
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
    const verifier = headerProofVerifiers(f.vkeys);
    const r = checkCollateral(verifier, f.bundle, query);
    expect(r.ok ? r.header.height : r.reason).toBe(3n);
    expect(checkCollateral(verifier, f.bundle, { ...query, now: query.now + 31n })).toMatchObject({ ok: false, code: "HeaderTooOld" });
    expect(checkCollateral(verifier, f.bundle, { ...query, minCredit: 250_000n * 10n ** 6n + 1n })).toMatchObject({ ok: false, code: "InsufficientCredit" });
  });

  it("the fixture's validator sets are accepted (keys, proofs of possession, BLS bindings) with the commitments the proofs carry", () => {
    expect(checkValidatorSetBindings(f.setA, f.checkpoint.validatorSetRoot, HQ_CHAIN_ID).ok).toBe(true);
    expect(checkValidatorSetBindings(f.setB, BigInt(f.items[1]!.publicSignals[3]!), HQ_CHAIN_ID).ok).toBe(true);
  });
});
