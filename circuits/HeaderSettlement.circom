pragma circom 2.1.0;

// HeaderSettlement(N, D, K): one proof for a settlement whose header is not yet on the Away
// chain. It proves both statements of the two-proof path at once, with the shared stateRoot
// wired between them:
//   - AggregatedHeaderQuorum(N): the header (meta, stateRoot, validatorSetRoot,
//     nextValidatorSetRoot) was attested, through one EdDSA-Poseidon signature under the summed
//     keys of the signers, by strictly more than 2/3 of the power of the set committed by
//     validatorSetRoot (see AggregatedHeaderQuorum.circom for every rule);
//   - Settlement(D, K): the auction-result leaf and the used lockup leaves, all bound to
//     awayBinding, are in that header's stateRoot (see Settlement.circom).
// Both templates are used as they are; nothing of either is weakened or copied here.
//
// Public inputs, in this order (the header's four, then the settlement's after its stateRoot;
// ENCODING.md "Public inputs"):
//   0        meta
//   1        stateRoot
//   2        validatorSetRoot
//   3        nextValidatorSetRoot
//   4        awayBinding
//   5        resultDigest
//   6..5+K   lockDigest[k]   (0 = unused slot)
// Private inputs: those of AggregatedHeaderQuorum(N) (chainId, epoch, height, timestampMs,
//   parentHash, Ax[N], Ay[N], power[N], signer[N], R8x, R8y, S) and of Settlement(D, K)
//   (auctionId, lockIds[K], resultSiblings[D], lockSiblings[K][D]), with the same names.
//
// What callers must enforce: everything the callers of both templates must. The light client
// (HomeLightClient.submitHeaderWithSettlement) checks the header's public inputs against its own
// state exactly as for a header proof (chain, epoch and current validatorSetRoot, increasing
// height, pause) and trusts only validator sets reached from genesis (the circuit cannot see
// proofs of possession); the settlement contract recomputes awayBinding, resultDigest and the
// lockDigests from the payloads it acts on, and applies its own freshness and payload rules.
// A proof for an already stored header is sound for the settlement part whatever its header
// part says, provided stateRoot is the stored one.

include "AggregatedHeaderQuorum.circom";
include "Settlement.circom";

template HeaderSettlement(N, D, K) {
    // Public (declaration order is the public-input order).
    signal input meta;
    signal input stateRoot;
    signal input validatorSetRoot;
    signal input nextValidatorSetRoot;
    signal input awayBinding;
    signal input resultDigest;
    signal input lockDigest[K];

    // Private: the header's.
    signal input chainId;
    signal input epoch;
    signal input height;
    signal input timestampMs;
    signal input parentHash;
    signal input Ax[N];
    signal input Ay[N];
    signal input power[N];
    signal input signer[N];
    signal input R8x;
    signal input R8y;
    signal input S;

    // Private: the settlement's.
    signal input auctionId;
    signal input lockIds[K];
    signal input resultSiblings[D];
    signal input lockSiblings[K][D];

    component header = AggregatedHeaderQuorum(N);
    header.meta <== meta;
    header.stateRoot <== stateRoot;
    header.validatorSetRoot <== validatorSetRoot;
    header.nextValidatorSetRoot <== nextValidatorSetRoot;
    header.chainId <== chainId;
    header.epoch <== epoch;
    header.height <== height;
    header.timestampMs <== timestampMs;
    header.parentHash <== parentHash;
    header.Ax <== Ax;
    header.Ay <== Ay;
    header.power <== power;
    header.signer <== signer;
    header.R8x <== R8x;
    header.R8y <== R8y;
    header.S <== S;

    component settlement = Settlement(D, K);
    settlement.stateRoot <== stateRoot;
    settlement.awayBinding <== awayBinding;
    settlement.resultDigest <== resultDigest;
    settlement.lockDigest <== lockDigest;
    settlement.auctionId <== auctionId;
    settlement.lockIds <== lockIds;
    settlement.resultSiblings <== resultSiblings;
    settlement.lockSiblings <== lockSiblings;
}
