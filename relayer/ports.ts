// The relayer's seams: what it reads from Home, what it reads from and sends to each Away
// chain, and how it proves. The planner only sees the plain views (HomeView, AwayView);
// the job handlers use the ports. Real implementations: home-http.ts (the typed Home API client),
// away-viem.ts (contracts via viem), prover-port.ts (prover/); tests plug in fakes.
import type { Address, Hex } from "viem";
import type { SettlementInputs } from "../home/api/index.ts";
import type { ReceiptWord } from "../home/model/away-storage.ts";
import type { SignedHeader } from "../home/model/header.ts";
import type { AuctionResultPayload, LockupPayload } from "../home/model/leaves.ts";
import type { EpochState, LedgerInfoCalldata, LedgerInfoWithSignatures, Voucher, VoucherCalldata } from "../verifier-ts/openlibra/index.ts";
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
  /** Unix seconds; after it (extended by the light client's pauses) an unsettled result gets a default receipt. */
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
  /** The light client has a headerSettlementVerifier: AtomicSettlement.settleWithHeader can store a header and settle in one call. */
  headerSettlement?: boolean;
  /** The light client is anchored (DESIGN section 10): its OpenLibraLightClient; absent when unanchored. */
  anchor?: AnchorView;
  /** Latest block timestamp, unix seconds. */
  nowSec: bigint;
  /**
   * Receipt words present on Away, for the auctions asked about: outcome 0 open (some fills settled,
   * the rest may still settle or default), 1 closed with every fill settled, 2 closed with defaults.
   */
  receipts: Map<bigint, ReceiptWord>;
}

/** An anchored light client's OpenLibraLightClient, as the planner sees it. */
export interface AnchorView {
  /** currentEpoch(): the Open Libra epoch whose real validator set the anchor holds. */
  epoch: bigint;
  /**
   * vouchedAttestationSetRoot(e) of the epochs after the light client's up to the anchor's (the
   * vouchers the light client's next rotations need that the anchor can already take); an epoch
   * without a voucher is absent.
   */
  vouched: Map<bigint, bigint>;
}

/** Proof in snarkjs calldata order (8 words) and its public inputs. */
export interface Groth16Calldata {
  proof: bigint[];
  pub: bigint[];
}

/**
 * A header proof: of the aggregated attestation circuit, or of the per-validator fallback (the
 * light client's submitHeader is told which). Rows stored before `kind` existed read as "aggregated".
 */
export interface HeaderCalldata extends Groth16Calldata {
  kind?: "aggregated" | "perValidator";
}

/** Everything a settlement (or default) proof and transaction need, at one Home height. */
export interface SettlementMaterial {
  height: bigint;
  /** The Settlement prover's inputs (stored in the job row, bigints preserved). */
  proverArgs: SettlementInputs;
  /** ABI values for AtomicSettlement.settle/recordDefault. */
  result: AuctionResultPayload;
  /** The result's lockups in ENCODING.md slot order. */
  lockups: LockupPayload[];
}

export interface HomeSource {
  view(): Promise<HomeView>;
  /** Signed header at `height`, with its aggregate signature when Home made one (as the prover's proveHeader takes it). */
  signedHeader(height: bigint): Promise<SignedHeader>;
  /** Leaves, payloads and state proofs of one auction's settlement at `height`. */
  settlementMaterial(auctionId: bigint, height: bigint, chainId: number): Promise<SettlementMaterial>;
  /** Carry an Away receipt to Home; "already" when Home had consumed it. */
  postReceipt(chainId: number, auctionId: bigint): Promise<"consumed" | "already">;
  /** BCS-decoded Open Libra LedgerInfoWithSignatures that ends Open Libra epoch `epoch` (Home code "ledger-info-not-found" before it ends). */
  openLibraEpochEnding(epoch: bigint): Promise<LedgerInfoWithSignatures>;
  /** BCS-decoded Open Libra validator set of `epoch`. */
  openLibraEpochState(epoch: bigint): Promise<EpochState>;
  /** The voucher of epoch `epoch`'s attestation set by that epoch's Open Libra validators (Home code "voucher-not-found" before the epoch's first block). */
  openLibraVoucher(epoch: bigint): Promise<Voucher>;
  /**
   * Waits until Home seals a block above `after` ("block") or `waitMs` passes ("timeout"), or
   * `signal` aborts (rejects); "unsupported" when this Home cannot be asked to wait. A source
   * without it is polled every pollIntervalMs.
   */
  waitForBlock?(after: bigint, waitMs: number, signal: AbortSignal): Promise<BlockWait>;
}

/** What a wait for a Home block ended with (HomeSource.waitForBlock). */
export type BlockWait = "block" | "timeout" | "unsupported";

export interface ProverPort {
  /** Aggregated proof when the header carries an aggregate signature, else the per-validator one where the profile has it. */
  proveHeader(signedHeader: SignedHeader): Promise<HeaderCalldata>;
  proveSettlement(material: SettlementMaterial): Promise<Groth16Calldata>;
  /** One HeaderSettlement proof of the header's aggregate attestation and the settlement in its stateRoot (public inputs: the header's four, then the settlement's). */
  proveHeaderSettlement(signedHeader: SignedHeader, material: SettlementMaterial): Promise<Groth16Calldata>;
}

/** The settlement window of a result as the Away chain computes it now. */
export interface SettlementWindow {
  /** settleDeadline plus the light client's paused seconds since the result cleared (unix seconds). */
  deadline: bigint;
  /** The Away chain's latest block timestamp. */
  nowSec: bigint;
  /** The light client is paused (settlement reads and header submission refuse). */
  paused: boolean;
}

/** An anchored light client's OpenLibraLightClient (contracts/OpenLibraLightClient.sol). */
export interface AnchorPort {
  address: Address;
  /** currentEpoch(). */
  epoch(): Promise<bigint>;
  /** vouchedAttestationSetRoot(epoch): 0 when none is recorded. */
  vouched(epoch: bigint): Promise<bigint>;
  /** submitEpochChange of an epoch-ending LedgerInfo. */
  epochChangeTx(c: LedgerInfoCalldata): TxIntent;
  /** submitVoucher. */
  voucherTx(c: VoucherCalldata): TxIntent;
}

export interface AwayPort {
  chainId: number;
  settlement: Address;
  /** The light client's anchor; absent when the light client is unanchored. */
  anchor?: AnchorPort;
  view(auctionIds: bigint[]): Promise<AwayView>;
  /** Is a header stored at this height? */
  headerStored(height: bigint): Promise<boolean>;
  lightClientState(): Promise<AwayView["lightClient"]>;
  receipt(auctionId: bigint): Promise<ReceiptWord | null>;
  /** The result's pause-extended deadline, read from the light client's pause log. */
  settlementWindow(result: Pick<AuctionResultPayload, "settleDeadline" | "clearedAt">): Promise<SettlementWindow>;
  headerTx(c: HeaderCalldata): TxIntent;
  settleTx(m: SettlementMaterial, c: Groth16Calldata): TxIntent;
  /** settleWithHeader: store the header of a HeaderSettlement proof and settle, in one transaction. */
  settleWithHeaderTx(m: SettlementMaterial, c: Groth16Calldata): TxIntent;
  defaultTx(m: SettlementMaterial, c: Groth16Calldata): TxIntent;
}

export type { Address, Hex };
