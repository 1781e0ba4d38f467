// Wire formats of the collateral proof bundle: JSON (bigints as decimal strings, addresses
// and bytes32 as 0x hex, proofs in snarkjs form) and SSZ bytes of the CollateralBundle
// container defined with @chainsafe/ssz in bundleSsz.ts (field elements as uint256; the first
// byte is the format version). The SSZ codec here is written out by hand so the library
// stays pure TypeScript (importing @chainsafe/ssz instantiates a WebAssembly SHA-256);
// tests check it produces exactly the bytes of the @chainsafe/ssz container. Decoders
// validate shapes and ranges and throw BundleFormatError with a one-line message.
import type { Address, Bytes32 } from "../home/model/leaves.ts";
import { STATE_DEPTH } from "../home/model/smt.ts";
import { COLLATERAL_BUNDLE_VERSION, type CollateralBundle } from "./collateral.ts";
import type { SnarkjsProof } from "./groth16.ts";
import { HEADER_PROOF_KINDS, type Checkpoint, type HeaderProofItem } from "./headerChain.ts";
import { readUint, textOf } from "./input.ts";

export class BundleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleFormatError";
  }
}

/** Most header proofs one bundle may carry. */
export const MAX_BUNDLE_HEADERS = 1024;

/** Size in bytes of one HeaderProof element: kind (uint8: 0 aggregated, 1 per-validator), then (2 + 4 + 2 + 4) uint256. */
const HEADER_PROOF_BYTES = 1 + 12 * 32;
/** Size of the fixed part of the container (the headers list is the only variable field). */
const FIXED_BYTES = 1 + (4 + 8 + 32 + 1 + 8) + 4 + 8 + (8 + 32 + 20 + 20 + 32 + 8 + 1) + 8 + 20 + 32 * STATE_DEPTH;

// ---------- small helpers ----------

function hex(bytes: Uint8Array): `0x${string}` {
  let s = "0x";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s as `0x${string}`;
}

function unhex(s: unknown, len: number, what: string): Uint8Array {
  if (typeof s !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${2 * len}}$`).test(s)) {
    throw new BundleFormatError(`${what} must be 0x followed by ${2 * len} hex digits`);
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(s.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

function big(v: unknown, what: string, bits = 256): bigint {
  const x = readUint(v, bits);
  if (x === null) throw new BundleFormatError(`${what} must be an unsigned ${bits}-bit integer (decimal string)`);
  return x;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new BundleFormatError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, what: string, len?: number): unknown[] {
  if (!Array.isArray(v) || (len !== undefined && v.length !== len)) {
    throw new BundleFormatError(`${what} must be an array${len !== undefined ? ` of ${len}` : ""}`);
  }
  return v;
}

function address(v: unknown, what: string): Address {
  return hex(unhex(v, 20, what)) as Address;
}

// ---------- JSON ----------

export interface CollateralBundleJSON {
  version: number;
  checkpoint: { chainId: number; epoch: string; validatorSetRoot: string; height?: string };
  headers: { kind: HeaderProofItem["kind"]; proof: SnarkjsProof; publicSignals: string[] }[];
  stateHeight: string;
  lockup: {
    lockId: string;
    owner: string;
    borrower: string;
    creditAsset: string;
    creditLimit: string;
    expiry: string;
    status: number;
  };
  awayChainId: string;
  awayContract: string;
  siblings: string[];
}

export type CheckpointJSON = CollateralBundleJSON["checkpoint"];
export type HeaderProofItemJSON = CollateralBundleJSON["headers"][number];

/** A checkpoint as JSON: what `olzk verify --checkpoint` reads (parseCheckpoint). */
export function checkpointToJSON(c: Checkpoint): CheckpointJSON {
  return {
    chainId: c.chainId,
    epoch: c.epoch.toString(),
    validatorSetRoot: c.validatorSetRoot.toString(),
    ...(c.height !== undefined ? { height: c.height.toString() } : {}),
  };
}

/** A header proof as JSON: one element of what `olzk verify chain --headers` reads. */
export function headerProofItemToJSON(h: HeaderProofItem): HeaderProofItemJSON {
  return {
    kind: h.kind,
    proof: { pi_a: h.proof.pi_a, pi_b: h.proof.pi_b, pi_c: h.proof.pi_c, protocol: "groth16", curve: "bn128" },
    publicSignals: h.publicSignals.map((s) => s.toString()),
  };
}

export function collateralBundleToJSON(b: CollateralBundle): CollateralBundleJSON {
  return {
    version: b.version,
    checkpoint: checkpointToJSON(b.checkpoint),
    headers: b.headers.map(headerProofItemToJSON),
    stateHeight: b.stateHeight.toString(),
    lockup: {
      lockId: b.lockup.lockId.toString(),
      owner: b.lockup.owner,
      borrower: b.lockup.borrower,
      creditAsset: b.lockup.creditAsset,
      creditLimit: b.lockup.creditLimit.toString(),
      expiry: b.lockup.expiry.toString(),
      status: b.lockup.status,
    },
    awayChainId: b.awayChainId.toString(),
    awayContract: b.awayContract,
    siblings: b.siblings.map((s) => s.toString()),
  };
}

function proofFromJSON(v: unknown, what: string): SnarkjsProof {
  const p = obj(v, what);
  const g1 = (x: unknown, w: string) => arr(x, w).map((c, i) => big(c, `${w}[${i}]`).toString());
  const g2 = (x: unknown, w: string) => arr(x, w).map((row, i) => arr(row, `${w}[${i}]`, 2).map((c, j) => big(c, `${w}[${i}][${j}]`).toString()));
  return {
    pi_a: g1(p.pi_a, `${what}.pi_a`),
    pi_b: g2(p.pi_b, `${what}.pi_b`),
    pi_c: g1(p.pi_c, `${what}.pi_c`),
    protocol: "groth16",
    curve: "bn128",
  };
}

export function collateralBundleFromJSON(json: unknown): CollateralBundle {
  const j = obj(json, "bundle");
  if (j.version !== COLLATERAL_BUNDLE_VERSION) {
    throw new BundleFormatError(`bundle version ${String(j.version)} is not supported (expected ${COLLATERAL_BUNDLE_VERSION})`);
  }
  const cp = obj(j.checkpoint, "checkpoint");
  if (typeof cp.chainId !== "number" || !Number.isInteger(cp.chainId) || cp.chainId < 0 || cp.chainId > 0xffffffff) {
    throw new BundleFormatError("checkpoint.chainId must be a u32 number");
  }
  const l = obj(j.lockup, "lockup");
  if (typeof l.status !== "number" || !Number.isInteger(l.status) || l.status < 0 || l.status > 255) {
    throw new BundleFormatError("lockup.status must be a u8 number");
  }
  const headers = arr(j.headers, "headers");
  if (headers.length > MAX_BUNDLE_HEADERS) throw new BundleFormatError(`at most ${MAX_BUNDLE_HEADERS} headers`);
  return {
    version: COLLATERAL_BUNDLE_VERSION,
    checkpoint: {
      chainId: cp.chainId,
      epoch: big(cp.epoch, "checkpoint.epoch", 64),
      validatorSetRoot: big(cp.validatorSetRoot, "checkpoint.validatorSetRoot"),
      ...(cp.height !== undefined ? { height: big(cp.height, "checkpoint.height", 64) } : {}),
    },
    headers: headers.map((h, i): HeaderProofItem => {
      const o = obj(h, `headers[${i}]`);
      if (!HEADER_PROOF_KINDS.includes(o.kind as HeaderProofItem["kind"])) throw new BundleFormatError(`headers[${i}].kind must be "aggregated" or "perValidator"`);
      return {
        kind: o.kind as HeaderProofItem["kind"],
        proof: proofFromJSON(o.proof, `headers[${i}].proof`),
        publicSignals: arr(o.publicSignals, `headers[${i}].publicSignals`, 4).map((s, k) => big(s, `headers[${i}].publicSignals[${k}]`).toString()),
      };
    }),
    stateHeight: big(j.stateHeight, "stateHeight", 64),
    lockup: {
      lockId: big(l.lockId, "lockup.lockId", 64),
      owner: hex(unhex(l.owner, 32, "lockup.owner")) as Bytes32,
      borrower: address(l.borrower, "lockup.borrower"),
      creditAsset: address(l.creditAsset, "lockup.creditAsset"),
      creditLimit: big(l.creditLimit, "lockup.creditLimit"),
      expiry: big(l.expiry, "lockup.expiry", 64),
      status: l.status,
    },
    awayChainId: big(j.awayChainId, "awayChainId", 64),
    awayContract: address(j.awayContract, "awayContract"),
    siblings: arr(j.siblings, "siblings", STATE_DEPTH).map((s, i) => big(s, `siblings[${i}]`)),
  };
}

// ---------- SSZ ----------

function coords(p: readonly string[] | undefined, n: number, what: string): bigint[] {
  if (!p || p.length < n) throw new BundleFormatError(`${what} must have ${n} coordinates`);
  return p.slice(0, n).map((c, i) => big(c, `${what}[${i}]`));
}

/** SSZ bytes writer/reader for the fixed-size basic types of the container. */
class Writer {
  readonly out: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.out = new Uint8Array(size);
  }
  uint(v: bigint | number, bytes: number, what: string): void {
    let x = BigInt(v);
    if (x < 0n || x >> BigInt(8 * bytes) !== 0n) throw new BundleFormatError(`${what} does not fit in ${8 * bytes} bits`);
    for (let i = 0; i < bytes; i++) {
      this.out[this.pos++] = Number(x & 0xffn);
      x >>= 8n;
    }
  }
  bytes(b: Uint8Array): void {
    this.out.set(b, this.pos);
    this.pos += b.length;
  }
}

class Reader {
  pos = 0;
  readonly data: Uint8Array;
  constructor(data: Uint8Array) {
    this.data = data;
  }
  uint(bytes: number): bigint {
    let x = 0n;
    for (let i = bytes - 1; i >= 0; i--) x = (x << 8n) | BigInt(this.data[this.pos + i]!);
    this.pos += bytes;
    return x;
  }
  bytes(n: number): Uint8Array {
    const b = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** SSZ serialization of the CollateralBundle container (see bundleSsz.ts for its definition). */
export function encodeCollateralBundle(b: CollateralBundle): Uint8Array {
  if (b.version !== COLLATERAL_BUNDLE_VERSION) throw new BundleFormatError(`cannot encode bundle version ${b.version}`);
  if (b.siblings.length !== STATE_DEPTH) throw new BundleFormatError(`siblings must have ${STATE_DEPTH} entries`);
  if (b.headers.length > MAX_BUNDLE_HEADERS) throw new BundleFormatError(`at most ${MAX_BUNDLE_HEADERS} headers`);
  const w = new Writer(FIXED_BYTES + b.headers.length * HEADER_PROOF_BYTES);
  const cp = b.checkpoint;
  w.uint(b.version, 1, "version");
  w.uint(cp.chainId, 4, "checkpoint.chainId");
  w.uint(cp.epoch, 8, "checkpoint.epoch");
  w.uint(cp.validatorSetRoot, 32, "checkpoint.validatorSetRoot");
  w.uint(cp.height !== undefined ? 1 : 0, 1, "checkpoint.hasHeight");
  w.uint(cp.height ?? 0n, 8, "checkpoint.height");
  w.uint(FIXED_BYTES, 4, "headers offset");
  w.uint(b.stateHeight, 8, "stateHeight");
  const l = b.lockup;
  w.uint(l.lockId, 8, "lockup.lockId");
  w.bytes(unhex(l.owner, 32, "lockup.owner"));
  w.bytes(unhex(l.borrower, 20, "lockup.borrower"));
  w.bytes(unhex(l.creditAsset, 20, "lockup.creditAsset"));
  w.uint(l.creditLimit, 32, "lockup.creditLimit");
  w.uint(l.expiry, 8, "lockup.expiry");
  w.uint(l.status, 1, "lockup.status");
  w.uint(b.awayChainId, 8, "awayChainId");
  w.bytes(unhex(b.awayContract, 20, "awayContract"));
  b.siblings.forEach((x, i) => w.uint(x, 32, `siblings[${i}]`));
  b.headers.forEach((h, i) => {
    if (h.publicSignals.length !== 4) throw new BundleFormatError(`headers[${i}] must have 4 public signals`);
    const pb = h.proof.pi_b;
    if (!pb || pb.length < 2) throw new BundleFormatError(`headers[${i}].pi_b must have 2 coordinates`);
    const kind = HEADER_PROOF_KINDS.indexOf(h.kind);
    if (kind < 0) throw new BundleFormatError(`headers[${i}].kind must be "aggregated" or "perValidator"`);
    w.uint(kind, 1, `headers[${i}].kind`);
    const words = [
      ...coords(h.proof.pi_a, 2, `headers[${i}].pi_a`),
      ...coords(pb[0], 2, `headers[${i}].pi_b[0]`),
      ...coords(pb[1], 2, `headers[${i}].pi_b[1]`),
      ...coords(h.proof.pi_c, 2, `headers[${i}].pi_c`),
      ...h.publicSignals.map((s, k) => big(s, `headers[${i}].publicSignals[${k}]`)),
    ];
    words.forEach((x) => w.uint(x, 32, `headers[${i}]`));
  });
  return w.out;
}

/** Parse SSZ bytes of the CollateralBundle container (version 1). */
export function decodeCollateralBundle(bytes: Uint8Array): CollateralBundle {
  const headerCount = sszHeaderCount(bytes);
  const r = new Reader(bytes);
  const version = Number(r.uint(1));
  const chainId = Number(r.uint(4));
  const epoch = r.uint(8);
  const validatorSetRoot = r.uint(32);
  const hasHeight = r.uint(1);
  const height = r.uint(8);
  if (hasHeight > 1n) throw new BundleFormatError("checkpoint.hasHeight must be 0 or 1");
  const offset = r.uint(4);
  if (offset !== BigInt(FIXED_BYTES)) throw new BundleFormatError(`malformed SSZ bundle: headers offset ${offset}, expected ${FIXED_BYTES}`);
  const stateHeight = r.uint(8);
  const lockup = {
    lockId: r.uint(8),
    owner: hex(r.bytes(32)) as Bytes32,
    borrower: hex(r.bytes(20)) as Address,
    creditAsset: hex(r.bytes(20)) as Address,
    creditLimit: r.uint(32),
    expiry: r.uint(8),
    status: Number(r.uint(1)),
  };
  const awayChainId = r.uint(8);
  const awayContract = hex(r.bytes(20)) as Address;
  const siblings = Array.from({ length: STATE_DEPTH }, () => r.uint(32));
  const headers = Array.from({ length: headerCount }, (_, i) => readHeaderProof(r, i));
  return {
    version,
    checkpoint: { chainId, epoch, validatorSetRoot, ...(hasHeight === 1n ? { height } : {}) },
    headers,
    stateHeight,
    lockup,
    awayChainId,
    awayContract,
    siblings,
  };
}

/** How many header proofs an SSZ bundle of this size holds; throws BundleFormatError for a wrong version or size. */
function sszHeaderCount(bytes: Uint8Array): number {
  if (bytes.length === 0) throw new BundleFormatError("empty bundle");
  if (bytes[0] !== COLLATERAL_BUNDLE_VERSION) {
    throw new BundleFormatError(`SSZ bundle version ${bytes[0]} is not supported (expected ${COLLATERAL_BUNDLE_VERSION})`);
  }
  if (bytes.length < FIXED_BYTES) throw new BundleFormatError(`malformed SSZ bundle: ${bytes.length} bytes, the fixed part alone is ${FIXED_BYTES}`);
  const listBytes = bytes.length - FIXED_BYTES;
  if (listBytes % HEADER_PROOF_BYTES !== 0 || listBytes / HEADER_PROOF_BYTES > MAX_BUNDLE_HEADERS) {
    throw new BundleFormatError(`malformed SSZ bundle: ${listBytes} bytes of header proofs is not a whole number (at most ${MAX_BUNDLE_HEADERS}) of ${HEADER_PROOF_BYTES}-byte proofs`);
  }
  return listBytes / HEADER_PROOF_BYTES;
}

/** Header proof i of the list: its kind byte, then the proof's 8 words and the 4 public signals. */
function readHeaderProof(r: Reader, i: number): HeaderProofItem {
  const kind = HEADER_PROOF_KINDS[Number(r.uint(1))];
  if (!kind) throw new BundleFormatError(`malformed SSZ bundle: headers[${i}].kind must be 0 (aggregated) or 1 (per-validator)`);
  const w = Array.from({ length: 12 }, () => r.uint(32).toString());
  return {
    kind,
    proof: {
      pi_a: [w[0]!, w[1]!, "1"],
      pi_b: [
        [w[2]!, w[3]!],
        [w[4]!, w[5]!],
        ["1", "0"],
      ],
      pi_c: [w[6]!, w[7]!, "1"],
      protocol: "groth16",
      curve: "bn128",
    },
    publicSignals: w.slice(8),
  };
}

/**
 * Parse a bundle file's bytes, typed by content: UTF-8 text (a byte order mark allowed) is
 * the JSON form, anything else the SSZ form (whose first byte, the version, is not text).
 */
export function parseCollateralBundle(data: Uint8Array | string): CollateralBundle {
  const text = typeof data === "string" ? data.replace(/^\uFEFF/, "") : textOf(data);
  if (text === null) return decodeCollateralBundle(data as Uint8Array);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BundleFormatError(`bundle is not valid JSON: ${(e as Error).message}`);
  }
  return collateralBundleFromJSON(json);
}
