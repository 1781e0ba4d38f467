// Home side of the contract tests: deterministic validator sets for epochs 0..2, a Home state tree
// holding the auction results and lockups the settlement tests use (bound to the deployed Away
// contracts), and the headers the light-client tests submit. Pure data from the Home model: the
// same inputs give the same proofs, so the prover's cache makes reruns fast.
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  SparseMerkleTree,
  awayBinding,
  auctionResultDigest,
  blsKeyFromSeed,
  bytesToHex,
  derivePublicKey,
  emptyValidator,
  KIND_AUCTION_RESULT,
  KIND_LOCKUP,
  leafKey,
  lockupDigest,
  makeProofOfPossession,
  signBinding,
  validatorSetRoot,
  type Address,
  type AuctionResultPayload,
  type Header,
  type LockupPayload,
  type SignedHeader,
  type ValidatorSet,
} from "../../home/model/index.ts";
import { attestHeader } from "../fixtures/attest.ts";

/** Home chain id of the scenario. */
export const HOME_CHAIN_ID = 7;
/** Validator set capacity of the dev profile. */
export const N = 4;
/** Away chain time the tests pin before deploying (2030-03-17): all Home times are relative to it. */
export const T0 = 1_900_000_000n;
export const HOUR = 3600n;
export const DAY = 24n * HOUR;

const enc = new TextEncoder();

/** A 32-byte secret derived from a label (deterministic test keys). */
function seed(label: string): Uint8Array {
  return keccak_256(enc.encode(`olzk contract tests: ${label}`));
}

export interface EpochKeys {
  set: ValidatorSet;
  root: bigint;
  privateKeys: Uint8Array[];
}

/** Four validators with powers 1..4 for `epoch`, each with a BLS binding and a proof of possession (keys differ per epoch). */
export function validatorSet(epoch: bigint): EpochKeys {
  const privateKeys: Uint8Array[] = [];
  const validators = Array.from({ length: N }, (_, i) => {
    const prv = seed(`attestation ${epoch}/${i}`);
    privateKeys.push(prv);
    const attestationKey = derivePublicKey(prv);
    const address = seed(`address ${epoch}/${i}`);
    const bls = blsKeyFromSeed(seed(`bls ${epoch}/${i}`));
    return {
      ...emptyValidator(),
      attestationKey,
      power: BigInt(i + 1),
      address,
      blsPublicKey: bls.publicKey,
      bindingSignature: signBinding(bls.secretKey, attestationKey, address),
      proofOfPossession: makeProofOfPossession(prv, address, HOME_CHAIN_ID),
    };
  });
  const set: ValidatorSet = { epoch, capacity: N, validators };
  return { set, root: validatorSetRoot(set), privateKeys };
}

const epochCache = new Map<bigint, EpochKeys>();
export function epochKeys(epoch: bigint): EpochKeys {
  let k = epochCache.get(epoch);
  if (!k) epochCache.set(epoch, (k = validatorSet(epoch)));
  return k;
}

/** Signs a header in both schemes with the slots of `keys` whose index is in `signers` (default: all, a quorum). */
export function sign(h: Header, keys: EpochKeys, signers: number[] = [0, 1, 2, 3]): SignedHeader {
  return attestHeader(h, keys.set, keys.privateKeys.map((k, i) => (signers.includes(i) ? k : null)));
}

export interface HeaderSpec {
  epoch: bigint;
  height: bigint;
  stateRoot: bigint;
  next?: bigint;
  chainId?: number;
  timestampMs?: bigint;
  parentHash?: bigint;
  /** Signing set (default: the epoch's own). */
  signedBy?: EpochKeys;
}

export function header(spec: HeaderSpec): SignedHeader {
  const keys = spec.signedBy ?? epochKeys(spec.epoch);
  const h: Header = {
    chainId: spec.chainId ?? HOME_CHAIN_ID,
    epoch: spec.epoch,
    height: spec.height,
    timestampMs: spec.timestampMs ?? (T0 - 60n + spec.height) * 1000n,
    parentHash: spec.parentHash ?? 0n,
    stateRoot: spec.stateRoot,
    validatorSetRoot: keys.root,
    nextValidatorSetRoot: spec.next ?? 0n,
  };
  return sign(h, keys);
}

/** The Away side addresses the Home leaves refer to. */
export interface AwayParties {
  awayChainId: bigint;
  settlement: Address;
  escrow: Address;
  weth: Address;
  usdc: Address;
  /** Mode-1 auctioneer (sells WETH for USDC). */
  auctioneer: Address;
  /** Mode-2 auctioneer (borrows USDC, sells it for WETH). */
  borrowerAuctioneer: Address;
  /** TestBorrower contracts (market makers that borrow to bid). */
  mm1: Address;
  mm2: Address;
  /** EOA bidders paying from their own funds. */
  w1: Address;
  w2: Address;
  /** LPs named by the mode-2 results (Alice lends 100,000 USDC against WETH, Bob 50,000). */
  lpAlice: Address;
  lpBob: Address;
}

export const E18 = 10n ** 18n;
export const E6 = 10n ** 6n;
/** 1,990 USDC per ETH: USDC base units per wei, times 1e18. */
export const PRICE_1990 = 1990n * E6;
export const PRICE_2000 = 2000n * E6;
/** 0.0005 ETH per USDC: wei per USDC base unit, times 1e18. */
export const PRICE_0_0005 = 5n * 10n ** 8n * E18;
/** The mode-2 LPs' own limit for repayment in WETH: 0.0004 ETH per USDC. */
export const LP_MIN_PRICE_WETH = 4n * 10n ** 8n * E18;
/** Home time the scenario's results cleared (a minute before T0). */
export const CLEARED_AT = T0 - 60n;
const ZERO = "0x0000000000000000000000000000000000000000" as Address;

export interface SettlementCase {
  name: string;
  result: AuctionResultPayload;
  /** Lockups in slot order. */
  lockups: LockupPayload[];
  /** awayBinding the leaves are bound to (normally the settlement's). */
  binding: bigint;
}

const OWNER = (label: string) => bytesToHex(seed(`home owner ${label}`)) as `0x${string}`;

/** A locked lockup (status 1) of a deterministic Home owner. */
export function lockup(lockId: bigint, borrower: Address, creditAsset: Address, creditLimit: bigint, expiry: bigint): LockupPayload {
  return { lockId, owner: OWNER(`lock ${lockId}`), borrower, creditAsset, creditLimit, expiry, status: 1 };
}

/** A fill paying sellAmount * price / 1e18. */
export function fill(winner: Address, sellAmount: bigint, price: bigint, lockId: bigint, maxRateBps: number) {
  return { winner, sellAmount, payAmount: (sellAmount * price) / E18, lockId, maxRateBps };
}

/** Every settlement the tests use, by name. */
export function settlementCases(p: AwayParties): Record<string, SettlementCase> {
  const bind = awayBinding(p.awayChainId, p.settlement);
  const deadline = T0 + 2n * DAY;
  const expiry = T0 + 7n * DAY;
  const mode1 = (auctionId: bigint, sellAmount: bigint, price: bigint, fills: ReturnType<typeof fill>[], settleDeadline = deadline): AuctionResultPayload => ({
    auctionId,
    auctioneer: p.auctioneer,
    sellAsset: p.weth,
    sellAmount,
    buyAsset: p.usdc,
    clearingPrice: price,
    mode: 1,
    auctioneerLockId: 0n,
    auctioneerMaxRateBps: 0,
    lp: ZERO,
    settleDeadline,
    clearedAt: CLEARED_AT,
    fills,
  });
  const mode2 = (auctionId: bigint, sellAmount: bigint, lockId: bigint, lp: Address, fills: ReturnType<typeof fill>[]): AuctionResultPayload => ({
    auctionId,
    auctioneer: p.borrowerAuctioneer,
    sellAsset: p.usdc,
    sellAmount,
    buyAsset: p.weth,
    clearingPrice: PRICE_0_0005,
    mode: 2,
    auctioneerLockId: lockId,
    auctioneerMaxRateBps: 20,
    lp,
    settleDeadline: deadline,
    clearedAt: CLEARED_AT,
    fills,
  });
  const c = (name: string, result: AuctionResultPayload, lockups: LockupPayload[], binding = bind): SettlementCase => ({
    name,
    result,
    lockups,
    binding,
  });
  const lock11 = lockup(11n, p.mm1, p.usdc, 250_000n * E6, expiry);
  return {
    // Reference doc, mode 1: 100 ETH at 1,990 USDC, one market maker borrowing from the 0.10% LP.
    mode1One: c("mode1One", mode1(1n, 100n * E18, PRICE_1990, [fill(p.mm1, 100n * E18, PRICE_1990, 11n, 15)]), [lock11]),
    // Two borrowing market makers and one bidder with own funds; 1 WETH unsold.
    mode1Several: c(
      "mode1Several",
      mode1(2n, 10n * E18, PRICE_2000, [
        fill(p.mm1, 4n * E18, PRICE_2000, 21n, 15),
        fill(p.mm2, 3n * E18, PRICE_2000, 22n, 15),
        fill(p.w1, 2n * E18, PRICE_2000, 0n, 0),
      ]),
      [lockup(21n, p.mm1, p.usdc, 10_000n * E6, expiry), lockup(22n, p.mm2, p.usdc, 10_000n * E6, expiry)],
    ),
    // Reference doc, mode 2: 100,000 USDC sold at 0.0005 ETH/USDC, LP at 0.15% repaid 50.075 ETH.
    mode2One: c(
      "mode2One",
      mode2(3n, 100_000n * E6, 31n, p.lpAlice, [fill(p.w1, 100_000n * E6, PRICE_0_0005, 0n, 0)]),
      [lockup(31n, p.borrowerAuctioneer, p.usdc, 120_000n * E6, expiry)],
    ),
    mode2Several: c(
      "mode2Several",
      mode2(4n, 60_000n * E6, 41n, p.lpBob, [
        fill(p.w1, 30_000n * E6, PRICE_0_0005, 0n, 0),
        fill(p.w2, 20_000n * E6, PRICE_0_0005, 0n, 0),
      ]),
      [lockup(41n, p.borrowerAuctioneer, p.usdc, 60_000n * E6, expiry)],
    ),
    // Uses lockup 11 again (already consumed by mode1One).
    lockReuse: c("lockReuse", mode1(5n, 1n * E18, PRICE_1990, [fill(p.mm1, 1n * E18, PRICE_1990, 11n, 15)]), [lock11]),
    // Leaves bound to another Away chain, or to another contract on this chain.
    otherChain: c(
      "otherChain",
      mode1(6n, 1n * E18, PRICE_1990, [fill(p.w1, 1n * E18, PRICE_1990, 0n, 0)]),
      [],
      awayBinding(p.awayChainId + 1n, p.settlement),
    ),
    otherContract: c(
      "otherContract",
      mode1(7n, 1n * E18, PRICE_1990, [fill(p.w1, 1n * E18, PRICE_1990, 0n, 0)]),
      [],
      awayBinding(p.awayChainId, p.escrow),
    ),
    // Credit limit equal to the principal: does not cover the interest.
    creditTooLow: c(
      "creditTooLow",
      mode1(8n, 1n * E18, PRICE_1990, [fill(p.mm2, 1n * E18, PRICE_1990, 81n, 15)]),
      [lockup(81n, p.mm2, p.usdc, 1990n * E6, expiry)],
    ),
    // Lockup expiring one hour after T0.
    shortLock: c(
      "shortLock",
      mode1(9n, 1n * E18, PRICE_1990, [fill(p.mm2, 1n * E18, PRICE_1990, 91n, 15)]),
      [lockup(91n, p.mm2, p.usdc, 5_000n * E6, T0 + HOUR)],
    ),
    // Lockup of another borrower (mm1) backing mm2's fill.
    wrongBorrower: c(
      "wrongBorrower",
      mode1(12n, 1n * E18, PRICE_1990, [fill(p.mm2, 1n * E18, PRICE_1990, 121n, 15)]),
      [lockup(121n, p.mm1, p.usdc, 5_000n * E6, expiry)],
    ),
    // Lockup already released on Home (status 2).
    releasedLock: c(
      "releasedLock",
      mode1(13n, 1n * E18, PRICE_1990, [fill(p.mm2, 1n * E18, PRICE_1990, 131n, 15)]),
      [{ ...lockup(131n, p.mm2, p.usdc, 5_000n * E6, expiry), status: 2 }],
    ),
    // Credit line in WETH while the loan is in USDC.
    wrongCreditAsset: c(
      "wrongCreditAsset",
      mode1(14n, 1n * E18, PRICE_1990, [fill(p.mm2, 1n * E18, PRICE_1990, 141n, 15)]),
      [lockup(141n, p.mm2, p.weth, 5_000n * E18, expiry)],
    ),
    // Settlement deadline one hour after T0 (default receipt).
    defaulting: c(
      "defaulting",
      mode1(11n, 2n * E18, PRICE_1990, [fill(p.mm2, 2n * E18, PRICE_1990, 111n, 15)], T0 + HOUR),
      [lockup(111n, p.mm2, p.usdc, 5_000n * E6, expiry)],
    ),
  };
}

/** A Home state tree with every case's leaves; leaves shared by several cases are inserted once. */
export function buildState(cases: SettlementCase[]): SparseMerkleTree {
  const tree = new SparseMerkleTree();
  for (const c of cases) {
    const rk = leafKey(KIND_AUCTION_RESULT, c.result.auctionId);
    tree.set(rk, c.binding, auctionResultDigest(c.result));
    for (const l of c.lockups) {
      const lk = leafKey(KIND_LOCKUP, l.lockId);
      const d = lockupDigest(l);
      const have = tree.get(lk);
      if (have && (have.payloadDigest !== d || have.awayBinding !== c.binding)) throw new Error(`lockup ${l.lockId} defined twice`);
      tree.set(lk, c.binding, d);
    }
  }
  return tree;
}
