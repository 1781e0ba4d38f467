// HeaderSettlement(N, D, K) at the dev profile: one witness for a header's aggregated attestation
// and a settlement's leaves in that header's stateRoot. It accepts inputs built by the prover's
// two input builders, exposes the header's public inputs and then the settlement's after its
// stateRoot, and rejects (failing constraints, located in circom's trace): a tampered header
// field, a stateRoot other than the signed header's (with the leaves really in that other root),
// leaves in another tree than the header's, a result leaf not in the tree, a lockup slot whose
// leaf is not in the tree, and a signature that misses quorum.
import { beforeAll, describe, expect, it } from "vitest";
import { calculateWitness, compileCircuit, publicInputNames, type CompiledCircuit } from "../../circuits/build.ts";
import { PROFILES } from "../../circuits/profiles.ts";
import {
  KIND_AUCTION_RESULT,
  KIND_LOCKUP,
  SparseMerkleTree,
  awayBinding,
  leafKey,
  packMeta,
  type Header,
  type SignedHeader,
} from "../../home/model/index.ts";
import { aggregatedHeaderQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import { settlementInput } from "../../prover/inputs/settlement.ts";
import { aggregatedHeader, clone, dealerAggregate, expectConstraintFailure, signedHeader, validatorSet } from "./fixtures.ts";

const { N, depth: D, lockups: K } = PROFILES.dev;
const BINDING = awayBinding(31337n, "0x00000000000000000000000000000000000a7e11");
const RESULT = 5n;
const LOCKS = [11n, 12n];
type Input = Record<string, unknown>;
let circuit: CompiledCircuit;

beforeAll(async () => {
  circuit = await compileCircuit("HeaderSettlement", { N, depth: D, lockups: K });
});

const accept = (input: Input) => calculateWitness(circuit.wasmPath, input);
const reject = (input: Input, where?: RegExp) => expectConstraintFailure(circuit.wasmPath, input, where);
const IN_SIGNATURE = /Error in template EdDSAPoseidonVerifier_\d+[\s\S]*Error in template AggregatedHeaderQuorum_\d+[\s\S]*Error in template HeaderSettlement_\d+/;
const IN_QUORUM = /Error in template QuorumCheck_\d+[\s\S]*Error in template HeaderSettlement_\d+/;
const IN_INCLUSION = /Error in template StateLeafInclusion_\d+[\s\S]*Error in template Settlement_\d+[\s\S]*Error in template HeaderSettlement_\d+/;

/** A Home state with result 5 using lockups 11 and 12, plus `extra` unrelated leaves. */
function state(extra = 0): SparseMerkleTree {
  const tree = new SparseMerkleTree(D);
  tree.set(leafKey(KIND_AUCTION_RESULT, RESULT), BINDING, 5005n);
  for (const id of LOCKS) tree.set(leafKey(KIND_LOCKUP, id), BINDING, 1000n + id);
  for (let i = 0; i < extra; i++) tree.set(leafKey(KIND_LOCKUP, 500n + BigInt(i)), BINDING, 77n);
  return tree;
}

/** The settlement's input signals for result 5 and its lockups in `tree`. */
function settlementOf(tree: SparseMerkleTree): Input {
  return settlementInput({
    stateRoot: tree.root,
    awayBinding: BINDING,
    result: { auctionId: RESULT, digest: 5005n, proof: tree.prove(leafKey(KIND_AUCTION_RESULT, RESULT)) },
    lockups: LOCKS.map((lockId) => ({ lockId, digest: 1000n + lockId, proof: tree.prove(leafKey(KIND_LOCKUP, lockId)) })),
    K,
  });
}

/** Both builders' signals, the way prover.proveHeaderSettlement joins them. */
const inputOf = (sh: SignedHeader, tree: SparseMerkleTree): Input => ({ ...aggregatedHeaderQuorumInput(sh), ...settlementOf(tree) });

const set = validatorSet(N, [30n, 30n, 30n, 10n]);
const tree = state();
const honest = () => aggregatedHeader(set, [0, 1, 2], { stateRoot: tree.root });

describe("HeaderSettlement (dev profile)", () => {
  it("accepts a real aggregated attestation and the settlement's leaves in its stateRoot", async () => {
    const sh = honest();
    const w = await accept(inputOf(sh, tree));
    const names = publicInputNames("HeaderSettlement", { N, depth: D, lockups: K });
    expect(names).toEqual(["meta", "stateRoot", "validatorSetRoot", "nextValidatorSetRoot", "awayBinding", "resultDigest", "lockDigest[0]", "lockDigest[1]"]);
    const h = sh.header;
    expect(w.slice(1, 1 + names.length)).toEqual([packMeta(h), h.stateRoot, h.validatorSetRoot, h.nextValidatorSetRoot, BINDING, 5005n, 1011n, 1012n]);
    // An unused lockup slot is skipped, as in Settlement.
    const input = inputOf(sh, tree);
    (input.lockDigest as string[])[1] = "0";
    (input.lockIds as string[])[1] = "0";
    await accept(input);
  });

  it("a tampered header field (timestamp, repacked into meta; parentHash) breaks the signature", async () => {
    const sh = honest();
    const later: Header = { ...sh.header, timestampMs: sh.header.timestampMs + 1n };
    const input = inputOf(sh, tree);
    input.timestampMs = later.timestampMs.toString();
    input.meta = packMeta(later).toString();
    await reject(input, IN_SIGNATURE);
    const other = inputOf(sh, tree);
    other.parentHash = (sh.header.parentHash + 1n).toString();
    await reject(other, IN_SIGNATURE);
  });

  it("a stateRoot that is not the signed header's: refused even when the leaves are really in it", async () => {
    const otherTree = state(3); // holds the same result and lockups, another root
    const sh = honest(); // signed over tree.root
    await reject(inputOf(sh, otherTree), IN_SIGNATURE); // stateRoot = otherTree.root, leaves in it
    // The header's stateRoot with the other tree's paths: the leaves are not in the signed root.
    const input = { ...inputOf(sh, otherTree), stateRoot: tree.root.toString() };
    await reject(input, IN_INCLUSION);
  });

  it("a result leaf not in the tree, and a lockup leaf not in the tree", async () => {
    const sh = honest();
    const input = inputOf(sh, tree);
    input.resultDigest = "5006";
    await reject(input, IN_INCLUSION);
    const absent = clone(inputOf(sh, tree) as Record<string, string | string[]>);
    (absent.lockIds as string[])[1] = "13";
    await reject(absent, IN_INCLUSION);
  });

  it("a signature by a subset that misses quorum (60 of 100) is refused", async () => {
    const base = signedHeader(set, [], { stateRoot: tree.root });
    const agg = dealerAggregate(base.header, [0, 1], [true, true, false, false]);
    await reject(inputOf({ ...base, aggregate: agg }, tree), IN_QUORUM);
  });
});
