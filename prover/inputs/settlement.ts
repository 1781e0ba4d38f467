// Builds the Settlement(D, K) circuit input from Home model state proofs: the auction-result
// leaf and up to K lockup leaves, all bound to one awayBinding (signal names: circuits/ENCODING.md
// "Circuit signals"). Unused lockup slots get lockId 0, digest 0 and zero siblings (skipped by
// the circuit). D is the number of siblings in the proofs.
import type { StateProof } from "../../home/model/index.ts";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, leafKey } from "../../home/model/index.ts";

export type SettlementInput = Record<string, string | string[] | string[][]>;

export interface SettlementLeafArg {
  /** Inclusion proof of the leaf in stateRoot (StateProof.included must be true). */
  proof: StateProof;
  /** payloadDigest of the leaf. */
  digest: bigint;
}

export interface SettlementInputArgs {
  stateRoot: bigint;
  /** awayBinding of the AtomicSettlement contract (ENCODING.md). */
  awayBinding: bigint;
  result: SettlementLeafArg & { auctionId: bigint };
  /** In ENCODING.md lockup slot order (e.g. from lockDigestsFor); at most K. */
  lockups: (SettlementLeafArg & { lockId: bigint })[];
  /** Lockup slots of the circuit (profile `lockups`). */
  K: number;
}

function checkLeaf(what: string, kind: number, id: bigint, arg: SettlementLeafArg, awayBinding: bigint, depth: number): void {
  const key = leafKey(kind, id);
  if (arg.proof.leafKey !== key) throw new RangeError(`${what}: proof is for leafKey ${arg.proof.leafKey}, expected ${key}`);
  if (!arg.proof.included || !arg.proof.leaf) throw new RangeError(`${what}: proof is not an inclusion proof`);
  if (arg.proof.leaf.payloadDigest !== arg.digest) throw new RangeError(`${what}: proof leaf digest differs from the given digest`);
  if (arg.proof.leaf.awayBinding !== awayBinding) throw new RangeError(`${what}: leaf is bound to another Away chain or contract`);
  if (arg.proof.siblings.length !== depth) throw new RangeError(`${what}: ${arg.proof.siblings.length} siblings, expected ${depth}`);
  if (arg.digest === 0n && kind === KIND_LOCKUP) throw new RangeError(`${what}: a used lockup slot needs a nonzero digest`);
}

/** Maps the leaves of one settlement to the circuit's input signals. */
export function settlementInput(args: SettlementInputArgs): SettlementInput {
  const { K } = args;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`K must be a positive integer, got ${K}`);
  if (args.lockups.length > K) throw new RangeError(`${args.lockups.length} lockups, but the circuit has K = ${K} slots`);
  const depth = args.result.proof.siblings.length;
  checkLeaf("auction result", KIND_AUCTION_RESULT, args.result.auctionId, args.result, args.awayBinding, depth);
  if (args.result.digest === 0n) throw new RangeError("auction result digest must be nonzero");
  args.lockups.forEach((l, k) => checkLeaf(`lockup slot ${k}`, KIND_LOCKUP, l.lockId, l, args.awayBinding, depth));

  const str = (x: bigint): string => x.toString();
  const zeros = Array.from({ length: depth }, () => "0");
  const slot = (k: number) => args.lockups[k];
  return {
    stateRoot: str(args.stateRoot),
    awayBinding: str(args.awayBinding),
    resultDigest: str(args.result.digest),
    lockDigest: Array.from({ length: K }, (_, k) => str(slot(k)?.digest ?? 0n)),
    auctionId: str(args.result.auctionId),
    lockIds: Array.from({ length: K }, (_, k) => str(slot(k)?.lockId ?? 0n)),
    resultSiblings: args.result.proof.siblings.map(str),
    lockSiblings: Array.from({ length: K }, (_, k) => slot(k)?.proof.siblings.map(str) ?? zeros),
  };
}

/** The 3 + K public signals of a Settlement proof for these arguments, in circuit order. */
export function settlementPublicSignals(args: SettlementInputArgs): string[] {
  const input = settlementInput(args);
  return [input.stateRoot as string, input.awayBinding as string, input.resultDigest as string, ...(input.lockDigest as string[])];
}
