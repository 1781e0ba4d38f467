// The sealed-bid commitment of Home's auctions: what a bidder commits to before the commit
// deadline and reveals after it (home/devnet/API.md, "Sealed-bid commitment").
import { encodeAbiParameters, keccak256 } from "viem";
import type { Address, Bytes32 } from "./leaves.ts";

export interface SealedBid {
  auctionId: bigint;
  bidder: Address;
  /** Sell-asset units wanted. */
  amount: bigint;
  /** Times 1e18. */
  limitPrice: bigint;
  /** 0 = own funds. */
  lockId: bigint;
  maxRateBps: number;
  salt: Bytes32;
}

/** keccak256(abi.encode(uint64 auctionId, address bidder, uint256 amount, uint256 limitPrice, uint64 lockId, uint16 maxRateBps, bytes32 salt)). */
export function bidCommitment(b: SealedBid): Bytes32 {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint64" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint64" }, { type: "uint16" }, { type: "bytes32" }],
      [b.auctionId, b.bidder, b.amount, b.limitPrice, b.lockId, b.maxRateBps, b.salt],
    ),
  );
}
