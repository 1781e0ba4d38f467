pragma circom 2.1.0;

// MerklePathRoot(D): recomputes a binary Poseidon Merkle root from a leaf, its position bits
// (bit i = 1: the path node at level i is a right child) and D siblings listed from level 0 up
// (ENCODING.md "State tree"). parent = Poseidon(left, right).
// Public signals: none of its own. Callers must enforce: pathBits are bits (e.g. outputs of
// Num2Bits); this template does not constrain them to be boolean.

include "circomlib/circuits/poseidon.circom";

template MerklePathRoot(D) {
    signal input leaf;
    signal input pathBits[D];
    signal input siblings[D];
    signal output root;

    component hashers[D];
    signal nodes[D + 1];
    signal swap[D];
    nodes[0] <== leaf;
    for (var i = 0; i < D; i++) {
        // swap = bit * (sibling - node): left = node + swap, right = sibling - swap.
        swap[i] <== pathBits[i] * (siblings[i] - nodes[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== nodes[i] + swap[i];
        hashers[i].inputs[1] <== siblings[i] - swap[i];
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[D];
}
