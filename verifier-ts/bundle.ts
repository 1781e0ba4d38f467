// Wire formats of the collateral proof bundle: JSON (bigints as decimal strings, addresses
// and bytes32 as 0x hex, proofs in snarkjs form) and SSZ (@chainsafe/ssz container below,
// field elements as uint256; the first byte is the format version). Decoders validate
// shapes and ranges and throw BundleFormatError with a one-line message.
import { ByteVectorType, ContainerType, ListCompositeType, UintBigintType, UintNumberType, VectorBasicType } from "@chainsafe/ssz";
import type { Address, Bytes32 } from "../home/model/leaves.ts";
import { STATE_DEPTH } from "../home/model/smt.ts";
import { COLLATERAL_BUNDLE_VERSION, type CollateralBundle } from "./collateral.ts";
import type { SnarkjsProof } from "./groth16.ts";
import type { HeaderProofItem } from "./headerChain.ts";

export class BundleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleFormatError";
  }
}

/** Most header proofs one bundle may carry. */
export const MAX_BUNDLE_HEADERS = 1024;

const Uint8 = new UintNumberType(1);
const Uint32 = new UintNumberType(4);
const Uint64 = new UintBigintType(8);
const Uint256 = new UintBigintType(32);
const Bytes20 = new ByteVectorType(20);
const Bytes32T = new ByteVectorType(32);

/** A Groth16 proof (affine coordinates; G2 as c0, c1) with the 4 HeaderQuorum public inputs. */
export const HeaderProofSSZ = new ContainerType(
  {
    piA: new VectorBasicType(Uint256, 2),
    piB: new VectorBasicType(Uint256, 4),
    piC: new VectorBasicType(Uint256, 2),
    publicSignals: new VectorBasicType(Uint256, 4),
  },
  { typeName: "HeaderProof" },
);

export const CheckpointSSZ = new ContainerType(
  { chainId: Uint32, epoch: Uint64, validatorSetRoot: Uint256, hasHeight: Uint8, height: Uint64 },
  { typeName: "Checkpoint" },
);

export const LockupSSZ = new ContainerType(
  {
    lockId: Uint64,
    owner: Bytes32T,
    borrower: Bytes20,
    creditAsset: Bytes20,
    creditLimit: Uint256,
    expiry: Uint64,
    status: Uint8,
  },
  { typeName: "Lockup" },
);

/** Version 1 of the bundle. `version` is the first field, so it is byte 0 of the encoding. */
export const CollateralBundleSSZ = new ContainerType(
  {
    version: Uint8,
    checkpoint: CheckpointSSZ,
    headers: new ListCompositeType(HeaderProofSSZ, MAX_BUNDLE_HEADERS),
    stateHeight: Uint64,
    lockup: LockupSSZ,
    awayChainId: Uint64,
    awayContract: Bytes20,
    siblings: new VectorBasicType(Uint256, STATE_DEPTH),
  },
  { typeName: "CollateralBundle" },
);

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
  if (typeof v === "bigint") {
    if (v >= 0n && v >> BigInt(bits) === 0n) return v;
  } else if (typeof v === "string" && /^[0-9]{1,80}$/.test(v)) {
    const x = BigInt(v);
    if (x >> BigInt(bits) === 0n) return x;
  } else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
    return BigInt(v);
  }
  throw new BundleFormatError(`${what} must be an unsigned ${bits}-bit integer (decimal string)`);
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
  headers: { proof: SnarkjsProof; publicSignals: string[] }[];
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

export function collateralBundleToJSON(b: CollateralBundle): CollateralBundleJSON {
  return {
    version: b.version,
    checkpoint: {
      chainId: b.checkpoint.chainId,
      epoch: b.checkpoint.epoch.toString(),
      validatorSetRoot: b.checkpoint.validatorSetRoot.toString(),
      ...(b.checkpoint.height !== undefined ? { height: b.checkpoint.height.toString() } : {}),
    },
    headers: b.headers.map((h) => ({
      proof: { pi_a: h.proof.pi_a, pi_b: h.proof.pi_b, pi_c: h.proof.pi_c, protocol: "groth16", curve: "bn128" },
      publicSignals: h.publicSignals.map((s) => s.toString()),
    })),
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
      return {
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

export function encodeCollateralBundle(b: CollateralBundle): Uint8Array {
  if (b.version !== COLLATERAL_BUNDLE_VERSION) throw new BundleFormatError(`cannot encode bundle version ${b.version}`);
  if (b.siblings.length !== STATE_DEPTH) throw new BundleFormatError(`siblings must have ${STATE_DEPTH} entries`);
  const value = {
    version: b.version,
    checkpoint: {
      chainId: b.checkpoint.chainId,
      epoch: b.checkpoint.epoch,
      validatorSetRoot: b.checkpoint.validatorSetRoot,
      hasHeight: b.checkpoint.height !== undefined ? 1 : 0,
      height: b.checkpoint.height ?? 0n,
    },
    headers: b.headers.map((h, i) => {
      if (h.publicSignals.length !== 4) throw new BundleFormatError(`headers[${i}] must have 4 public signals`);
      const pb = h.proof.pi_b;
      if (!pb || pb.length < 2) throw new BundleFormatError(`headers[${i}].pi_b must have 2 coordinates`);
      return {
        piA: coords(h.proof.pi_a, 2, `headers[${i}].pi_a`),
        piB: [...coords(pb[0], 2, `headers[${i}].pi_b[0]`), ...coords(pb[1], 2, `headers[${i}].pi_b[1]`)],
        piC: coords(h.proof.pi_c, 2, `headers[${i}].pi_c`),
        publicSignals: h.publicSignals.map((s, k) => big(s, `headers[${i}].publicSignals[${k}]`)),
      };
    }),
    stateHeight: b.stateHeight,
    lockup: {
      lockId: b.lockup.lockId,
      owner: unhex(b.lockup.owner, 32, "lockup.owner"),
      borrower: unhex(b.lockup.borrower, 20, "lockup.borrower"),
      creditAsset: unhex(b.lockup.creditAsset, 20, "lockup.creditAsset"),
      creditLimit: b.lockup.creditLimit,
      expiry: b.lockup.expiry,
      status: b.lockup.status,
    },
    awayChainId: b.awayChainId,
    awayContract: unhex(b.awayContract, 20, "awayContract"),
    siblings: b.siblings,
  };
  return CollateralBundleSSZ.serialize(value);
}

export function decodeCollateralBundle(bytes: Uint8Array): CollateralBundle {
  if (bytes.length === 0) throw new BundleFormatError("empty bundle");
  if (bytes[0] !== COLLATERAL_BUNDLE_VERSION) {
    throw new BundleFormatError(`SSZ bundle version ${bytes[0]} is not supported (expected ${COLLATERAL_BUNDLE_VERSION})`);
  }
  let v;
  try {
    v = CollateralBundleSSZ.deserialize(bytes);
  } catch (e) {
    throw new BundleFormatError(`malformed SSZ bundle: ${(e as Error).message}`);
  }
  if (v.checkpoint.hasHeight > 1) throw new BundleFormatError("checkpoint.hasHeight must be 0 or 1");
  const s = (x: bigint) => x.toString();
  return {
    version: v.version,
    checkpoint: {
      chainId: v.checkpoint.chainId,
      epoch: v.checkpoint.epoch,
      validatorSetRoot: v.checkpoint.validatorSetRoot,
      ...(v.checkpoint.hasHeight === 1 ? { height: v.checkpoint.height } : {}),
    },
    headers: v.headers.map((h) => ({
      proof: {
        pi_a: [s(h.piA[0]!), s(h.piA[1]!), "1"],
        pi_b: [
          [s(h.piB[0]!), s(h.piB[1]!)],
          [s(h.piB[2]!), s(h.piB[3]!)],
          ["1", "0"],
        ],
        pi_c: [s(h.piC[0]!), s(h.piC[1]!), "1"],
        protocol: "groth16",
        curve: "bn128",
      },
      publicSignals: h.publicSignals.map(s),
    })),
    stateHeight: v.stateHeight,
    lockup: {
      lockId: v.lockup.lockId,
      owner: hex(v.lockup.owner) as Bytes32,
      borrower: hex(v.lockup.borrower) as Address,
      creditAsset: hex(v.lockup.creditAsset) as Address,
      creditLimit: v.lockup.creditLimit,
      expiry: v.lockup.expiry,
      status: v.lockup.status,
    },
    awayChainId: v.awayChainId,
    awayContract: hex(v.awayContract) as Address,
    siblings: v.siblings,
  };
}

/** Parse a bundle file's bytes: JSON when it starts with `{` (after whitespace), else SSZ. */
export function parseCollateralBundle(data: Uint8Array | string): CollateralBundle {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new BundleFormatError(`bundle is not valid JSON: ${(e as Error).message}`);
    }
    return collateralBundleFromJSON(json);
  }
  return decodeCollateralBundle(bytes);
}
