// The relayer's seams: what it reads from Home, what it reads from and sends to each Away
// chain, and how it proves. The planner only sees the plain views (HomeView, AwayView);
// the executor uses the ports. Real implementations: home-http.ts (the typed Home API client),
// away-viem.ts (contracts via viem), prover-port.ts (prover/); tests plug in fakes.
import type { Address, Hex } from "viem";
import type { SettlementInputs } from "../home/api/index.ts";
import type { ReceiptWord } from "../home/model/away-storage.ts";
import type { SignedHeader } from "../home/model/header.ts";
import type { AuctionResultPayload, LockupPayload } from "../home/model/leaves.ts";
import type { TxIntent } from "./submit.ts";

/** A cleared auction result on Home, as far as the planner needs it. */
export interface HomeAuction {
  auctionId: bigint;
  /** From the leaf's awayBinding. */
  awayChainId: number;
  /** AtomicSettlement address the leaf is bound to (lowercase). */
  awayContract: Address;
  /** First Home height whose state contains the result leaf. */
  height: bigint;
  /** Unix seconds; after it an unsettled result gets a default receipt. */
  settleDeadline: bigint;
  /** Home already consumed an Away receipt for this auction (collateral released/slashed). */
  receiptConsumed: boolean;
}

export interface HomeView {
  latestHeight: bigint;
  latestEpoch: bigint;
  /** Ending height of every finished epoch, ascending by epoch. */
  epochEnds: { epoch: bigint; height: bigint }[];
  auctions: HomeAuction[];
}

export interface AwayView {
  chainId: number;
  /** AtomicSettlement address (lowercase). */
  settlement: Address;
  lightClient: { epoch: bigint; latestHeight: bigint; hasHeaders: boolean };
  /** Latest block timestamp, unix seconds. */
  nowSec: bigint;
  /**
   * Receipt words present on Away, for the auctions asked about: outcome 0 open (some fills settled,
   * the rest may still settle or default), 1 closed with every fill settled, 2 closed with defaults.
   */
  receipts: Map<bigint, ReceiptWord>;
}

/** Proof in snarkjs calldata order (8 words) and its public inputs. */
export interface Groth16Calldata {
  proof: bigint[];
  pub: bigint[];
}

/** Everything a settlement (or default) proof and transaction need, at one Home height. */
export interface SettlementMaterial {
  height: bigint;
  /** The Settlement prover's inputs (stored in the job row, bigints preserved). */
  proverArgs: SettlementInputs;
  /** ABI values for AtomicSettlement.settle/recordDefault. */
  result: AuctionResultPayload;
  lockups: LockupPayload[];
}

export interface HomeSource {
  view(): Promise<HomeView>;
  /** Signed header at `height` (as the prover's proveHeaderQuorum takes it). */
  signedHeader(height: bigint): Promise<SignedHeader>;
  /** Leaves, payloads and state proofs of one auction's settlement at `height`. */
  settlementMaterial(auctionId: bigint, height: bigint, chainId: number): Promise<SettlementMaterial>;
  /** Carry an Away receipt to Home; "already" when Home had consumed it. */
  postReceipt(chainId: number, auctionId: bigint): Promise<"consumed" | "already">;
}

export interface ProverPort {
  proveHeader(signedHeader: SignedHeader): Promise<Groth16Calldata>;
  proveSettlement(material: SettlementMaterial): Promise<Groth16Calldata>;
}

export interface AwayPort {
  chainId: number;
  settlement: Address;
  view(auctionIds: bigint[]): Promise<AwayView>;
  /** Is a header stored at this height? */
  headerStored(height: bigint): Promise<boolean>;
  lightClientState(): Promise<AwayView["lightClient"]>;
  receipt(auctionId: bigint): Promise<ReceiptWord | null>;
  headerTx(c: Groth16Calldata): TxIntent;
  settleTx(m: SettlementMaterial, c: Groth16Calldata): TxIntent;
  defaultTx(m: SettlementMaterial, c: Groth16Calldata): TxIntent;
}

export type { Address, Hex };
