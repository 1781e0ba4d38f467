pragma circom 2.1.0;

// PoseidonMerkleRoot(levels): computes the root of a complete binary Poseidon tree over
// 2^levels leaves given in order (level 0 = leaves, parent = Poseidon(left, right)).
// Used for validatorSetRoot (ENCODING.md "Validators and the validator set").
// Public signals: none of its own. Callers must enforce: leaves are already the
// intended leaf hashes; levels >= 1.

include "circomlib/circuits/poseidon.circom";

template PoseidonMerkleRoot(levels) {
    assert(levels >= 1);
    var n = 1 << levels;
    signal input leaves[n];
    signal output root;

    // nodes[0..n-1] are the leaves; level by level, node n + k is the k-th parent.
    component hashers[n - 1];
    signal nodes[2 * n - 1];
    for (var i = 0; i < n; i++) {
        nodes[i] <== leaves[i];
    }
    var levelStart = 0;
    var width = n;
    var next = n;
    for (var l = 0; l < levels; l++) {
        for (var k = 0; k < width / 2; k++) {
            hashers[next - n] = Poseidon(2);
            hashers[next - n].inputs[0] <== nodes[levelStart + 2 * k];
            hashers[next - n].inputs[1] <== nodes[levelStart + 2 * k + 1];
            nodes[next] <== hashers[next - n].out;
            next++;
        }
        levelStart += width;
        width = width / 2;
    }
    root <== nodes[2 * n - 2];
}
