pragma circom 2.1.0;

// Settlement(D, K): one proof that the auction-result leaf and the collateral-lockup leaves a
// settlement uses are in the state tree of a proven Home header (ENCODING.md "State tree",
// "Public inputs").
//
// Public inputs, in this order (the main component must list exactly these):
//   0        stateRoot
//   1        awayBinding     awayChainId * 2^160 + AtomicSettlement address (< 2^224, checked)
//   2        resultDigest    payload digest of the auction-result leaf (must be != 0)
//   3..2+K   lockDigest[k]   payload digests of the lockup leaves used; 0 = unused slot (skipped)
// Private inputs: auctionId, lockIds[K] (u64 each, range-checked), resultSiblings[D],
//   lockSiblings[K][D] (siblings from level 0 up).
//
// Proves: the leaf with leafKey = Poseidon(KIND_AUCTION_RESULT = 2, auctionId) and
// leafValue = Poseidon(leafKey, awayBinding, resultDigest) is at position leafKey mod 2^D in
// stateRoot, and for every k with lockDigest[k] != 0 the leaf with
// leafKey = Poseidon(KIND_LOCKUP = 1, lockIds[k]) and value Poseidon(leafKey, awayBinding,
// lockDigest[k]) likewise. All leaves share awayBinding, so they are meant for the same Away
// chain and contract.
//
// Callers must enforce: stateRoot is a root the light client proved; awayBinding is their own
// (chainId, contract); resultDigest and each lockDigest are recomputed from the payloads they
// act on (the payloads carry auctionId / lockId, which stay private here); unused lockup slots
// follow ENCODING.md's slot order; public inputs are below r.

include "circomlib/circuits/comparators.circom";
include "gadgets/RangeCheck.circom";
include "gadgets/StateLeafInclusion.circom";

template Settlement(D, K) {
    var KIND_LOCKUP = 1;
    var KIND_AUCTION_RESULT = 2;

    // Public.
    signal input stateRoot;
    signal input awayBinding;
    signal input resultDigest;
    signal input lockDigest[K];

    // Private.
    signal input auctionId;
    signal input lockIds[K];
    signal input resultSiblings[D];
    signal input lockSiblings[K][D];

    component rcBinding = RangeCheck(224);
    rcBinding.in <== awayBinding;

    // resultDigest != 0: it has an inverse.
    signal resultInv;
    resultInv <-- resultDigest != 0 ? 1 / resultDigest : 0;
    resultDigest * resultInv === 1;

    component result = StateLeafInclusion(D, KIND_AUCTION_RESULT);
    result.enabled <== 1;
    result.id <== auctionId;
    result.awayBinding <== awayBinding;
    result.payloadDigest <== resultDigest;
    result.stateRoot <== stateRoot;
    for (var i = 0; i < D; i++) {
        result.siblings[i] <== resultSiblings[i];
    }

    component used[K];
    component locks[K];
    for (var k = 0; k < K; k++) {
        used[k] = IsZero();
        used[k].in <== lockDigest[k];

        locks[k] = StateLeafInclusion(D, KIND_LOCKUP);
        locks[k].enabled <== 1 - used[k].out;
        locks[k].id <== lockIds[k];
        locks[k].awayBinding <== awayBinding;
        locks[k].payloadDigest <== lockDigest[k];
        locks[k].stateRoot <== stateRoot;
        for (var i = 0; i < D; i++) {
            locks[k].siblings[i] <== lockSiblings[k][i];
        }
    }
}
