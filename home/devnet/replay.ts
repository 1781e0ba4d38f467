// Opening a stored chain: the data directory's chain settings must match the config, then every
// stored block is read back and every stored action replayed on the module state, each block's
// stateRoot re-checked against the replayed state tree. Also how an action's context is stored,
// so that a replay applies it exactly as it was applied.
import { headerHash } from "../model/index.ts";
import { applyAction, isActionType, type ActionContext, type AwayEvidence, type ModuleParams, type ModuleState } from "./auctions-module.ts";
import { decodeStoredBlock, type BlockRecord } from "./block-log.ts";
import type { HomeClock } from "./clock.ts";
import type { StateHistory } from "./state-history.ts";
import type { DevnetStore, StoredAction, StoredBlock } from "./store.ts";

/** The stored data cannot be what this chain wrote (or no longer replays). */
export class CorruptDataError extends Error {}

/** Hash linkage is re-checked over this many last blocks (Poseidon per header makes a full check slow on a long chain). */
const LINK_CHECKED = 64n;

/** An action's context as stored (JSON). */
interface StoredContext {
  nowMs: number;
  priceScaled: string;
  collateralRatioPercent: number;
  evidence?: AwayEvidence | null;
}

export function ctxToJSON(ctx: ActionContext): StoredContext {
  return { nowMs: ctx.nowMs, priceScaled: ctx.priceScaled.toString(), collateralRatioPercent: ctx.collateralRatioPercent, evidence: ctx.evidence };
}

function ctxFromJSON(j: StoredContext): ActionContext {
  return { nowMs: j.nowMs, priceScaled: BigInt(j.priceScaled), collateralRatioPercent: j.collateralRatioPercent, evidence: j.evidence ?? undefined };
}

/**
 * Refuses a data directory whose chain was created with other settings (a setting changed, added
 * or dropped); true when it holds a chain (false: a new one, with nothing stored yet).
 */
export function checkStoredIdentity(store: DevnetStore, identity: Record<string, string>): boolean {
  const stored = store.getMeta("identity");
  if (!stored) return false;
  const prev = JSON.parse(stored) as Record<string, string>;
  for (const [k, v] of Object.entries(identity)) {
    if (prev[k] === undefined) {
      throw new RangeError(`the data directory holds a chain created before ${k} was a chain setting (it cannot replay under today's rules); use another --data-dir`);
    }
    if (prev[k] !== v) {
      throw new RangeError(`the data directory holds a chain created with ${k} = ${prev[k]}, not ${v}; use the same settings or another --data-dir`);
    }
  }
  for (const [k, v] of Object.entries(prev)) {
    if (identity[k] === undefined) {
      throw new RangeError(`the data directory holds a chain created with ${k} = ${v}, which today's settings do not have; use the same settings or another --data-dir`);
    }
  }
  return true;
}

/** Records a new chain's settings (checkStoredIdentity compares them on every later open). */
export function storeIdentity(store: DevnetStore, identity: Record<string, string>): void {
  store.setMeta("identity", JSON.stringify(identity));
}

/** What a replay rebuilds: the module state (in place), the state history and the clock's floor. */
export interface ReplayTarget {
  state: ModuleState;
  params: ModuleParams;
  history: StateHistory;
  clock: HomeClock;
  /** Opens block h before its actions (the risk tick and its leaf), as the live chain does after sealing h - 1. */
  openBlock(h: bigint): void;
}

export interface Replayed {
  latest: BlockRecord;
  nextSeq: number;
}

/** Replays a stored chain into `t`: its blocks, their actions, then the actions accepted for the next block. */
export function replayChain(store: DevnetStore, t: ReplayTarget): Replayed {
  const actions = new StoredActions(store.actions(), t);
  const latest = replayBlocks(store, t, actions);
  t.openBlock(latest.header.height + 1n);
  actions.applyRest(latest.header.height + 1n);
  return { latest, nextSeq: actions.nextSeq };
}

/** The stored actions in order, applied block by block. */
class StoredActions {
  private next = 0;
  nextSeq = 1;

  constructor(
    private readonly list: StoredAction[],
    private readonly t: ReplayTarget,
  ) {}

  /** Whether the next action to replay is for block h. */
  at(h: bigint): boolean {
    return this.next < this.list.length && this.list[this.next]!.height === h;
  }

  applyAt(h: bigint): void {
    while (this.at(h)) this.apply(this.list[this.next++]!);
  }

  /** The actions after the last stored block: all must be for the next block, `height`. */
  applyRest(height: bigint): void {
    while (this.next < this.list.length) {
      const a = this.list[this.next++]!;
      if (a.height !== height) throw new CorruptDataError(`action ${a.seq} is for block ${a.height}, beyond the next block`);
      this.apply(a);
    }
  }

  private apply(a: StoredAction): void {
    if (!isActionType(a.type)) throw new CorruptDataError(`stored action ${a.seq} has unknown type ${a.type}`);
    const ctx = ctxFromJSON(a.ctx as StoredContext);
    let out;
    try {
      out = applyAction(this.t.state, this.t.params, a.type, a.body, ctx);
    } catch (e) {
      throw new CorruptDataError(`stored action ${a.seq} (${a.type}) no longer applies: ${(e as Error).message}`);
    }
    this.t.history.stage(out.writes);
    this.nextSeq = a.seq + 1;
    this.t.clock.observe(ctx.nowMs);
  }
}

/**
 * Reads back every stored block, opening it (the risk tick), replaying its actions and checking
 * its stateRoot; returns the last. Blocks without actions below the last LINK_CHECKED are not
 * decoded and their root is not checked: their leaves are hashed in with the next checked block.
 */
function replayBlocks(store: DevnetStore, t: ReplayTarget, actions: StoredActions): BlockRecord {
  const lastHeight = store.lastBlock()?.height ?? 0n;
  const linkFrom = lastHeight > LINK_CHECKED ? lastHeight - LINK_CHECKED : 0n;
  let prev: BlockRecord | null = null;
  let expectHeight = 0n;
  for (const sb of store.blocks()) {
    const h = sb.height;
    if (h !== expectHeight) throw new CorruptDataError(`stored blocks skip from ${expectHeight - 1n} to ${h}`);
    expectHeight = h + 1n;
    const linked = h >= linkFrom;
    if (h > 0n) t.openBlock(h);
    if (!linked && !actions.at(h)) {
      t.history.seal(h, { snapshot: false, deferHashing: true });
      continue;
    }
    const block = readBlock(sb, linked ? prev : undefined);
    actions.applyAt(h);
    t.history.seal(h, { snapshot: false });
    if (t.history.root !== block.header.stateRoot) throw new CorruptDataError(`replayed state root differs from block ${h}'s stateRoot`);
    t.clock.observe(Number(block.header.timestampMs));
    prev = linked ? block : null;
  }
  if (!prev) throw new CorruptDataError("the data directory has chain settings but no genesis block");
  return prev;
}

/**
 * A stored block decoded; with `parent` given (null: none read) its hash is computed and its link
 * to the parent checked, without (undefined) its hash is left 0.
 */
function readBlock(sb: StoredBlock, parent: BlockRecord | null | undefined): BlockRecord {
  const fields = decodeStoredBlock(sb);
  if (fields.header.height !== sb.height) throw new CorruptDataError(`block row ${sb.height} holds header ${fields.header.height}`);
  if (parent === undefined) return { ...fields, hash: 0n };
  const block = { ...fields, hash: headerHash(fields.header) };
  if (parent && block.header.parentHash !== parent.hash) throw new CorruptDataError(`block ${sb.height} does not link to its parent`);
  if (sb.height === 0n && block.header.parentHash !== 0n) throw new CorruptDataError("genesis has a parent hash");
  return block;
}
