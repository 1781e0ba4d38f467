// The collateral bundle as an @chainsafe/ssz container: the normative definition of the SSZ
// bundle format (version 2) whose bytes bundle.ts writes and reads by hand. Kept out of the
// library's index because importing @chainsafe/ssz instantiates a WebAssembly SHA-256 module;
// use it in Node (or a browser bundle that accepts that) for hashTreeRoot or typed views.
import { ByteVectorType, ContainerType, ListCompositeType, UintBigintType, UintNumberType, VectorBasicType } from "@chainsafe/ssz";
import { STATE_DEPTH } from "../home/model/smt.ts";
import { MAX_BUNDLE_HEADERS } from "./bundle.ts";

/**
 * @chainsafe/ssz list types read a global `Buffer` when they are constructed (a Node-only
 * global). In a browser without a Buffer polyfill, a minimal stand-in (Uint8Array with
 * `from` and `writeUIntLE`, all that construction and serialization need) is installed only
 * while the types are built, then removed: no lasting global change.
 */
const MiniBuffer = {
  from(buffer: ArrayBuffer, byteOffset?: number, length?: number) {
    const bytes = new Uint8Array(buffer, byteOffset, length);
    return Object.assign(bytes, {
      writeUIntLE(value: number, offset: number, byteLength: number): number {
        let v = value;
        for (let i = 0; i < byteLength; i++) {
          bytes[offset + i] = v % 256;
          v = Math.floor(v / 256);
        }
        return offset + byteLength;
      },
    });
  },
};

function withBufferGlobal<T>(build: () => T): T {
  const g = globalThis as { Buffer?: unknown };
  if (g.Buffer !== undefined) return build();
  g.Buffer = MiniBuffer;
  try {
    return build();
  } finally {
    delete g.Buffer;
  }
}

function buildTypes() {
  const Uint8 = new UintNumberType(1);
  const Uint32 = new UintNumberType(4);
  const Uint64 = new UintBigintType(8);
  const Uint256 = new UintBigintType(32);
  const Bytes20 = new ByteVectorType(20);
  const Bytes32T = new ByteVectorType(32);

  /** A header proof: its kind (0 aggregated, 1 per-validator), the Groth16 proof (affine; G2 as c0, c1) and its 4 public inputs. */
  const HeaderProof = new ContainerType(
    {
      kind: Uint8,
      piA: new VectorBasicType(Uint256, 2),
      piB: new VectorBasicType(Uint256, 4),
      piC: new VectorBasicType(Uint256, 2),
      publicSignals: new VectorBasicType(Uint256, 4),
    },
    { typeName: "HeaderProof" },
  );
  const Checkpoint = new ContainerType(
    { chainId: Uint32, epoch: Uint64, validatorSetRoot: Uint256, hasHeight: Uint8, height: Uint64 },
    { typeName: "Checkpoint" },
  );
  const Lockup = new ContainerType(
    { lockId: Uint64, owner: Bytes32T, borrower: Bytes20, creditAsset: Bytes20, creditLimit: Uint256, expiry: Uint64, status: Uint8 },
    { typeName: "Lockup" },
  );
  /** Version 2 of the bundle. `version` is the first field, so it is byte 0 of the encoding. */
  const CollateralBundle = new ContainerType(
    {
      version: Uint8,
      checkpoint: Checkpoint,
      headers: new ListCompositeType(HeaderProof, MAX_BUNDLE_HEADERS),
      stateHeight: Uint64,
      lockup: Lockup,
      awayChainId: Uint64,
      awayContract: Bytes20,
      siblings: new VectorBasicType(Uint256, STATE_DEPTH),
    },
    { typeName: "CollateralBundle" },
  );
  return { HeaderProof, Checkpoint, Lockup, CollateralBundle };
}

let types: ReturnType<typeof buildTypes> | undefined;

/**
 * The SSZ types of the bundle (built on first use):
 * CollateralBundle { version: uint8, checkpoint: Checkpoint, headers: List[HeaderProof, 1024],
 * stateHeight: uint64, lockup: Lockup, awayChainId: uint64, awayContract: Bytes20,
 * siblings: Vector[uint256, 32] }. Note: hashTreeRoot needs a real Buffer global in browsers.
 */
export function collateralBundleSSZ(): ReturnType<typeof buildTypes> {
  types ??= withBufferGlobal(buildTypes);
  return types;
}

