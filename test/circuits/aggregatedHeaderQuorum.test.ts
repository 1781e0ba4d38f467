// AggregatedHeaderQuorum(N) at the dev profile: the circuit accepts a header attested by a real
// aggregated signing session (home/attestation/), exposes the same public inputs as
// HeaderQuorum, and rejects (by a failing constraint, located in circom's trace) every way of
// faking an aggregate the issue lists: a bit that is not boolean, a key summed whose bit is 0,
// an aggregate over a set other than the committed one, exactly 2/3, the identity as aggregate
// key, a subset that misses quorum, and more. The rogue key is a set property the circuit
// cannot see: the test shows it accepts such a set, which is why Home and verifier-ts refuse
// it (test/home/model/attestation-key.test.ts, test/verifier-ts/validatorSet.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { calculateWitness, compileCircuit, type CompiledCircuit } from "../../circuits/build.ts";
import { PROFILES } from "../../circuits/profiles.ts";
import {
  BABYJUB_SUBORDER,
  FIELD_MODULUS,
  TAG_HEADER,
  addPoint,
  checkAggregateSignature,
  checkValidatorSet,
  expandPrivateKey,
  mulBase8,
  packMeta,
  popChallenge,
  poseidon,
  validatorSetRoot,
  type AggregateSignature,
  type Header,
  type ValidatorSet,
} from "../../home/model/index.ts";
import { aggregatedHeaderQuorumInput, headerQuorumInput, type HeaderQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import {
  CHAIN_ID,
  aggregatedHeader,
  clone,
  dealerAggregate,
  dealerSign,
  expectConstraintFailure,
  header,
  privateKey,
  rawCommitment,
  signedHeader,
  validator,
  validatorSet,
} from "./fixtures.ts";

const N = PROFILES.dev.N;
let circuit: CompiledCircuit;

beforeAll(async () => {
  circuit = await compileCircuit("AggregatedHeaderQuorum", { N });
});

const accept = (input: HeaderQuorumInput) => calculateWitness(circuit.wasmPath, input);
const reject = (input: HeaderQuorumInput, where?: RegExp) => expectConstraintFailure(circuit.wasmPath, input, where);
const IN_QUORUM = /Error in template QuorumCheck_\d+/;
const IN_SIGNATURE = /Error in template EdDSAPoseidonVerifier_\d+/;
const IN_META = /Error in template HeaderMeta_\d+/;
const IN_POWER_RANGE = /Error in template RangeCheck_\d+[^\n]*\nError in template QuorumCheck_\d+/;
const IN_TOP = /^(Error: )?Assert Failed\.\nError in template AggregatedHeaderQuorum_\d+ line/;
const arr = (input: HeaderQuorumInput, k: string) => input[k] as string[];
const bits = (slots: number[]) => Array.from({ length: N }, (_, i) => slots.includes(i));

/** Input for `h` over `set` with the aggregate `agg` (the model builder, then a raw override of signers). */
function inputFor(set: ValidatorSet, h: Header, agg: AggregateSignature): HeaderQuorumInput {
  return aggregatedHeaderQuorumInput({ ...signedHeader(set, [], h), header: h, aggregate: agg });
}

/** headerHash of an input's header fields as given (even out of range). */
function hashOf(input: HeaderQuorumInput): bigint {
  const f = (k: string) => BigInt(input[k] as string);
  return poseidon([TAG_HEADER, f("chainId"), f("epoch"), f("height"), f("timestampMs"), f("parentHash"), f("stateRoot"), f("validatorSetRoot"), f("nextValidatorSetRoot")]);
}

/** Re-signs an input's header fields (as given) by a dealer holding the secrets of `keys`. */
function resign(input: HeaderQuorumInput, keys: number[]): HeaderQuorumInput {
  let apk = { x: 0n, y: 1n };
  let secret = 0n;
  for (const i of keys) {
    apk = addPoint(apk, mulBase8(expandPrivateKey(privateKey(i)).s >> 3n));
    secret = (secret + expandPrivateKey(privateKey(i)).s) % BABYJUB_SUBORDER;
  }
  const r = 777n;
  const R = mulBase8(r);
  const hm = poseidon([R.x, R.y, apk.x, apk.y, hashOf(input)]);
  return { ...clone(input), R8x: R.x.toString(), R8y: R.y.toString(), S: ((r + hm * secret) % BABYJUB_SUBORDER).toString() };
}

describe("AggregatedHeaderQuorum accepts", () => {
  it("a header attested by a real two-nonce session, exposing [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot]", async () => {
    const set = validatorSet(N, [10n, 20n, 30n, null]);
    const sh = aggregatedHeader(set, [1, 2], { nextValidatorSetRoot: 555n });
    expect(checkAggregateSignature(sh.header, set, sh.aggregate!)).toEqual({ ok: true });
    const w = await accept(aggregatedHeaderQuorumInput(sh));
    expect(w.slice(1, 5)).toEqual([packMeta(sh.header), sh.header.stateRoot, validatorSetRoot(set), 555n]);
  });

  it("the same public inputs as HeaderQuorum for the same header and set", async () => {
    const set = validatorSet(N, [10n, 10n, 10n, 10n]);
    const agg = aggregatedHeaderQuorumInput(aggregatedHeader(set, [0, 1, 2]));
    const per = headerQuorumInput(signedHeader(set, [0, 1, 2]));
    for (const k of ["meta", "stateRoot", "validatorSetRoot", "nextValidatorSetRoot"]) expect(agg[k]).toBe(per[k]);
  });

  it("the minimal quorum just above 2/3 (201 of 300) and maximal u64 powers", async () => {
    await accept(aggregatedHeaderQuorumInput(aggregatedHeader(validatorSet(N, [101n, 100n, 99n, null]), [0, 1])));
    const max = (1n << 64n) - 1n;
    await accept(aggregatedHeaderQuorumInput(aggregatedHeader(validatorSet(N, [max, max, max, max]), [0, 1, 2, 3])));
  });
});

describe("AggregatedHeaderQuorum rejects", () => {
  const set = validatorSet(N, [10n, 10n, 10n, 10n]);
  let input: HeaderQuorumInput;
  beforeAll(() => {
    input = aggregatedHeaderQuorumInput(aggregatedHeader(set, [0, 1, 2])); // 30 of 40
  });

  it("a bit that is not boolean (2, and -1) on otherwise valid data", async () => {
    // Slots 0 and 1 sign with powers 30, 30 of 70; counting slot 1 twice would not even be needed,
    // but a bit of 2 is refused before anything else.
    const heavy = validatorSet(N, [30n, 30n, 5n, 5n]);
    const ok = aggregatedHeaderQuorumInput(aggregatedHeader(heavy, [0, 1]));
    await accept(ok);
    for (const v of ["2", (FIELD_MODULUS - 1n).toString()]) {
      const bad = clone(ok);
      arr(bad, "signer")[1] = v;
      await reject(bad, IN_QUORUM);
    }
    // bit 2 on slot 0 with slot 1 unset: 2 * 30 = 60 of 70 would be a quorum; the boolean check refuses it.
    const dbl = clone(ok);
    arr(dbl, "signer")[0] = "2";
    arr(dbl, "signer")[1] = "0";
    await reject(dbl, IN_QUORUM);
  });

  it("a key summed whose bit is 0: a signature by {0, 1, 2} claimed for the quorum {0, 1}", async () => {
    const heavy = validatorSet(N, [30n, 30n, 10n, 10n]); // {0, 1}: 60 of 80 > 2/3
    const h = header(heavy);
    const byThree = dealerAggregate(h, [0, 1, 2], bits([0, 1]));
    await reject(inputFor(heavy, h, byThree), IN_SIGNATURE);
    // With the bit set the same signature is accepted: Apk is the circuit's own sum.
    await accept(inputFor(heavy, h, { ...byThree, signers: bits([0, 1, 2]) }));
  });

  it("an aggregate over a set other than the committed one", async () => {
    // The signers' keys are another set's (slot 3 differs): committing to `set` while summing them fails.
    const other = { ...set, validators: set.validators.map((v, i) => (i === 3 ? validator(9, 10n) : v)) };
    const h = header(set);
    const sig = dealerAggregate(h, [0, 1, 9], bits([0, 1, 3]));
    const bad = clone(inputFor(set, h, sig));
    arr(bad, "Ax")[3] = other.validators[3]!.attestationKey.Ax.toString();
    arr(bad, "Ay")[3] = other.validators[3]!.attestationKey.Ay.toString();
    await reject(bad, IN_TOP);
    // And a valid aggregate of `set` moved onto another commitment (re-signed so only the commitment check fails).
    const moved = clone(input);
    moved.validatorSetRoot = validatorSetRoot(other).toString();
    await reject(resign(moved, [0, 1, 2]), IN_TOP);
    // A slot's key or power changed after the set was committed.
    for (const k of ["Ax", "Ay", "power"]) {
      const b = clone(input);
      arr(b, k)[3] = (BigInt(arr(b, k)[3]!) + 1n).toString();
      await reject(b);
    }
  });

  it("signed power of exactly 2/3", async () => {
    const thirty = validatorSet(N, [10n, 10n, 10n, null]);
    const h3 = header(thirty);
    await reject(inputFor(thirty, h3, dealerAggregate(h3, [0, 1], bits([0, 1]))), IN_QUORUM); // 20 of 30
    const withZero = validatorSet(N, [10n, 10n, 10n, 0n]);
    const h0 = header(withZero);
    await reject(inputFor(withZero, h0, dealerAggregate(h0, [0, 1], bits([0, 1]))), IN_QUORUM);
  });

  it("a signature by a subset that misses quorum, and no signers at all", async () => {
    const h = header(set);
    await reject(inputFor(set, h, dealerAggregate(h, [0, 1], bits([0, 1]))), IN_QUORUM); // 20 of 40
    await reject(inputFor(set, h, dealerAggregate(h, [], bits([]))), IN_QUORUM);
  });

  it("a power-0 slot whose bit is set (its key summed) to complete a quorum", async () => {
    // Slot 3 holds a real key with power 0; {0, 1} have 20 of 30 (exactly 2/3), with slot 3 counted no more power.
    const zero = { ...validatorSet(N, [10n, 10n, 10n, null]), validators: validatorSet(N, [10n, 10n, 10n, 0n]).validators };
    const h = header(zero);
    await reject(inputFor(zero, h, dealerAggregate(h, [0, 1, 3], bits([0, 1, 3]))), IN_QUORUM);
    // and with quorum from the others, a power-0 bit is still refused
    await reject(inputFor(zero, h, dealerAggregate(h, [0, 1, 2, 3], bits([0, 1, 2, 3]))), IN_QUORUM);
  });

  it("the identity as aggregate key (a set holding a key and its negation, which Home refuses)", async () => {
    const a = validator(0, 100n);
    // -A0 with a valid proof of possession (its owner knows -a0): only the negation rule refuses it.
    const aNeg = BABYJUB_SUBORDER - ((expandPrivateKey(privateKey(0)).s >> 3n) % BABYJUB_SUBORDER);
    const negKey = { Ax: FIELD_MODULUS - a.attestationKey.Ax, Ay: a.attestationKey.Ay };
    const negAddress = new Uint8Array(32).fill(0xee);
    const R = mulBase8(99n);
    const c = popChallenge(CHAIN_ID, negAddress, negKey, R);
    const neg = { ...validator(1, 100n), attestationKey: negKey, address: negAddress, proofOfPossession: { Rx: R.x, Ry: R.y, s: (99n + c * aNeg) % BABYJUB_SUBORDER } };
    const pair: ValidatorSet = { epoch: 7n, capacity: N, validators: [a, neg, validator(2, 1n), validator(3, 1n)] };
    expect(checkValidatorSet(pair, CHAIN_ID, { checkBindings: false })).toMatchObject({ ok: false, code: "NegatedKey" });
    const h = header(pair);
    // Under Apk = O anyone can "sign": S * B8 == R + 8 * hm * O for S = r, R = r * B8.
    const forged = dealerSign(h, { x: 0n, y: 1n }, 0n, bits([0, 1]));
    await reject(inputFor(pair, h, forged), IN_SIGNATURE);
  });

  it("a tampered R or S, and S at or above the subgroup order", async () => {
    for (const k of ["R8x", "R8y", "S"]) {
      const bad = clone(input);
      bad[k] = (BigInt(bad[k] as string) + 1n).toString();
      await reject(bad, IN_SIGNATURE);
    }
    const mall = clone(input);
    mall.S = (BigInt(mall.S as string) + BABYJUB_SUBORDER).toString();
    await reject(mall, IN_SIGNATURE);
  });

  it("a tampered header field (each of them), with meta kept consistent", async () => {
    const shifts: Record<string, bigint> = { chainId: 0n, epoch: 32n, height: 96n, timestampMs: 160n };
    for (const k of ["chainId", "epoch", "height", "timestampMs", "parentHash", "stateRoot", "nextValidatorSetRoot"]) {
      const bad = clone(input);
      bad[k] = (BigInt(bad[k] as string) + 1n).toString();
      if (k in shifts) bad.meta = (BigInt(bad.meta as string) + (1n << shifts[k]!)).toString();
      await reject(bad, IN_SIGNATURE);
    }
    const meta = clone(input);
    meta.meta = (BigInt(meta.meta as string) + (1n << 96n)).toString();
    await reject(meta, IN_TOP);
  });

  it("meta parts that overflow their width but pack to the same meta (signed over the aliased fields)", async () => {
    const bad = clone(input);
    bad.epoch = (BigInt(bad.epoch as string) + (1n << 64n)).toString();
    bad.height = (BigInt(bad.height as string) - 1n).toString();
    await reject(resign(bad, [0, 1, 2]), IN_META);
  });

  it("a power >= 2^64 committed in the set (and a 'negative' power)", async () => {
    for (const p3 of [1n << 64n, FIELD_MODULUS - 5n]) {
      const bad = clone(input);
      arr(bad, "power")[3] = p3.toString();
      bad.validatorSetRoot = rawCommitment(arr(bad, "Ax").map(BigInt), arr(bad, "Ay").map(BigInt), arr(bad, "power").map(BigInt)).toString();
      await reject(resign(bad, [0, 1, 2]), IN_POWER_RANGE);
    }
  });
});

describe("AggregatedHeaderQuorum cannot see proofs of possession", () => {
  it("accepts a set holding a rogue key T - sum(honest) signed by its owner alone; Home and verifier-ts refuse that set", async () => {
    const honest = [validator(0, 10n), validator(1, 10n)];
    const t = 424242424242n;
    const T = mulBase8(t);
    const sum = addPoint({ x: honest[0]!.attestationKey.Ax, y: honest[0]!.attestationKey.Ay }, { x: honest[1]!.attestationKey.Ax, y: honest[1]!.attestationKey.Ay });
    const rogueKey = addPoint(T, { x: FIELD_MODULUS - sum.x, y: sum.y });
    const rogue = { ...validator(2, 10n), attestationKey: { Ax: rogueKey.x, Ay: rogueKey.y } };
    const set: ValidatorSet = { epoch: 7n, capacity: N, validators: [...honest, rogue, validator(3, 0n)].map((v, i) => (i === 3 ? { ...v, attestationKey: { Ax: 0n, Ay: 1n } } : v)) };
    const h = header(set);
    // 8 * T = (8t) * B: the attacker signs with secret 8t for Apk = A0 + A1 + A_rogue = T.
    const forged = dealerSign(h, { x: T.x, y: T.y }, (8n * t) % BABYJUB_SUBORDER, bits([0, 1, 2]));
    await accept(inputFor(set, h, forged));
    expect(checkValidatorSet(set, CHAIN_ID, { checkBindings: false })).toMatchObject({ ok: false, code: "InvalidProofOfPossession", slot: 2 });
  });
});

describe("AggregatedHeaderQuorum and the model agree", () => {
  it("on every signer subset of a 4-slot set: the circuit accepts exactly when checkAggregateSignature does", async () => {
    const set = validatorSet(N, [10n, 20n, 30n, 40n]);
    const h = header(set);
    let accepted = 0;
    for (let mask = 0; mask < 1 << N; mask++) {
      const slots = [0, 1, 2, 3].filter((i) => (mask >> i) & 1);
      const agg = dealerAggregate(h, slots, bits(slots));
      const input = inputFor(set, h, agg);
      if (checkAggregateSignature(h, set, agg).ok) {
        await accept(input);
        accepted++;
      } else {
        await reject(input, IN_QUORUM);
      }
    }
    expect(accepted).toBe(5); // {0,1,2,3}, {1,2,3}, {0,2,3}, {0,1,3}, {2,3}: more than 66.7 of 100
  });

  it("changing any model-computed value breaks the witness", async () => {
    const sh = aggregatedHeader(validatorSet(N, [10n, 20n, 30n, null]), [1, 2]);
    const input = aggregatedHeaderQuorumInput(sh);
    await accept(input);
    let mutations = 0;
    for (const [k, v] of Object.entries(input)) {
      const values = Array.isArray(v) ? v : [v];
      for (let i = 0; i < values.length; i++) {
        const bad = clone(input);
        const next = (BigInt(values[i]!) + 1n).toString();
        if (Array.isArray(v)) (bad[k] as string[])[i] = next;
        else bad[k] = next;
        await reject(bad);
        mutations++;
      }
    }
    expect(mutations).toBe(9 + 4 * N + 3);
  });
});
