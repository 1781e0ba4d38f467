pragma circom 2.1.0;

// HeaderMeta(): packs the header's integer fields into one field element,
//   meta = chainId + epoch * 2^32 + height * 2^96 + timestampMs * 2^160   (< 2^224),
// after range-checking chainId: u32 and epoch, height, timestampMs: u64 (ENCODING.md "Header").
// The range checks make the packing injective and below r, so meta determines the four parts.
// Public signals: none of its own (HeaderQuorum exposes meta). Callers must enforce nothing more.

include "RangeCheck.circom";

template HeaderMeta() {
    signal input chainId;
    signal input epoch;
    signal input height;
    signal input timestampMs;
    signal output meta;

    component rcChain = RangeCheck(32);
    rcChain.in <== chainId;
    component rcEpoch = RangeCheck(64);
    rcEpoch.in <== epoch;
    component rcHeight = RangeCheck(64);
    rcHeight.in <== height;
    component rcTime = RangeCheck(64);
    rcTime.in <== timestampMs;

    meta <== chainId + epoch * (1 << 32) + height * (1 << 96) + timestampMs * (1 << 160);
}
