pragma circom 2.1.0;

// ValidatorSetCommitment(N): the validator-set commitment of ENCODING.md "Validators and the
// validator set" (carried in headers as validatorSetRoot):
//   PoseidonChain(TAG_VALIDATOR_SET, N, Ax[0], Ay[0], ..., Ax[N-1], Ay[N-1], P[0], ..., P[ceil(N/3)-1])
// with P[j] = power[3j] + power[3j+1] * 2^64 + power[3j+2] * 2^128 (0 beyond slot N-1).
// It opens to all N (Ax, Ay, power) triples in slot order; no membership proof is involved.
// Public signals: none of its own. Callers must enforce: every power is range-checked to u64
// (QuorumCheck does it), which makes the packing of three powers into P[j] injective.

include "PoseidonChain.circom";

template ValidatorSetCommitment(N) {
    assert(N >= 1);
    // ASCII "OLZK_VALSET_V1", big-endian.
    var TAG_VALIDATOR_SET = 1608359643810102386392538770527793;
    signal input Ax[N];
    signal input Ay[N];
    signal input power[N];
    signal output out;

    var words = (N + 2) \ 3;
    component chain = PoseidonChain(2 + 2 * N + words);
    chain.in[0] <== TAG_VALIDATOR_SET;
    chain.in[1] <== N;
    for (var i = 0; i < N; i++) {
        chain.in[2 + 2 * i] <== Ax[i];
        chain.in[3 + 2 * i] <== Ay[i];
    }
    for (var j = 0; j < words; j++) {
        var packed = 0;
        for (var k = 0; k < 3; k++) {
            if (3 * j + k < N) {
                packed += power[3 * j + k] * (1 << (64 * k));
            }
        }
        chain.in[2 + 2 * N + j] <== packed;
    }
    out <== chain.out;
}
