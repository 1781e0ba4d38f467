// Settlement(D, K) at the dev profile: the circuit accepts inputs built by prover/inputs from
// the Home model's state tree and leaf encodings, and rejects (by a failing constraint) leaves of
// the wrong kind, for another Away chain or contract, with another key's path, or out of range.
import { beforeAll, describe, expect, it } from "vitest";
import { calculateWitness, compileCircuit, type CompiledCircuit } from "../../circuits/build.ts";
import { PROFILES } from "../../circuits/profiles.ts";
import {
  FIELD_MODULUS,
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  SparseMerkleTree,
  auctionResultDigest,
  awayBinding,
  leafKey,
  lockDigestsFor,
  lockupSlotIds,
  lockupDigest,
  poseidon,
  type AuctionResultPayload,
  type LockupPayload,
} from "../../home/model/index.ts";
import { settlementInput, type SettlementInput, type SettlementInputArgs } from "../../prover/inputs/settlement.ts";
import { clone, expectConstraintFailure } from "./fixtures.ts";

const D = PROFILES.dev.depth;
const K = PROFILES.dev.lockups;
let circuit: CompiledCircuit;

beforeAll(async () => {
  circuit = await compileCircuit("Settlement", { depth: D, lockups: K });
});

const accept = (input: SettlementInput) => calculateWitness(circuit.wasmPath, input);
const reject = (input: SettlementInput, where?: RegExp) => expectConstraintFailure(circuit.wasmPath, input, where);
const IN_INCLUSION = /Error in template ForceEqualIfEnabled_\d+[^\n]*\nError in template StateLeafInclusion_\d+/;
const IN_ID_RANGE = /Error in template RangeCheck_\d+[^\n]*\nError in template StateLeafInclusion_\d+/;
const IN_BINDING_RANGE = /Error in template RangeCheck_\d+[^\n]*\nError in template Settlement_\d+/;
const IN_TOP = /^(Error: )?Assert Failed\.\nError in template Settlement_\d+ line/;

const SETTLE = "0x00000000000000000000000000000000000a7e11" as const;
const OTHER = "0x00000000000000000000000000000000000b0b00" as const;
const CHAIN = 31337n;
const BINDING = awayBinding(CHAIN, SETTLE);

function lockup(lockId: bigint): LockupPayload {
  return {
    lockId,
    owner: `0x${lockId.toString(16).padStart(64, "0")}`,
    borrower: "0x000000000000000000000000000000000000b0aa",
    creditAsset: "0x000000000000000000000000000000000000c0de",
    creditLimit: 1_000_000n * lockId,
    expiry: 1_900_000_000n,
    status: 1,
  };
}

function result(auctionId: bigint, mode: number, lockIds: bigint[]): AuctionResultPayload {
  return {
    auctionId,
    auctioneer: "0x000000000000000000000000000000000000a0c7",
    sellAsset: "0x0000000000000000000000000000000000005e11",
    sellAmount: 1000n,
    buyAsset: "0x000000000000000000000000000000000000b0b0",
    clearingPrice: 2n * 10n ** 18n,
    mode,
    auctioneerLockId: mode === 2 ? lockIds[0]! : 0n,
    auctioneerMaxRateBps: mode === 2 ? 50 : 0,
    lp: mode === 2 ? "0x00000000000000000000000000000000000001a2" : "0x0000000000000000000000000000000000000000",
    settleDeadline: 1_800_000_000n,
    clearedAt: 1_799_990_000n,
    fills:
      mode === 1
        ? lockIds.map((lockId, i) => ({ winner: `0x00000000000000000000000000000000000000f${i}` as const, sellAmount: 100n, payAmount: 200n, lockId, maxRateBps: 30 }))
        : [{ winner: "0x00000000000000000000000000000000000000f9", sellAmount: 100n, payAmount: 200n, lockId: 0n, maxRateBps: 0 }],
  };
}

/** A Home state with lockups 11, 12, 13, results 5 (mode 1 using 11, 12) and 6 (mode 2 using 13), and unrelated leaves. */
function homeState() {
  const tree = new SparseMerkleTree(D);
  const lockups = new Map<bigint, LockupPayload>([11n, 12n, 13n].map((id) => [id, lockup(id)]));
  for (const [id, p] of lockups) tree.set(leafKey(KIND_LOCKUP, id), BINDING, lockupDigest(p));
  const r5 = result(5n, 1, [11n, 12n]);
  const r6 = result(6n, 2, [13n]);
  tree.set(leafKey(KIND_AUCTION_RESULT, 5n), BINDING, auctionResultDigest(r5));
  tree.set(leafKey(KIND_AUCTION_RESULT, 6n), BINDING, auctionResultDigest(r6));
  tree.set(leafKey(KIND_ESCROW_ACK, 5n), awayBinding(CHAIN, OTHER), 777n);
  tree.set(leafKey(KIND_LOCKUP, 99n), awayBinding(1n, SETTLE), 888n);
  return { tree, lockups, r5, r6 };
}

/** Builder arguments for a result and its lockups in `tree`, as the prover would assemble them. */
function argsFor(tree: SparseMerkleTree, r: AuctionResultPayload, lockups: Map<bigint, LockupPayload>): SettlementInputArgs {
  const digests = lockDigestsFor(r, lockups, K);
  const ids = lockupSlotIds(r);
  return {
    stateRoot: tree.root,
    awayBinding: BINDING,
    result: { auctionId: r.auctionId, digest: auctionResultDigest(r), proof: tree.prove(leafKey(KIND_AUCTION_RESULT, r.auctionId)) },
    lockups: ids.map((lockId, k) => ({ lockId, digest: digests[k]!, proof: tree.prove(leafKey(KIND_LOCKUP, lockId)) })),
    K,
  };
}

/** Root of a depth-D tree holding only `value` at the position of `key` (for leaves the model refuses). */
function singleLeafRoot(key: bigint, value: bigint): { root: bigint; siblings: bigint[] } {
  const empty = new SparseMerkleTree(D);
  const siblings = empty.prove(key).siblings; // all empty subtrees
  let node = value;
  for (let i = 0; i < D; i++) node = ((key >> BigInt(i)) & 1n) === 0n ? poseidon([node, siblings[i]!]) : poseidon([siblings[i]!, node]);
  return { root: node, siblings };
}

describe("Settlement accepts", () => {
  it("a mode-1 result with two lockups, exposing [stateRoot, awayBinding, resultDigest, lockDigest...]", async () => {
    const { tree, lockups, r5 } = homeState();
    const w = await accept(settlementInput(argsFor(tree, r5, lockups)));
    expect(w.slice(1, 4 + K)).toEqual([tree.root, BINDING, auctionResultDigest(r5), lockupDigest(lockups.get(11n)!), lockupDigest(lockups.get(12n)!)]);
  });

  it("a mode-2 result with one lockup; the unused slot is skipped whatever it holds", async () => {
    const { tree, lockups, r6 } = homeState();
    const input = settlementInput(argsFor(tree, r6, lockups));
    expect((input.lockDigest as string[])[1]).toBe("0");
    await accept(input);
    const junk = clone(input);
    (junk.lockIds as string[])[1] = "12345";
    (junk.lockSiblings as string[][])[1]![3] = "999";
    await accept(junk);
  });
});

describe("Settlement rejects", () => {
  it("an auction result proved with a leaf of another kind (lockup kind, same id and digest)", async () => {
    const { tree, lockups, r5 } = homeState();
    const args = argsFor(tree, r5, lockups);
    // A kind-1 leaf with id 5 carrying the result digest; no kind-2 leaf for 5 in this tree.
    const t = new SparseMerkleTree(D);
    t.set(leafKey(KIND_LOCKUP, 5n), BINDING, args.result.digest);
    const input = settlementInput({ ...args, stateRoot: t.root, lockups: [] });
    input.resultSiblings = t.prove(leafKey(KIND_LOCKUP, 5n)).siblings.map(String);
    await reject(input, IN_INCLUSION);
  });

  it("a lockup slot proved with the auction-result leaf (kind 2)", async () => {
    const { tree, lockups, r5 } = homeState();
    const input = settlementInput(argsFor(tree, r5, lockups));
    // Slot 0 claims lockId 5 with the result's digest and the result's path.
    (input.lockIds as string[])[0] = "5";
    (input.lockDigest as string[])[0] = input.resultDigest as string;
    (input.lockSiblings as string[][])[0] = [...(input.resultSiblings as string[])];
    await reject(input, IN_INCLUSION);
  });

  it("leaves bound to another Away chainId or another contract", async () => {
    for (const other of [awayBinding(1n, SETTLE), awayBinding(CHAIN, OTHER)]) {
      // Home state where everything is bound to `other`; the proof claims BINDING.
      const t = new SparseMerkleTree(D);
      const { lockups, r5 } = homeState();
      for (const [id, p] of lockups) t.set(leafKey(KIND_LOCKUP, id), other, lockupDigest(p));
      t.set(leafKey(KIND_AUCTION_RESULT, 5n), other, auctionResultDigest(r5));
      const args = argsFor(t, r5, lockups);
      const input = settlementInput({ ...args, awayBinding: other });
      await accept(input); // consistent for `other`
      const bad = clone(input);
      bad.awayBinding = BINDING.toString();
      await reject(bad, IN_INCLUSION);
    }
    // Only one lockup bound elsewhere: all leaves must share awayBinding.
    const { tree, lockups, r5 } = homeState();
    tree.set(leafKey(KIND_LOCKUP, 12n), awayBinding(1n, SETTLE), lockupDigest(lockups.get(12n)!));
    const args = argsFor(tree, r5, lockups);
    args.lockups[1]!.proof.leaf!.awayBinding = BINDING; // get past the builder's own check
    await reject(settlementInput(args), IN_INCLUSION);
  });

  it("a sibling path that belongs to another key", async () => {
    const { tree, lockups, r5 } = homeState();
    const input = settlementInput(argsFor(tree, r5, lockups));
    const wrongResult = clone(input);
    wrongResult.resultSiblings = [...(input.lockSiblings as string[][])[0]!];
    await reject(wrongResult, IN_INCLUSION);
    const wrongLock = clone(input);
    (wrongLock.lockSiblings as string[][])[1] = [...(input.lockSiblings as string[][])[0]!];
    await reject(wrongLock, IN_INCLUSION);
  });

  it("a lockup digest that is not in the tree, or a used slot with the wrong lockId", async () => {
    const { tree, lockups, r5 } = homeState();
    const input = settlementInput(argsFor(tree, r5, lockups));
    const digest = clone(input);
    (digest.lockDigest as string[])[1] = (BigInt((digest.lockDigest as string[])[1]!) + 1n).toString();
    await reject(digest, IN_INCLUSION);
    const id = clone(input);
    (id.lockIds as string[])[0] = "13";
    await reject(id, IN_INCLUSION);
  });

  it("awayBinding >= 2^224, even when the tree holds a leaf with that binding", async () => {
    const big = (1n << 224n) + BINDING;
    const { r5 } = homeState();
    const t = new SparseMerkleTree(D);
    t.set(leafKey(KIND_AUCTION_RESULT, 5n), big, auctionResultDigest(r5));
    const input = settlementInput({ stateRoot: t.root, awayBinding: big, result: { auctionId: 5n, digest: auctionResultDigest(r5), proof: t.prove(leafKey(KIND_AUCTION_RESULT, 5n)) }, lockups: [], K });
    await reject(input, IN_BINDING_RANGE);
  });

  it("a zero result digest, even when the tree holds it", async () => {
    const t = new SparseMerkleTree(D);
    t.set(leafKey(KIND_AUCTION_RESULT, 5n), BINDING, 0n);
    const proof = t.prove(leafKey(KIND_AUCTION_RESULT, 5n));
    // The builder refuses a zero digest, so the input is written out by hand.
    expect(() => settlementInput({ stateRoot: t.root, awayBinding: BINDING, result: { auctionId: 5n, digest: 0n, proof }, lockups: [], K })).toThrow(RangeError);
    const zeros = proof.siblings.map(() => "0");
    const input: SettlementInput = {
      stateRoot: t.root.toString(),
      awayBinding: BINDING.toString(),
      resultDigest: "0",
      lockDigest: ["0", "0"],
      auctionId: "5",
      lockIds: ["0", "0"],
      resultSiblings: proof.siblings.map(String),
      lockSiblings: [zeros, zeros],
    };
    await reject(input, IN_TOP);
  });

  it("an id >= 2^64 whose leaf is in the tree (auctionId and lockId)", async () => {
    const id = (1n << 64n) + 5n;
    const key = poseidon([BigInt(KIND_AUCTION_RESULT), id]);
    const value = poseidon([key, BINDING, 4242n]);
    const { root, siblings } = singleLeafRoot(key, value);
    const input: SettlementInput = {
      stateRoot: root.toString(),
      awayBinding: BINDING.toString(),
      resultDigest: "4242",
      lockDigest: ["0", "0"],
      auctionId: id.toString(),
      lockIds: ["0", "0"],
      resultSiblings: siblings.map(String),
      lockSiblings: [siblings.map(String), siblings.map(String)],
    };
    await reject(input, IN_ID_RANGE);
    // The same construction for a lockup slot.
    const lockKey = poseidon([BigInt(KIND_LOCKUP), id]);
    const t = new SparseMerkleTree(D);
    t.set(leafKey(KIND_AUCTION_RESULT, 5n), BINDING, 4242n);
    t.set(lockKey, BINDING, 31n);
    const lockInput: SettlementInput = {
      ...input,
      stateRoot: t.root.toString(),
      lockDigest: ["31", "0"],
      auctionId: "5",
      lockIds: [id.toString(), "0"],
      resultSiblings: t.prove(leafKey(KIND_AUCTION_RESULT, 5n)).siblings.map(String),
      lockSiblings: [t.prove(lockKey).siblings.map(String), siblings.map(String)],
    };
    await reject(lockInput, IN_ID_RANGE);
  });
});

describe("Settlement and the model agree", () => {
  it("changing any model-computed value of the input breaks the witness", async () => {
    const { tree, lockups, r5 } = homeState();
    const input = settlementInput(argsFor(tree, r5, lockups));
    await accept(input);
    const scalar = ["stateRoot", "awayBinding", "resultDigest", "auctionId"] as const;
    for (const k of scalar) {
      const bad = clone(input);
      bad[k] = (BigInt(bad[k] as string) + 1n).toString();
      await reject(bad);
    }
    for (const k of ["lockDigest", "lockIds"] as const) {
      for (let s = 0; s < K; s++) {
        const bad = clone(input);
        (bad[k] as string[])[s] = (BigInt((bad[k] as string[])[s]!) + 1n).toString();
        await reject(bad);
      }
    }
    for (const level of [0, 1, 16, D - 1]) {
      const bad = clone(input);
      (bad.resultSiblings as string[])[level] = (BigInt((bad.resultSiblings as string[])[level]!) + 1n).toString();
      await reject(bad, IN_INCLUSION);
      for (let s = 0; s < K; s++) {
        const badLock = clone(input);
        (badLock.lockSiblings as string[][])[s]![level] = (BigInt((badLock.lockSiblings as string[][])[s]![level]!) + 1n).toString();
        await reject(badLock, IN_INCLUSION);
      }
    }
  });

  it("reduces a public input x + r to x (the proof is for x; verifiers reject x + r)", async () => {
    const { tree, lockups, r5 } = homeState();
    const input = settlementInput(argsFor(tree, r5, lockups));
    const w = await accept(input);
    const aliased = clone(input);
    aliased.resultDigest = (BigInt(input.resultDigest as string) + FIELD_MODULUS).toString();
    aliased.awayBinding = (BINDING + FIELD_MODULUS).toString();
    expect(await accept(aliased)).toEqual(w);
  });
});
