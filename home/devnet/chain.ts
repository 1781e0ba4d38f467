// The simulated Open Libra (Home) chain: blocks on a timer, epochs of K blocks with
// validator-set rotation, headers signed by the online validators (one EdDSA-Poseidon signature
// each, and one aggregate signature from a two-nonce signing session: attestation.ts), the
// Atomic Auctions module state in a Poseidon sparse Merkle tree, and durable storage with replay.
//
// Actions are applied to a copy of the module state and kept only when they succeed and
// are stored, so a rejected action changes nothing. Accepted actions take effect at once
// in the module state (GET /auctions, /lockups) and enter the state tree, and so a
// header's stateRoot, in the next sealed block (its height is returned to the caller).
//
// DevnetChain composes the parts, each in its own file: clock.ts (Home time), sealing.ts (headers,
// signatures, epoch ends), block-log.ts (sealed blocks), state-history.ts (the state tree at every
// height), proofs.ts (state and settlement proofs), away-reader.ts (verified Away reads),
// replay.ts (opening a stored chain) and block-waits.ts (waiting for a block).
import { EventEmitter } from "node:events";
import type { LeafKind, LockupPayload, SignedHeader, ValidatorSet } from "../model/index.ts";
import { HomeError, type ActionResult, type StateProofView } from "../api/index.ts";
import {
  ACTION_TYPES,
  applyAction,
  awayRequirement,
  type ActionType,
  emptyModuleState,
  isActionType,
  type ActionContext,
  type AuctionRecord,
  type LockupRecord,
  type ModuleParams,
  type ModuleState,
} from "./auctions-module.ts";
import { DevnetAttestation, type AttestationControls } from "./attestation.ts";
import { AwayReader } from "./away-reader.ts";
import { BlockLog, blockInfo, type BlockInfo, type BlockRecord } from "./block-log.ts";
import { nextBlockEvent } from "./block-waits.ts";
import { HomeClock } from "./clock.ts";
import { awayChainsOf, chainIdentity, parseDecimal18, type DevnetConfig } from "./config.ts";
import { plainJSON } from "./json.ts";
import { settlementProofAt, stateProofAt, type ProofSource, type SettlementProof } from "./proofs.ts";
import { checkStoredIdentity, ctxToJSON, replayChain, storeIdentity } from "./replay.ts";
import { loadRiskSetup, riskIdentity, riskTick, type RiskSetup } from "./risk.ts";
import { accountPosition, accountOf, describeRiskEvent, priceAt, type AccountLockup, type AccountPosition, type CollateralAccount, type RiskState } from "../risk/index.ts";
import { Sealer, isEpochEnd } from "./sealing.ts";
import { StateHistory } from "./state-history.ts";
import { DevnetOpenLibra } from "./openlibra.ts";
import { DevnetStore } from "./store.ts";
import { ValidatorSim } from "./validator-sim.ts";

export type { BlockInfo, BlockRecord } from "./block-log.ts";

export interface SubmitResult<T extends ActionType = ActionType> {
  seq: number;
  /** Height of the block whose stateRoot will include the action's leaves. */
  height: bigint;
  type: T;
  result: ActionResult<T>;
  leaves: { kind: LeafKind; id: bigint; leafKey: bigint }[];
}

/** A state proof of one leaf at one height, with its payload when included (home/api StateProofView). */
export type StateProofResult = StateProofView;

const shuttingDown = () => new HomeError("shutting-down", "the devnet is shutting down");

export class DevnetChain extends EventEmitter {
  readonly sim: ValidatorSim;
  readonly params: ModuleParams;
  /** The validators' aggregated signing sessions (their nonce store, the devnet's switches). */
  readonly attestation: DevnetAttestation;
  /** The same chain in Open Libra's formats: epoch-ending LedgerInfos, vouchers, backups (openlibra.ts). */
  readonly openLibra: DevnetOpenLibra;
  private readonly store: DevnetStore;
  private readonly clock: HomeClock;
  private readonly sealer: Sealer;
  private readonly blockLog: BlockLog;
  private readonly history = new StateHistory();
  private readonly away: AwayReader;
  private readonly proofs: ProofSource;
  private readonly priceScaled: bigint;
  /** The LIBRA price series and risk config (--libra-price-source, --risk-config). */
  readonly riskSetup: RiskSetup;
  private state: ModuleState;
  private nextSeq = 1;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(readonly config: DevnetConfig) {
    super();
    this.setMaxListeners(1000);
    this.riskSetup = loadRiskSetup(config);
    this.state = emptyModuleState(this.riskSetup.config, priceAt(this.riskSetup.series, 0n));
    this.sim = new ValidatorSim({ seed: config.seed, chainId: config.homeChainId, capacity: config.capacity, active: config.active, powers: config.powers });
    this.params = {
      aways: awayChainsOf(config).map((a) => ({ chainId: a.chainId, settlementAddress: a.settlementAddress, escrowAddress: a.escrowAddress })),
      maxFills: config.maxFills,
      maxLockFills: config.maxLockFills,
      risk: this.riskSetup.config,
    };
    this.priceScaled = parseDecimal18(config.libraPrice, "libra-price");
    this.away = new AwayReader(config);
    this.store = DevnetStore.open(config.dataDir);
    this.attestation = new DevnetAttestation(this.sim, config.homeChainId, config.dataDir);
    this.clock = new HomeClock(this.store);
    this.sealer = new Sealer(config, this.sim, this.attestation, this.clock);
    this.blockLog = new BlockLog(this.store);
    const blocks = { latestHeight: () => this.blockLog.latest.header.height, block: (h: bigint) => this.blockLog.block(h) };
    this.proofs = { ...blocks, history: this.history };
    this.openLibra = new DevnetOpenLibra(this.sim, { ...blocks, epochBlocks: config.epochBlocks }, config.backupDir, config.log);
  }

  /** Opens the chain in config.dataDir (creating genesis, or replaying what is stored). */
  static open(config: DevnetConfig): DevnetChain {
    const chain = new DevnetChain(config);
    try {
      chain.load();
    } catch (e) {
      chain.store.close();
      chain.attestation.close();
      throw e;
    }
    return chain;
  }

  private load(): void {
    const identity = { ...chainIdentity(this.config), ...riskIdentity(this.riskSetup) };
    const stored = checkStoredIdentity(this.store, identity);
    this.clock.restore();
    if (!stored) {
      this.store.transaction(() => {
        storeIdentity(this.store, identity);
        this.seal(0n);
      });
      return;
    }
    const target = { state: this.state, params: this.params, history: this.history, clock: this.clock, openBlock: (h: bigint) => this.openBlock(h, false) };
    const replayed = replayChain(this.store, target);
    this.blockLog.setLatest(replayed.latest);
    this.nextSeq = replayed.nextSeq;
  }

  /**
   * Opens block `height` before any of its actions: the risk tick at that height (breaker, ratio,
   * volatility from the series' price) and its risk-state leaf; `log` prints each breaker or
   * ratio event as one line (off while replaying stored blocks).
   */
  private openBlock(height: bigint, log: boolean): void {
    const { events, write } = riskTick(this.state.risk, this.riskSetup, height);
    this.history.stage([write]);
    if (log) for (const e of events) this.config.log?.(`risk: ${describeRiskEvent(e)}`);
  }

  // ---- time ----

  /** Home time in unix ms: wall clock plus the devnet's time warp, never going backwards. */
  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Moves Home time forward (devnet only; like an EVM node's evm_increaseTime). */
  advanceTime(seconds: number): number {
    return this.clock.advance(seconds);
  }

  // ---- blocks ----

  /** Devnet switches of the aggregated scheme for blocks produced from now on (POST /admin/attestation). */
  setAttestationControls(c: Partial<AttestationControls>): AttestationControls {
    return this.sealer.setAttestationControls(c);
  }

  /** Replaces the offline slots for blocks produced from now on (null: back to the configured rules). */
  setOffline(slots: number[] | null): void {
    this.sealer.setOffline(slots);
  }

  /** Seals block `height` on the latest (genesis: on nothing) with the pending leaves, and stores it. */
  private seal(height: bigint): BlockRecord {
    this.history.seal(height, { snapshot: true });
    const parent = height === 0n ? null : this.blockLog.latest;
    const { block, excluded } = this.sealer.seal(height, parent, this.history.root);
    if (excluded.length) this.emit("attestation-excluded", { height, excluded });
    this.blockLog.append(block);
    this.openLibra.sealed(height);
    this.openBlock(height + 1n, true);
    return block;
  }

  /** Seals the next block now (also what the timer does every blockMs). */
  produceBlock(): BlockInfo {
    this.refuseIfClosed();
    const block = this.seal(this.blockLog.latest.header.height + 1n);
    const info = this.info(block);
    this.emit("block", info);
    return info;
  }

  /** Starts producing blocks every config.blockMs (no-op when blockMs is 0). */
  start(): void {
    if (this.config.blockMs === 0 || this.timer || this.closed) return;
    const tick = () => {
      try {
        this.produceBlock();
      } catch (e) {
        // Storage failed (disk full, ...): stop producing rather than fork from what is stored.
        this.emit("producer-error", e);
        return;
      }
      this.timer = setTimeout(tick, this.config.blockMs);
    };
    this.timer = setTimeout(tick, this.config.blockMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  close(): void {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    this.emit("closed");
    this.store.close();
    this.attestation.close();
  }

  info(b: BlockRecord): BlockInfo {
    return blockInfo(b, this.sim.setOf(b.header.epoch));
  }

  get latest(): BlockInfo {
    return this.info(this.blockLog.latest);
  }

  block(height: bigint): BlockInfo | undefined {
    const b = this.blockLog.block(height);
    return b && this.info(b);
  }

  blocks(from: bigint, to: bigint): BlockInfo[] {
    const out: BlockInfo[] = [];
    for (let h = from; h <= to && h <= this.blockLog.latest.header.height; h++) out.push(this.block(h)!);
    return out;
  }

  signedHeader(b: BlockRecord): SignedHeader {
    return { header: b.header, validatorSet: this.sim.setOf(b.header.epoch), signed: b.signed, signatures: b.signatures, aggregate: b.aggregate };
  }

  /** The set of an epoch that has started or been announced by an epoch-ending header. */
  validatorSet(epoch: bigint): ValidatorSet | undefined {
    const latest = this.blockLog.latest.header;
    const announced = latest.epoch + (isEpochEnd(latest.height, this.config.epochBlocks) ? 1n : 0n);
    if (epoch < 0n || epoch > announced) return undefined;
    return this.sim.setOf(epoch);
  }

  /** Resolves once a block at `height` or above is sealed (seals at once in manual mode). */
  async waitForHeight(height: bigint): Promise<BlockInfo> {
    if (this.config.blockMs === 0) {
      while (this.blockLog.latest.header.height < height) this.produceBlock();
    }
    if (this.blockLog.latest.header.height < height) {
      await nextBlockEvent(this, (b) => b.header.height >= height, "the devnet shut down before the block was sealed");
    }
    return this.block(height)!;
  }

  /**
   * Resolves with the latest block as soon as one above `after` is sealed (at once if there is
   * one), or with null after `waitMs` or when `signal` aborts. Unlike waitForHeight it never
   * seals a block itself: it listens for the "block" event, so a waiter costs nothing until then.
   */
  nextBlockAfter(after: bigint, waitMs: number, signal?: AbortSignal): Promise<BlockInfo | null> {
    if (this.blockLog.latest.header.height > after) return Promise.resolve(this.latest);
    if (this.closed) return Promise.reject(shuttingDown());
    if (signal?.aborted) return Promise.resolve(null);
    return nextBlockEvent(this, (b) => b.header.height > after, "the devnet shut down while the request waited for a block", { waitMs, signal });
  }

  // ---- state ----

  stateProof(kind: LeafKind, id: bigint, height?: bigint): StateProofResult {
    return stateProofAt(this.proofs, kind, id, height);
  }

  /**
   * Everything a Settlement proof of an auction needs, at one height: the result leaf's
   * proof and the proofs of the lockups it uses, in the circuit's slot order (proofs.ts).
   */
  settlementProof(auctionId: bigint, height?: bigint): SettlementProof {
    return settlementProofAt(this.proofs, auctionId, height);
  }

  auctions(): AuctionRecord[] {
    return [...this.state.auctions.values()];
  }

  auction(id: bigint): AuctionRecord | undefined {
    return this.state.auctions.get(id);
  }

  lockups(): LockupRecord[] {
    return [...this.state.lockups.values()];
  }

  lockup(id: bigint): LockupRecord | undefined {
    return this.state.lockups.get(id);
  }

  /** The risk engine's state now: the tick of the block being built, its price, volatility and breaker. */
  riskState(): RiskState {
    return structuredClone(this.state.risk);
  }

  /** A collateral account with its lockups (book entries) and its position at the current risk state. */
  account(accountId: bigint): { account: CollateralAccount; position: AccountPosition; lockups: AccountLockup[] } | undefined {
    const book = this.state.book;
    if (!book.accounts.has(accountId)) return undefined;
    const account = structuredClone(accountOf(book, accountId));
    const lockups = [...book.lockups.values()].filter((l) => l.accountId === accountId).map((l) => ({ ...l }));
    return { account, position: accountPosition(book, accountId, this.state.risk, this.params.risk), lockups };
  }

  /** Lockup payloads by id (for the Settlement public inputs: lockDigestsFor). */
  lockupPayloads(): Map<bigint, LockupPayload> {
    return new Map([...this.state.lockups].map(([k, v]) => [k, { ...v.payload }]));
  }

  // ---- actions ----

  /**
   * Validates and applies one module action (the body is decoded with the action's schema);
   * throws HomeError (nothing applied) on rejection.
   */
  async submit<T extends ActionType>(type: T, rawBody: unknown): Promise<SubmitResult<T>> {
    const body = plainJSON(rawBody);
    if (!isActionType(type)) throw new HomeError("unknown-action", `unknown action '${type}' (actions: ${ACTION_TYPES.join(", ")})`);
    this.refuseIfClosed();
    const req = awayRequirement(this.state, this.params, type, body, this.nowMs());
    const evidence = req ? await this.away.read(req) : undefined;
    this.refuseIfClosed();
    const ctx: ActionContext = { nowMs: this.nowMs(), priceScaled: this.priceScaled, collateralRatioPercent: this.config.collateralRatioPercent, evidence };
    const next = structuredClone(this.state);
    const out = applyAction(next, this.params, type, body, ctx);
    this.history.checkPositions(out.writes);
    const seq = this.nextSeq;
    const height = this.blockLog.latest.header.height + 1n;
    this.store.appendAction({ seq, height, type, body, ctx: ctxToJSON(ctx) });
    // Stored: now make it visible (nothing below can fail).
    this.nextSeq++;
    this.state = next;
    this.history.stage(out.writes);
    return { seq, height, type, result: out.result, leaves: out.writes.map((w) => ({ kind: w.kind, id: w.id, leafKey: w.leafKey })) };
  }

  private refuseIfClosed(): void {
    if (this.closed) throw shuttingDown();
  }

  /** Pending (accepted, unsealed) action count, for status output. */
  get pendingLeaves(): number {
    return this.history.pendingCount;
  }
}
