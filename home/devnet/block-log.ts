// The sealed blocks: the latest one, a cache of recent ones, and the rest read back from the
// store. Converts between a block as the chain holds it and its stored JSON row.
import {
  aggregateSignatureFromJSON,
  aggregateSignatureToJSON,
  hasQuorum,
  headerFromJSON,
  headerHash,
  headerToJSON,
  signatureFromJSON,
  signatureToJSON,
  signedPower,
  totalPower,
  type AggregateSignature,
  type Header,
  type Signature,
  type ValidatorSet,
} from "../model/index.ts";
import type { DevnetStore, StoredBlock } from "./store.ts";

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

/** Recent blocks kept in memory. */
const RECENT = 512;

/** A block with the power that signed it, against the set of its epoch. */
export function blockInfo(b: BlockRecord, set: ValidatorSet): BlockInfo {
  const sp = signedPower(set, b.signed);
  const tp = totalPower(set);
  return { ...b, signedPower: sp, totalPower: tp, quorum: hasQuorum(sp, tp) };
}

/** A stored block row decoded, all but its hash (hashing a header costs a Poseidon: the caller decides). */
export function decodeStoredBlock(sb: StoredBlock): Omit<BlockRecord, "hash"> {
  return {
    header: headerFromJSON(sb.header),
    signed: sb.signed,
    signatures: sb.signatures.map((s, i) => signatureFromJSON(s, i)),
    aggregate: sb.aggregate === null ? null : aggregateSignatureFromJSON(sb.aggregate),
  };
}

function encodeStoredBlock(b: BlockRecord): StoredBlock {
  return {
    height: b.header.height,
    header: headerToJSON(b.header),
    signed: b.signed,
    signatures: b.signatures.map(signatureToJSON),
    aggregate: b.aggregate ? aggregateSignatureToJSON(b.aggregate) : null,
  };
}

export class BlockLog {
  private latestBlock!: BlockRecord;
  private readonly recent = new Map<bigint, BlockRecord>();

  constructor(private readonly store: DevnetStore) {}

  /** The latest sealed block (set by the genesis append or by replay on open). */
  get latest(): BlockRecord {
    return this.latestBlock;
  }

  /** Stores a newly sealed block and makes it the latest. */
  append(b: BlockRecord): void {
    this.store.appendBlock(encodeStoredBlock(b));
    this.setLatest(b);
  }

  /** Makes an already stored block the latest (replay on open). */
  setLatest(b: BlockRecord): void {
    this.latestBlock = b;
    this.recent.set(b.header.height, b);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
  }

  block(height: bigint): BlockRecord | undefined {
    if (height < 0n || height > this.latestBlock.header.height) return undefined;
    const cached = this.recent.get(height);
    if (cached) return cached;
    const sb = this.store.block(height);
    if (!sb) return undefined;
    const fields = decodeStoredBlock(sb);
    return { ...fields, hash: headerHash(fields.header) };
  }
}
