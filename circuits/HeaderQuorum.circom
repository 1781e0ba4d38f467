pragma circom 2.1.0;

// HeaderQuorum(N): proves that a Home header was signed by strictly more than 2/3 of the
// voting power of the validator set committed by validatorSetRoot (ENCODING.md), one
// EdDSA-Poseidon signature per signing slot. The non-interactive fallback of
// AggregatedHeaderQuorum(N) (same public inputs, same set commitment): it needs no signing
// session, but costs ~4.4k constraints per slot instead of ~200.
//
// Public inputs, in this order (the main component must list exactly these):
//   0 meta                  chainId + epoch*2^32 + height*2^96 + timestampMs*2^160
//   1 stateRoot
//   2 validatorSetRoot
//   3 nextValidatorSetRoot  (0 unless the header ends its epoch)
// Private inputs: chainId, epoch, height, timestampMs, parentHash and, per slot i < N,
//   Ax[i], Ay[i], power[i], signed[i], R8x[i], R8y[i], S[i].
//
// Proves:
//   - chainId is u32, epoch/height/timestampMs are u64 and they pack to meta;
//   - validatorSetRoot = ValidatorSetCommitment(N) of all N (Ax, Ay, power) triples in slot order;
//   - headerHash = Poseidon(TAG_HEADER, chainId, epoch, height, timestampMs, parentHash,
//     stateRoot, validatorSetRoot, nextValidatorSetRoot);
//   - for every slot with signed[i] = 1, (R8, S) is a valid EdDSA-Poseidon signature by
//     (Ax, Ay) of headerHash (circomlib EdDSAPoseidonVerifier: S < subgroup order, 8*A != 0);
//   - signed bits are boolean, signed slots have power != 0, powers are u64, and
//     3 * signedPower > 2 * totalPower (QuorumCheck).
// Unsigned slots take the placeholder signature R8 = (0, 1), S = 0; empty slots have key
// (0, 1) and power 0. Both give a satisfiable witness.
//
// Callers must enforce: N >= 1 (ENCODING.md: a power of two); public inputs are below r (the
// verifier rejects non-canonical inputs); the light client checks meta/roots against its own
// state (chainId, epoch, height ordering, known validatorSetRoot). Properties of the set
// committed by validatorSetRoot, not checked here: keys are distinct across slots and are
// prime-order BabyJubJub points with a proof of possession (Home checks attestation keys when
// it registers them, verifier-ts when it accepts a set).

include "circomlib/circuits/eddsaposeidon.circom";
include "gadgets/HeaderMeta.circom";
include "gadgets/HeaderHash.circom";
include "gadgets/ValidatorSetCommitment.circom";
include "gadgets/QuorumCheck.circom";

template HeaderQuorum(N) {
    assert(N >= 1);

    // Public.
    signal input meta;
    signal input stateRoot;
    signal input validatorSetRoot;
    signal input nextValidatorSetRoot;

    // Private header fields.
    signal input chainId;
    signal input epoch;
    signal input height;
    signal input timestampMs;
    signal input parentHash;

    // Private per-slot data.
    signal input Ax[N];
    signal input Ay[N];
    signal input power[N];
    signal input signed[N];
    signal input R8x[N];
    signal input R8y[N];
    signal input S[N];

    component packed = HeaderMeta();
    packed.chainId <== chainId;
    packed.epoch <== epoch;
    packed.height <== height;
    packed.timestampMs <== timestampMs;
    packed.meta === meta;

    component hh = HeaderHash();
    hh.chainId <== chainId;
    hh.epoch <== epoch;
    hh.height <== height;
    hh.timestampMs <== timestampMs;
    hh.parentHash <== parentHash;
    hh.stateRoot <== stateRoot;
    hh.validatorSetRoot <== validatorSetRoot;
    hh.nextValidatorSetRoot <== nextValidatorSetRoot;

    component commitment = ValidatorSetCommitment(N);
    component sigs[N];
    component quorum = QuorumCheck(N);
    for (var i = 0; i < N; i++) {
        commitment.Ax[i] <== Ax[i];
        commitment.Ay[i] <== Ay[i];
        commitment.power[i] <== power[i];

        quorum.power[i] <== power[i];
        quorum.signed[i] <== signed[i];

        sigs[i] = EdDSAPoseidonVerifier();
        sigs[i].enabled <== signed[i];
        sigs[i].Ax <== Ax[i];
        sigs[i].Ay <== Ay[i];
        sigs[i].S <== S[i];
        sigs[i].R8x <== R8x[i];
        sigs[i].R8y <== R8y[i];
        sigs[i].M <== hh.out;
    }
    commitment.out === validatorSetRoot;
}
