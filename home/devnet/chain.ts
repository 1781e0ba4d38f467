// The simulated Open Libra (Home) chain: blocks on a timer, epochs of K blocks with
// validator-set rotation, headers signed by the online validators (one EdDSA-Poseidon signature
// each, and one aggregate signature from a two-nonce signing session: attestation.ts), the
// Atomic Auctions module state in a Poseidon sparse Merkle tree, and durable storage with replay.
//
// Actions are applied to a copy of the module state and kept only when they succeed and
// are stored, so a rejected action changes nothing. Accepted actions take effect at once
// in the module state (GET /auctions, /lockups) and enter the state tree, and so a
// header's stateRoot, in the next sealed block (its height is returned to the caller).
import { EventEmitter } from "node:events";
import type { Hex } from "viem";
import {
  SparseMerkleTree,
  emptyRoot,
  encodeLeafPayload,
  hasQuorum,
  headerFromJSON,
  headerHash,
  headerToJSON,
  leafKey as modelLeafKey,
  positionOf,
  signHeader,
  signatureFromJSON,
  signatureToJSON,
  signedPower,
  totalPower,
  bytesToHex,
  aggregateSignatureFromJSON,
  aggregateSignatureToJSON,
  KIND_AUCTION_RESULT,
  KIND_LOCKUP,
  STATE_DEPTH,
  leafContract,
  lockupSlotIds,
  type AggregateSignature,
  type Header,
  type LeafKind,
  type LockupPayload,
  type SignedHeader,
  type Signature,
  type ValidatorSet,
} from "../model/index.ts";
import { HomeError, stateProofView, type ActionResult, type StateProofOf, type StateProofView } from "../api/index.ts";
import {
  ACTION_TYPES,
  applyAction,
  awayRequirement,
  type ActionType,
  emptyModuleState,
  isActionType,
  type ActionContext,
  type AuctionRecord,
  type AwayEvidence,
  type AwayRequirement,
  type LeafWrite,
  type LockupRecord,
  type ModuleParams,
  type ModuleState,
} from "./auctions-module.ts";
import {
  checkChainId,
  checkEscrowDeposit,
  httpRpc,
  readSettlementReceipt,
  type AwayRpc,
} from "./away-proof.ts";
import { DevnetAttestation, type AttestationControls } from "./attestation.ts";
import { chainIdentity, parseDecimal18, type DevnetConfig } from "./config.ts";
import { plainJSON } from "./json.ts";
import { DevnetOpenLibra } from "./openlibra.ts";
import { DevnetStore } from "./store.ts";
import { ValidatorSim } from "./validator-sim.ts";

export interface BlockRecord {
  header: Header;
  hash: bigint;
  signed: boolean[];
  signatures: Signature[];
  /** The validators' aggregate signature (null: no session reached a quorum, or aggregation is off). */
  aggregate: AggregateSignature | null;
}

export interface BlockInfo extends BlockRecord {
  signedPower: bigint;
  totalPower: bigint;
  /** 3 * signedPower > 2 * totalPower. Headers without quorum are served too, marked false. */
  quorum: boolean;
}

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

class CorruptDataError extends Error {}

function ctxToJSON(ctx: ActionContext): unknown {
  return { nowMs: ctx.nowMs, priceScaled: ctx.priceScaled.toString(), collateralRatioPercent: ctx.collateralRatioPercent, evidence: ctx.evidence };
}

function ctxFromJSON(j: any): ActionContext {
  return { nowMs: j.nowMs, priceScaled: BigInt(j.priceScaled), collateralRatioPercent: j.collateralRatioPercent, evidence: j.evidence ?? undefined };
}

export class DevnetChain extends EventEmitter {
  readonly sim: ValidatorSim;
  readonly params: ModuleParams;
  /** The validators' aggregated signing sessions (their nonce store, the devnet's switches). */
  readonly attestation: DevnetAttestation;
  /** The same chain in Open Libra's formats: epoch-ending LedgerInfos, vouchers, backups (openlibra.ts). */
  readonly openLibra: DevnetOpenLibra;
  private readonly store: DevnetStore;
  private readonly rpc: AwayRpc | null;
  private readonly priceScaled: bigint;
  private state: ModuleState = emptyModuleState();
  /** State tree as of the latest sealed block. */
  private readonly tree = new SparseMerkleTree(STATE_DEPTH);
  /** Leaf writes of accepted actions not yet sealed, by leafKey (last write wins). */
  private readonly pending = new Map<bigint, LeafWrite>();
  /** Every sealed leaf write in order, for proofs at older heights. */
  private readonly changeLog: { height: bigint; write: LeafWrite }[] = [];
  private readonly history = new Map<bigint, { height: bigint; write: LeafWrite }[]>();
  /** Trees as of recent blocks that wrote leaves (height -> tree), for proofs at older heights. */
  private readonly snapshots = new Map<bigint, SparseMerkleTree>();
  private rebuilt: { height: bigint; tree: SparseMerkleTree } | null = null;
  private loading = false;
  private latestBlock!: BlockRecord;
  private readonly recent = new Map<bigint, BlockRecord>();
  private nextSeq = 1;
  private offlineOverride: Set<number> | null = null;
  private timeOffsetMs = 0;
  private lastNowMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private chainIdChecked = false;
  private closed = false;

  private constructor(readonly config: DevnetConfig) {
    super();
    this.setMaxListeners(1000);
    this.sim = new ValidatorSim({ seed: config.seed, chainId: config.homeChainId, capacity: config.capacity, active: config.active, powers: config.powers });
    this.params = {
      awayChainId: config.awayChainId,
      settlementAddress: config.settlementAddress,
      escrowAddress: config.escrowAddress,
      maxFills: config.maxFills,
      maxLockFills: config.maxLockFills,
    };
    this.priceScaled = parseDecimal18(config.libraPrice, "libra-price");
    this.rpc = config.awayRpc === null ? null : typeof config.awayRpc === "string" ? httpRpc(config.awayRpc) : config.awayRpc;
    this.store = DevnetStore.open(config.dataDir);
    this.attestation = new DevnetAttestation(this.sim, config.homeChainId, config.dataDir);
    const sealed = { epochBlocks: config.epochBlocks, latestHeight: () => this.latestBlock.header.height, block: (h: bigint) => this.block(h) };
    this.openLibra = new DevnetOpenLibra(this.sim, sealed, config.backupDir, config.log);
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

  // ---- time ----

  /** Home time in unix ms: wall clock plus the devnet's time warp, never going backwards. */
  nowMs(): number {
    this.lastNowMs = Math.max(this.lastNowMs, Date.now() + this.timeOffsetMs);
    return this.lastNowMs;
  }

  /** Moves Home time forward (devnet only; like an EVM node's evm_increaseTime). */
  advanceTime(seconds: number): number {
    if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new RangeError("seconds must be a positive integer");
    this.timeOffsetMs += seconds * 1000;
    this.store.setMeta("timeOffsetMs", String(this.timeOffsetMs));
    return this.nowMs();
  }

  // ---- loading ----

  private load(): void {
    const identity = chainIdentity(this.config);
    const stored = this.store.getMeta("identity");
    if (stored) {
      const prev = JSON.parse(stored) as Record<string, string>;
      for (const [k, v] of Object.entries(identity)) {
        if (prev[k] !== v) {
          throw new RangeError(
            `the data directory holds a chain created with ${k} = ${prev[k]}, not ${v}; use the same settings or another --data-dir`,
          );
        }
      }
    }
    this.timeOffsetMs = Number(this.store.getMeta("timeOffsetMs") ?? "0");
    if (!stored) {
      this.store.transaction(() => {
        this.store.setMeta("identity", JSON.stringify(identity));
        this.sealBlock(0n, 0n);
      });
      return;
    }
    const actions = this.store.actions();
    let ai = 0;
    this.loading = true;
    let prev: BlockRecord | null = null;
    // Hash linkage is re-checked over the last blocks only (Poseidon per header makes a full
    // check slow on a long chain); every block with actions has its stateRoot re-checked.
    const lastHeight = this.store.lastBlock()?.height ?? 0n;
    const linkFrom = lastHeight > 64n ? lastHeight - 64n : 0n;
    let expectHeight = 0n;
    for (const sb of this.store.blocks()) {
      const h = sb.height;
      if (h !== expectHeight) throw new CorruptDataError(`stored blocks skip from ${expectHeight - 1n} to ${h}`);
      expectHeight = h + 1n;
      const hadActions = ai < actions.length && actions[ai]!.height === h;
      if (h < linkFrom && !hadActions && h !== lastHeight) continue;
      const block: BlockRecord = {
        header: headerFromJSON(sb.header),
        hash: 0n,
        signed: sb.signed,
        signatures: sb.signatures.map((s, i) => signatureFromJSON(s, i)),
        aggregate: sb.aggregate === null ? null : aggregateSignatureFromJSON(sb.aggregate),
      };
      if (block.header.height !== h) throw new CorruptDataError(`block row ${h} holds header ${block.header.height}`);
      if (h >= linkFrom) {
        block.hash = headerHash(block.header);
        if (prev && block.header.parentHash !== prev.hash) throw new CorruptDataError(`block ${h} does not link to its parent`);
        if (h === 0n && block.header.parentHash !== 0n) throw new CorruptDataError("genesis has a parent hash");
      }
      while (ai < actions.length && actions[ai]!.height === h) this.replay(actions[ai++]!);
      this.applyPendingToTree(h);
      if (this.tree.root !== block.header.stateRoot) throw new CorruptDataError(`replayed state root differs from block ${h}'s stateRoot`);
      this.lastNowMs = Math.max(this.lastNowMs, Number(block.header.timestampMs));
      prev = h >= linkFrom ? block : null;
      if (h === lastHeight) prev = block;
    }
    this.loading = false;
    if (!prev) throw new CorruptDataError("the data directory has chain settings but no genesis block");
    this.setLatest(prev);
    while (ai < actions.length) {
      const a = actions[ai++]!;
      if (a.height !== prev.header.height + 1n) throw new CorruptDataError(`action ${a.seq} is for block ${a.height}, beyond the next block`);
      this.replay(a);
    }
  }

  private replay(a: { seq: number; type: string; body: unknown; ctx: unknown }): void {
    if (!isActionType(a.type)) throw new CorruptDataError(`stored action ${a.seq} has unknown type ${a.type}`);
    const ctx = ctxFromJSON(a.ctx);
    let out;
    try {
      out = applyAction(this.state, this.params, a.type, a.body, ctx);
    } catch (e) {
      throw new CorruptDataError(`stored action ${a.seq} (${a.type}) no longer applies: ${(e as Error).message}`);
    }
    for (const w of out.writes) this.pending.set(w.leafKey, w);
    this.nextSeq = a.seq + 1;
    this.lastNowMs = Math.max(this.lastNowMs, ctx.nowMs);
  }

  // ---- blocks ----

  private applyPendingToTree(height: bigint): void {
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    this.tree.setMany(writes.map((w) => ({ leafKey: w.leafKey, awayBinding: w.awayBinding, payloadDigest: w.payloadDigest })));
    if (!this.loading) {
      this.snapshots.set(height, this.tree.clone());
      if (this.snapshots.size > 16) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    for (const w of writes) {
      const entry = { height, write: w };
      this.changeLog.push(entry);
      const list = this.history.get(w.leafKey);
      if (list) list.push(entry);
      else this.history.set(w.leafKey, [entry]);
    }
    this.pending.clear();
  }

  private offlineSlots(epoch: bigint): Set<number> {
    if (this.offlineOverride) return this.offlineOverride;
    return new Set(this.config.offline.filter((r) => r.epoch === undefined || r.epoch === epoch).map((r) => r.slot));
  }

  /** Devnet switches of the aggregated scheme for blocks produced from now on (POST /admin/attestation). */
  setAttestationControls(c: Partial<AttestationControls>): AttestationControls {
    for (const s of c.dropouts ?? []) if (!Number.isInteger(s) || s < 0 || s >= this.config.capacity) throw new RangeError(`slot ${s} is not a slot of a ${this.config.capacity}-slot set`);
    this.attestation.controls = { ...this.attestation.controls, ...c };
    return { ...this.attestation.controls };
  }

  /** Replaces the offline slots for blocks produced from now on (null: back to the configured rules). */
  setOffline(slots: number[] | null): void {
    if (slots) {
      for (const s of slots) if (!Number.isInteger(s) || s < 0 || s >= this.config.capacity) throw new RangeError(`slot ${s} is not a slot of a ${this.config.capacity}-slot set`);
    }
    this.offlineOverride = slots ? new Set(slots) : null;
  }

  private isEpochEnd(height: bigint): boolean {
    return (height + 1n) % BigInt(this.config.epochBlocks) === 0n;
  }

  private sealBlock(height: bigint, parentHash: bigint): BlockRecord {
    const K = BigInt(this.config.epochBlocks);
    const epoch = height / K;
    this.applyPendingToTree(height);
    const parentTs = height === 0n ? 0n : this.latestBlock.header.timestampMs;
    let ts = BigInt(this.nowMs());
    if (ts <= parentTs) ts = parentTs + 1n;
    const header: Header = {
      chainId: this.config.homeChainId,
      epoch,
      height,
      timestampMs: ts,
      parentHash,
      stateRoot: height === 0n ? emptyRoot(STATE_DEPTH) : this.tree.root,
      validatorSetRoot: this.sim.rootOf(epoch),
      nextValidatorSetRoot: this.isEpochEnd(height) ? this.sim.rootOf(epoch + 1n) : 0n,
    };
    const offline = this.offlineSlots(epoch);
    const sh = signHeader(header, this.sim.setOf(epoch), this.sim.signingKeys(epoch, offline));
    const att = this.attestation.attest(header, offline);
    if (att.excluded.length) this.emit("attestation-excluded", { height, excluded: att.excluded });
    const block: BlockRecord = { header, hash: headerHash(header), signed: sh.signed, signatures: sh.signatures, aggregate: att.aggregate };
    this.store.appendBlock({
      height,
      header: headerToJSON(header),
      signed: block.signed,
      signatures: block.signatures.map(signatureToJSON),
      aggregate: block.aggregate ? aggregateSignatureToJSON(block.aggregate) : null,
    });
    this.setLatest(block);
    this.openLibra.sealed(height);
    return block;
  }

  private setLatest(b: BlockRecord): void {
    this.latestBlock = b;
    this.recent.set(b.header.height, b);
    if (this.recent.size > 512) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Seals the next block now (also what the timer does every blockMs). */
  produceBlock(): BlockInfo {
    if (this.closed) throw new HomeError("shutting-down", "the devnet is shutting down");
    const parent = this.latestBlock;
    const block = this.sealBlock(parent.header.height + 1n, parent.hash);
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
    const set = this.sim.setOf(b.header.epoch);
    const sp = signedPower(set, b.signed);
    const tp = totalPower(set);
    return { ...b, signedPower: sp, totalPower: tp, quorum: hasQuorum(sp, tp) };
  }

  get latest(): BlockInfo {
    return this.info(this.latestBlock);
  }

  block(height: bigint): BlockInfo | undefined {
    if (height < 0n || height > this.latestBlock.header.height) return undefined;
    let b = this.recent.get(height);
    if (!b) {
      const sb = this.store.block(height);
      if (!sb) return undefined;
      const header = headerFromJSON(sb.header);
      b = {
        header,
        hash: headerHash(header),
        signed: sb.signed,
        signatures: sb.signatures.map((s, i) => signatureFromJSON(s, i)),
        aggregate: sb.aggregate === null ? null : aggregateSignatureFromJSON(sb.aggregate),
      };
    }
    return this.info(b);
  }

  blocks(from: bigint, to: bigint): BlockInfo[] {
    const out: BlockInfo[] = [];
    for (let h = from; h <= to && h <= this.latestBlock.header.height; h++) out.push(this.block(h)!);
    return out;
  }

  signedHeader(b: BlockRecord): SignedHeader {
    return { header: b.header, validatorSet: this.sim.setOf(b.header.epoch), signed: b.signed, signatures: b.signatures, aggregate: b.aggregate };
  }

  /** The set of an epoch that has started or been announced by an epoch-ending header. */
  validatorSet(epoch: bigint): ValidatorSet | undefined {
    const latest = this.latestBlock.header;
    const announced = latest.epoch + (this.isEpochEnd(latest.height) ? 1n : 0n);
    if (epoch < 0n || epoch > announced) return undefined;
    return this.sim.setOf(epoch);
  }

  /** Resolves once a block at `height` or above is sealed (seals at once in manual mode). */
  waitForHeight(height: bigint): Promise<BlockInfo> {
    if (this.latestBlock.header.height >= height) return Promise.resolve(this.block(height)!);
    if (this.config.blockMs === 0) {
      while (this.latestBlock.header.height < height) this.produceBlock();
      return Promise.resolve(this.block(height)!);
    }
    return new Promise((resolve, reject) => {
      const onBlock = (b: BlockInfo) => {
        if (b.header.height >= height) {
          this.off("block", onBlock);
          this.off("closed", onClose);
          resolve(this.block(height)!);
        }
      };
      const onClose = () => {
        this.off("block", onBlock);
        reject(new HomeError("shutting-down", "the devnet shut down before the block was sealed"));
      };
      this.on("block", onBlock);
      this.once("closed", onClose);
    });
  }

  /**
   * Resolves with the latest block as soon as one above `after` is sealed (at once if there is
   * one), or with null after `waitMs` or when `signal` aborts. Unlike waitForHeight it never
   * seals a block itself: it listens for the "block" event, so a waiter costs nothing until then.
   */
  nextBlockAfter(after: bigint, waitMs: number, signal?: AbortSignal): Promise<BlockInfo | null> {
    if (this.latestBlock.header.height > after) return Promise.resolve(this.latest);
    if (this.closed) return Promise.reject(new HomeError("shutting-down", "the devnet is shutting down"));
    if (signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off("block", onBlock);
        this.off("closed", onClose);
        signal?.removeEventListener("abort", onAbort);
      };
      const onBlock = (b: BlockInfo) => {
        if (b.header.height <= after) return;
        done();
        resolve(b);
      };
      const onAbort = () => {
        done();
        resolve(null);
      };
      const onClose = () => {
        done();
        reject(new HomeError("shutting-down", "the devnet shut down while the request waited for a block"));
      };
      const timer = setTimeout(onAbort, waitMs);
      this.on("block", onBlock);
      this.once("closed", onClose);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  // ---- state ----

  stateProof(kind: LeafKind, id: bigint, height?: bigint): StateProofResult {
    const latest = this.latestBlock.header.height;
    const h = height ?? latest;
    if (h < 0n || h > latest) throw new HomeError("block-not-found", `no block at height ${h} (latest is ${latest})`);
    const block = this.block(h)!;
    const tree = this.treeAt(h);
    const key = modelLeafKey(kind, id);
    const proof = tree.prove(key);
    let write: LeafWrite | null = null;
    let contract: Hex | null = null;
    if (proof.included) {
      const list = this.history.get(key) ?? [];
      for (const c of list) if (c.height <= h) write = c.write;
      contract = leafContract(kind) === "escrow" ? this.params.escrowAddress : this.params.settlementAddress;
    }
    const common = { height: h, stateRoot: block.header.stateRoot, headerHash: block.hash, id, proof, awayContract: contract };
    return stateProofView({ ...common, payloadAbi: write ? bytesToHex(encodeLeafPayload(write)) : null }, kind, write);
  }

  /** The state tree as of block h: the live tree, a snapshot, or rebuilt from the change log. */
  private treeAt(h: bigint): SparseMerkleTree {
    // The state at h is the state after the last block <= h that wrote leaves.
    let lastWrite = -1n;
    for (let i = this.changeLog.length - 1; i >= 0; i--) {
      if (this.changeLog[i]!.height <= h) {
        lastWrite = this.changeLog[i]!.height;
        break;
      }
    }
    const newest = this.changeLog.length ? this.changeLog[this.changeLog.length - 1]!.height : -1n;
    if (lastWrite === newest) return this.tree;
    const snap = this.snapshots.get(lastWrite);
    if (snap) return snap;
    if (this.rebuilt?.height === lastWrite) return this.rebuilt.tree;
    const tree = new SparseMerkleTree(STATE_DEPTH);
    const entries = [];
    for (const c of this.changeLog) {
      if (c.height > lastWrite) break;
      entries.push({ leafKey: c.write.leafKey, awayBinding: c.write.awayBinding, payloadDigest: c.write.payloadDigest });
    }
    tree.setMany(entries);
    this.rebuilt = { height: lastWrite, tree };
    return tree;
  }

  /**
   * Everything a Settlement proof of an auction needs, at one height: the result leaf's
   * proof and the proofs of the lockups it uses, in the circuit's slot order (mode 1: the
   * fills with lockId != 0 in fill order; mode 2: the auctioneer's lock).
   */
  settlementProof(auctionId: bigint, height?: bigint): { result: StateProofOf<typeof KIND_AUCTION_RESULT>; lockups: StateProofOf<typeof KIND_LOCKUP>[] } {
    const result = this.stateProof(KIND_AUCTION_RESULT, auctionId, height);
    if (result.kind !== KIND_AUCTION_RESULT || !result.proof.included || !result.payload) {
      throw new HomeError("result-not-found", `auction ${auctionId} has no result leaf at height ${result.height}`);
    }
    const lockups = lockupSlotIds(result.payload).map((id) => {
      const p = this.stateProof(KIND_LOCKUP, id, result.height);
      if (p.kind !== KIND_LOCKUP) throw new Error(`state proof of lockup ${id} has kind ${p.kind}`);
      return p;
    });
    return { result, lockups };
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

  /** Lockup payloads by id (for the Settlement public inputs: lockDigestsFor). */
  lockupPayloads(): Map<bigint, LockupPayload> {
    return new Map([...this.state.lockups].map(([k, v]) => [k, { ...v.payload }]));
  }

  // ---- actions ----

  private async readAway(req: AwayRequirement): Promise<AwayEvidence> {
    if (!this.rpc) throw new HomeError("away-rpc-missing", "this devnet has no Away RPC (--away-rpc), so it cannot check Away storage");
    if (!this.chainIdChecked) {
      await checkChainId(this.rpc, this.config.awayChainId);
      this.chainIdChecked = true;
    }
    const read =
      req.kind === "escrow"
        ? await checkEscrowDeposit(this.rpc, this.params.escrowAddress, { auctionId: req.auctionId, depositor: req.depositor, asset: req.asset, amount: req.amount, refundNotBefore: req.refundNotBefore }, this.config.confirmations)
        : await readSettlementReceipt(this.rpc, this.params.settlementAddress, req.auctionId, this.config.confirmations);
    return { blockNumber: read.blockNumber.toString(), blockHash: read.blockHash, stateRoot: read.stateRoot, slot: read.slot, value: read.value.toString() };
  }

  /**
   * Validates and applies one module action (the body is decoded with the action's schema);
   * throws HomeError (nothing applied) on rejection.
   */
  async submit<T extends ActionType>(type: T, rawBody: unknown): Promise<SubmitResult<T>> {
    const body = plainJSON(rawBody);
    if (!isActionType(type)) throw new HomeError("unknown-action", `unknown action '${type}' (actions: ${ACTION_TYPES.join(", ")})`);
    if (this.closed) throw new HomeError("shutting-down", "the devnet is shutting down");
    const req = awayRequirement(this.state, type, body, this.nowMs());
    const evidence = req ? await this.readAway(req) : undefined;
    if (this.closed) throw new HomeError("shutting-down", "the devnet is shutting down");
    const ctx: ActionContext = { nowMs: this.nowMs(), priceScaled: this.priceScaled, collateralRatioPercent: this.config.collateralRatioPercent, evidence };
    const next = structuredClone(this.state);
    const out = applyAction(next, this.params, type, body, ctx);
    this.checkPositions(out.writes);
    const seq = this.nextSeq;
    const height = this.latestBlock.header.height + 1n;
    this.store.appendAction({ seq, height, type, body, ctx: ctxToJSON(ctx) });
    // Stored: now make it visible (nothing below can fail).
    this.nextSeq++;
    this.state = next;
    for (const w of out.writes) this.pending.set(w.leafKey, w);
    return { seq, height, type, result: out.result, leaves: out.writes.map((w) => ({ kind: w.kind, id: w.id, leafKey: w.leafKey })) };
  }

  /** A state-tree position holds one key: refuse a write whose position another key holds. */
  private checkPositions(writes: LeafWrite[]): void {
    const byPos = new Map<bigint, bigint>();
    for (const w of this.pending.values()) byPos.set(positionOf(w.leafKey, STATE_DEPTH), w.leafKey);
    for (const w of writes) {
      const pos = positionOf(w.leafKey, STATE_DEPTH);
      const treeLeaf = this.tree.prove(w.leafKey).leaf;
      const other = byPos.get(pos) ?? (treeLeaf && treeLeaf.leafKey !== w.leafKey ? treeLeaf.leafKey : undefined);
      if (other !== undefined && other !== w.leafKey) {
        throw new HomeError("position-taken", `state tree position ${pos} already holds leafKey ${other}; cannot write kind ${w.kind} id ${w.id}`);
      }
      byPos.set(pos, w.leafKey);
    }
  }

  /** Pending (accepted, unsealed) action count, for status output. */
  get pendingLeaves(): number {
    return this.pending.size;
  }
}
