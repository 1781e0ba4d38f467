pragma circom 2.1.0;

// AggregatedHeaderQuorum(N): proves that a Home header was attested by validators holding
// strictly more than 2/3 of the voting power of the validator set committed by
// validatorSetRoot, through ONE EdDSA-Poseidon signature under the sum of their attestation
// keys (DESIGN section 9: SpeedyMuSig; the signers run home/attestation/'s two-nonce session).
//
// Public inputs, in this order (the main component must list exactly these; the same as
// HeaderQuorum(N), so the light client treats both proofs alike):
//   0 meta                  chainId + epoch*2^32 + height*2^96 + timestampMs*2^160
//   1 stateRoot
//   2 validatorSetRoot      the validator-set commitment (ValidatorSetCommitment)
//   3 nextValidatorSetRoot  (0 unless the header ends its epoch)
// Private inputs: chainId, epoch, height, timestampMs, parentHash; per slot i < N Ax[i], Ay[i],
//   power[i], signer[i]; the aggregate signature R8x, R8y, S.
//
// Proves:
//   - chainId is u32, epoch/height/timestampMs are u64 and they pack to meta;
//   - validatorSetRoot = ValidatorSetCommitment(N) of all N (Ax, Ay, power) triples in slot order;
//   - headerHash = Poseidon(TAG_HEADER, chainId, epoch, height, timestampMs, parentHash,
//     stateRoot, validatorSetRoot, nextValidatorSetRoot);
//   - signer bits are boolean, powers are u64, a slot whose bit is set has power != 0, and
//     3 * signedPower > 2 * totalPower (QuorumCheck);
//   - Apk = sum of signer[i] * A[i] is recomputed here from the committed keys (the identity for
//     an unset bit; never a witness), and (R8, S) is a valid EdDSA-Poseidon signature of
//     headerHash under Apk: circomlib EdDSAPoseidonVerifier with enabled = 1, so S < l and its
//     small-order check (8 * Apk != O) holds, which refuses Apk = identity.
// Empty slots have key (0, 1) and power 0; their bit may be 0 only.
//
// What this circuit cannot see, and callers must enforce:
//   - Proofs of possession. A set holding a rogue key A_evil = T - sum(A_honest) would let one
//     party sign for the honest slots too; the circuit accepts such a set. Home registers a key
//     only with a valid proof of possession and refuses small-order, identity, duplicate and
//     negated keys (home/model attestation-key.ts); verifier-ts applies the same rules when it
//     accepts a set; the light client trusts only sets reached from its genesis set through
//     epoch-ending headers proven by a quorum of the previous set.
//   - That the committed keys are prime-order BabyJubJub points and distinct (same rules).
//   - Public inputs below r (the verifiers reject non-canonical inputs); meta/roots against the
//     light client's own state (chainId, epoch, height ordering, the current validatorSetRoot).
//   - N >= 1 (ENCODING.md: a power of two, the profile's N).

include "circomlib/circuits/eddsaposeidon.circom";
include "gadgets/HeaderMeta.circom";
include "gadgets/HeaderHash.circom";
include "gadgets/ValidatorSetCommitment.circom";
include "gadgets/QuorumCheck.circom";
include "gadgets/AggregateKey.circom";

template AggregatedHeaderQuorum(N) {
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

    // Private set and signer bitmask.
    signal input Ax[N];
    signal input Ay[N];
    signal input power[N];
    signal input signer[N];

    // Private aggregate signature.
    signal input R8x;
    signal input R8y;
    signal input S;

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
    component quorum = QuorumCheck(N);
    component apk = AggregateKey(N);
    for (var i = 0; i < N; i++) {
        commitment.Ax[i] <== Ax[i];
        commitment.Ay[i] <== Ay[i];
        commitment.power[i] <== power[i];
        quorum.power[i] <== power[i];
        quorum.signed[i] <== signer[i];
        apk.Ax[i] <== Ax[i];
        apk.Ay[i] <== Ay[i];
        apk.bit[i] <== signer[i];
    }
    commitment.out === validatorSetRoot;

    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== 1;
    sig.Ax <== apk.x;
    sig.Ay <== apk.y;
    sig.S <== S;
    sig.R8x <== R8x;
    sig.R8y <== R8y;
    sig.M <== hh.out;
}
