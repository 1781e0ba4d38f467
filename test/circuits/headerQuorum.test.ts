// HeaderQuorum(N) at the dev profile (the per-validator fallback): the circuit accepts headers
// signed by the Home model and by circomlibjs (an independent implementation), exposes the
// ENCODING.md public inputs, and rejects (by a failing constraint) every way of faking a quorum
// the issue lists.
import { beforeAll, describe, expect, it } from "vitest";
import { calculateWitness, compileCircuit, type CompiledCircuit } from "../../circuits/build.ts";
import { PROFILES } from "../../circuits/profiles.ts";
import {
  FIELD_MODULUS,
  checkSignedHeader,
  TAG_HEADER,
  headerHash,
  packMeta,
  poseidon,
  signPoseidon,
  validatorSetRoot,
  type SignedHeader,
} from "../../home/model/index.ts";
import { headerQuorumInput, type HeaderQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import { clone, expectConstraintFailure, privateKey, rawCommitment, signedHeader, validatorSet } from "./fixtures.ts";

const N = PROFILES.dev.N;
let circuit: CompiledCircuit;

beforeAll(async () => {
  circuit = await compileCircuit("HeaderQuorum", { N });
});

const accept = (input: HeaderQuorumInput) => calculateWitness(circuit.wasmPath, input);
const reject = (input: HeaderQuorumInput, where?: RegExp) => expectConstraintFailure(circuit.wasmPath, input, where);
// Where each check lives in circom's failure trace.
const IN_QUORUM = /Error in template QuorumCheck_\d+/;
const IN_SIGNATURE = /Error in template EdDSAPoseidonVerifier_\d+/;
const IN_META = /Error in template HeaderMeta_\d+/;
const IN_POWER_RANGE = /Error in template RangeCheck_\d+[^\n]*\nError in template QuorumCheck_\d+/;
const IN_TOP = /^(Error: )?Assert Failed\.\nError in template HeaderQuorum_\d+ line/;
const arr = (input: HeaderQuorumInput, k: string) => input[k] as string[];

/** Re-signs an input's header fields as given (even out of range) by the listed slots. */
function resign(input: HeaderQuorumInput, signers: number[]): HeaderQuorumInput {
  const m = poseidon([
    TAG_HEADER,
    BigInt(input.chainId as string),
    BigInt(input.epoch as string),
    BigInt(input.height as string),
    BigInt(input.timestampMs as string),
    BigInt(input.parentHash as string),
    BigInt(input.stateRoot as string),
    BigInt(input.validatorSetRoot as string),
    BigInt(input.nextValidatorSetRoot as string),
  ]);
  const out = clone(input);
  for (const i of signers) {
    const sig = signPoseidon(privateKey(i), m);
    arr(out, "R8x")[i] = sig.R8x.toString();
    arr(out, "R8y")[i] = sig.R8y.toString();
    arr(out, "S")[i] = sig.S.toString();
    arr(out, "signed")[i] = "1";
  }
  return out;
}

describe("HeaderQuorum accepts", () => {
  it("a model-signed header with an empty and an unsigned slot, exposing [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot]", async () => {
    const set = validatorSet(N, [10n, 20n, 30n, null]);
    const sh = signedHeader(set, [1, 2], { nextValidatorSetRoot: 555n });
    const w = await accept(headerQuorumInput(sh));
    expect(w.slice(1, 5)).toEqual([packMeta(sh.header), sh.header.stateRoot, validatorSetRoot(set), 555n]);
  });

  it("the minimal quorum just above 2/3 (201 of 300)", async () => {
    const sh = signedHeader(validatorSet(N, [101n, 100n, 99n, null]), [0, 1]);
    await accept(headerQuorumInput(sh));
  });

  it("a full set with every slot signing and maximal u64 powers (no overflow in the comparison)", async () => {
    const max = (1n << 64n) - 1n;
    const sh = signedHeader(validatorSet(N, [max, max, max, max]), [0, 1, 2, 3]);
    await accept(headerQuorumInput(sh));
  });

  it("a header signed with circomlibjs and hashed with circomlibjs (independent implementation)", async () => {
    const lib = "circomlibjs"; // no type declarations; used untyped in tests only
    const { buildEddsa, buildPoseidon } = await import(lib);
    const eddsa = await buildEddsa();
    const P = await buildPoseidon();
    const F = P.F;
    const h = (xs: bigint[]): bigint => F.toObject(P(xs));
    const keys = [0, 1, 2, 3].map((i) => privateKey(100 + i));
    const pubs = keys.map((k) => eddsa.prv2pub(k).map((c: unknown) => F.toObject(c) as bigint) as [bigint, bigint]);
    const powers = [5n, 6n, 7n, 8n];
    // ENCODING.md's commitment: [TAG_VALIDATOR_SET, N, Ax0, Ay0, .., Ax3, Ay3, P0, P1] zero-padded to 16.
    const TAG_VALIDATOR_SET = BigInt("0x" + Buffer.from("OLZK_VALSET_V1").toString("hex"));
    const words = [powers[0]! + (powers[1]! << 64n) + (powers[2]! << 128n), powers[3]!];
    const chainInput = [TAG_VALIDATOR_SET, 4n, ...pubs.flat(), ...words];
    const root = h([...chainInput, ...Array(16 - chainInput.length).fill(0n)]);
    const fields = { chainId: 9n, epoch: 3n, height: 77n, timestampMs: 1_700_000_000_123n, parentHash: 42n, stateRoot: 43n };
    const m = h([TAG_HEADER, fields.chainId, fields.epoch, fields.height, fields.timestampMs, fields.parentHash, fields.stateRoot, root, 0n]);
    const sigs = keys.map((k) => eddsa.signPoseidon(k, F.e(m)));
    const input: HeaderQuorumInput = {
      meta: (fields.chainId + (fields.epoch << 32n) + (fields.height << 96n) + (fields.timestampMs << 160n)).toString(),
      stateRoot: "43",
      validatorSetRoot: root.toString(),
      nextValidatorSetRoot: "0",
      chainId: "9",
      epoch: "3",
      height: "77",
      timestampMs: fields.timestampMs.toString(),
      parentHash: "42",
      Ax: pubs.map((p) => p[0].toString()),
      Ay: pubs.map((p) => p[1].toString()),
      power: powers.map(String),
      signed: ["0", "1", "1", "1"],
      R8x: sigs.map((s: any, i: number) => (i === 0 ? "0" : F.toObject(s.R8[0]).toString())),
      R8y: sigs.map((s: any, i: number) => (i === 0 ? "1" : F.toObject(s.R8[1]).toString())),
      S: sigs.map((s: any, i: number) => (i === 0 ? "0" : s.S.toString())),
    };
    await accept(input);
    // The model computes the same commitment and hash as circomlibjs.
    const set = { epoch: 3n, capacity: 4, validators: pubs.map(([Ax, Ay], i) => ({ ...validatorSet(4, [1n]).validators[1]!, attestationKey: { Ax, Ay }, power: powers[i]! })) };
    expect(validatorSetRoot(set)).toBe(root);
    expect(headerHash({ chainId: 9, epoch: 3n, height: 77n, timestampMs: fields.timestampMs, parentHash: 42n, stateRoot: 43n, validatorSetRoot: root, nextValidatorSetRoot: 0n })).toBe(m);
  });
});

describe("HeaderQuorum rejects", () => {
  let base: SignedHeader;
  let input: HeaderQuorumInput;
  beforeAll(() => {
    // Powers 10, 10, 10, 10; slots 0..2 sign (30 of 40 > 2/3).
    base = signedHeader(validatorSet(N, [10n, 10n, 10n, 10n]), [0, 1, 2]);
    input = headerQuorumInput(base);
  });

  it("a valid signature by a slot of power 0", async () => {
    // Slot 3 holds a real key with power 0 and signs validly; slots 0..2 alone have quorum.
    const set = validatorSet(N, [10n, 10n, 10n, 0n]);
    const ok = headerQuorumInput(signedHeader(set, [0, 1, 2]));
    await accept(ok);
    const bad = resign(ok, [3]);
    await reject(bad, IN_QUORUM);
  });

  it("a power-0 signer that would complete a quorum", async () => {
    const set = validatorSet(N, [10n, 10n, 10n, 0n]);
    const ok = headerQuorumInput(signedHeader(set, [0]));
    await reject(resign(ok, [1, 3]), IN_QUORUM); // 20 of 30 = exactly 2/3 plus a powerless signer
  });

  it("the same slot counted twice (signed = 2) and a negative signed bit", async () => {
    // Only slots 0, 1 sign: 20 of 40. Counting slot 1 twice would give 30 > 26.7.
    const two = headerQuorumInput(signedHeader(validatorSet(N, [10n, 10n, 10n, 10n]), [0, 1]));
    await reject(two, IN_QUORUM);
    const dbl = clone(two);
    arr(dbl, "signed")[1] = "2";
    await reject(dbl, IN_QUORUM);
    const neg = clone(input);
    arr(neg, "signed")[0] = (FIELD_MODULUS - 1n).toString(); // -1 on a validly signed slot: not a bit
    await reject(neg, IN_QUORUM);
  });

  it("signed power of exactly 2/3", async () => {
    await reject(headerQuorumInput(signedHeader(validatorSet(N, [100n, 100n, 100n, null]), [0, 1])), IN_QUORUM);
    await reject(headerQuorumInput(signedHeader(validatorSet(N, [10n, 10n, 10n, 0n]), [0, 1])), IN_QUORUM);
  });

  it("no signers at all, and an all-empty set", async () => {
    await reject(headerQuorumInput(signedHeader(validatorSet(N, [10n, 10n, 10n, 10n]), [])), IN_QUORUM);
    await reject(headerQuorumInput(signedHeader(validatorSet(N, [null, null, null, null]), [])), IN_QUORUM);
  });

  it("a wrong validator set commitment (another set's, re-signed so only the commitment check fails)", async () => {
    const other = validatorSetRoot(validatorSet(N, [10n, 10n, 10n, 11n]));
    const bad = clone(input);
    bad.validatorSetRoot = other.toString();
    await reject(resign(bad, [0, 1, 2]), IN_TOP);
  });

  it("a slot's key or power changed after the set was committed", async () => {
    for (const k of ["Ax", "Ay", "power"]) {
      const bad = clone(input);
      arr(bad, k)[3] = (BigInt(arr(bad, k)[3]!) + 1n).toString();
      await reject(bad);
    }
  });

  it("a tampered header field (each of them), with meta kept consistent", async () => {
    const tamper: [keyof HeaderQuorumInput, bigint][] = [
      ["chainId", 1n],
      ["epoch", 1n],
      ["height", 1n],
      ["timestampMs", 1n],
      ["parentHash", 1n],
      ["stateRoot", 1n],
      ["nextValidatorSetRoot", 1n],
    ];
    const shifts: Record<string, bigint> = { chainId: 0n, epoch: 32n, height: 96n, timestampMs: 160n };
    for (const [k, d] of tamper) {
      const bad = clone(input);
      bad[k] = (BigInt(bad[k] as string) + d).toString();
      if (k in shifts) bad.meta = (BigInt(bad.meta as string) + (d << shifts[k]!)).toString();
      await reject(bad, IN_SIGNATURE);
    }
  });

  it("meta that does not match the private header fields", async () => {
    const bad = clone(input);
    bad.meta = (BigInt(bad.meta as string) + (1n << 96n)).toString();
    await reject(bad, IN_TOP);
  });

  it("a tampered signature of a signed slot", async () => {
    for (const k of ["R8x", "R8y", "S"]) {
      const bad = clone(input);
      arr(bad, k)[1] = (BigInt(arr(bad, k)[1]!) + 1n).toString();
      await reject(bad, IN_SIGNATURE);
    }
  });

  it("S at or above the subgroup order (a malleated signature)", async () => {
    const subOrder = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
    const bad = clone(input);
    arr(bad, "S")[0] = (BigInt(arr(bad, "S")[0]!) + subOrder).toString();
    await reject(bad, IN_SIGNATURE);
  });

  it("a power >= 2^64 committed in the set (and a 'negative' power)", async () => {
    // Slot 3 gets power 2^64 (or r - 5) in a commitment computed from raw values; slots 0..2 sign.
    for (const p3 of [1n << 64n, FIELD_MODULUS - 5n]) {
      const bad = clone(input);
      arr(bad, "power")[3] = p3.toString();
      bad.validatorSetRoot = rawCommitment(arr(bad, "Ax").map(BigInt), arr(bad, "Ay").map(BigInt), arr(bad, "power").map(BigInt)).toString();
      await reject(resign(bad, [0, 1, 2]), IN_POWER_RANGE);
    }
  });

  it("meta parts that overflow their width but pack to the same meta (signed over the aliased fields)", async () => {
    const cases: [string, bigint, string, bigint][] = [
      ["chainId", 1n << 32n, "epoch", -1n],
      ["epoch", 1n << 64n, "height", -1n],
      ["height", 1n << 64n, "timestampMs", -1n],
    ];
    for (const [a, da, b, db] of cases) {
      const bad = clone(input);
      bad[a] = (BigInt(bad[a] as string) + da).toString();
      bad[b] = (BigInt(bad[b] as string) + db).toString();
      await reject(resign(bad, [0, 1, 2]), IN_META);
    }
    // timestampMs >= 2^64 makes meta >= 2^224.
    const big = clone(input);
    big.timestampMs = (BigInt(big.timestampMs as string) + (1n << 64n)).toString();
    big.meta = (BigInt(big.meta as string) + (1n << 224n)).toString();
    await reject(resign(big, [0, 1, 2]), IN_META);
  });
});

describe("HeaderQuorum and the field modulus", () => {
  it("reduces a public input x + r to x: the witness (and so any proof) is for x, never for x + r", async () => {
    const input = headerQuorumInput(signedHeader(validatorSet(N, [10n, 10n, 10n, 10n]), [0, 1, 2]));
    const w = await accept(input);
    const aliased = clone(input);
    aliased.meta = (BigInt(input.meta as string) + FIELD_MODULUS).toString();
    aliased.stateRoot = (BigInt(input.stateRoot as string) + FIELD_MODULUS).toString();
    const wa = await accept(aliased);
    expect(wa).toEqual(w);
    expect(wa[1]).toBe(BigInt(input.meta as string));
    // A verifier must therefore reject public signals >= r (snarkjs, Solidity and verifier-ts do;
    // tested at proof level in the prover tests).
  });
});

describe("HeaderQuorum and the model agree", () => {
  it("on every signer subset of a 4-slot set: the circuit accepts exactly when checkSignedHeader does", async () => {
    const set = validatorSet(N, [10n, 20n, 30n, 40n]);
    let accepted = 0;
    for (let mask = 0; mask < 1 << N; mask++) {
      const signers = [0, 1, 2, 3].filter((i) => (mask >> i) & 1);
      const sh = signedHeader(set, signers);
      const input = headerQuorumInput(sh);
      if (checkSignedHeader(sh).ok) {
        await accept(input);
        accepted++;
      } else {
        await reject(input, IN_QUORUM);
      }
    }
    expect(accepted).toBe(5); // {0,1,2,3}, {1,2,3}, {0,2,3}, {0,1,3}, {2,3}: more than 66.7 of 100
  });

  it("changing any model-computed value breaks the witness (except the ignored signature of an unsigned slot)", async () => {
    const sh = signedHeader(validatorSet(N, [10n, 20n, 30n, null]), [1, 2]);
    const input = headerQuorumInput(sh);
    await accept(input);
    let mutations = 0;
    for (const [k, v] of Object.entries(input)) {
      const values = Array.isArray(v) ? v : [v];
      for (let i = 0; i < values.length; i++) {
        const unsignedSig = ["R8x", "R8y", "S"].includes(k) && !sh.signed[i];
        const bad = clone(input);
        const next = (BigInt(values[i]!) + 1n).toString();
        if (Array.isArray(v)) (bad[k] as string[])[i] = next;
        else bad[k] = next;
        if (unsignedSig) await accept(bad);
        else await reject(bad);
        mutations++;
      }
    }
    expect(mutations).toBe(9 + 7 * N);
  });
});
