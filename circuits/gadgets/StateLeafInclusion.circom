pragma circom 2.1.0;

// StateLeafInclusion(D, KIND): when enabled = 1, proves the state-tree leaf
//   leafKey   = Poseidon(KIND, id)                       (id: u64, range-checked)
//   leafValue = Poseidon(leafKey, awayBinding, payloadDigest)
// sits at position = leafKey mod 2^D (low D bits of the canonical, strict bit decomposition
// of leafKey) in the depth-D tree with root stateRoot, given D siblings from level 0 up
// (ENCODING.md "State tree"). When enabled = 0 nothing about the path is enforced, but id
// is still range-checked and the witness must still be computable (any siblings).
// Public signals: none of its own. Callers must enforce: enabled is a bit; awayBinding is
// range-checked (< 2^224) where it enters as a public input; KIND is the leaf kind constant.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "RangeCheck.circom";
include "MerklePathRoot.circom";

template StateLeafInclusion(D, KIND) {
    assert(D >= 1 && D <= 253);
    signal input enabled;
    signal input id;
    signal input awayBinding;
    signal input payloadDigest;
    signal input siblings[D];
    signal input stateRoot;

    component rcId = RangeCheck(64);
    rcId.in <== id;

    component key = Poseidon(2);
    key.inputs[0] <== KIND;
    key.inputs[1] <== id;

    // Strict decomposition: the bits are the canonical (< r) binary form of leafKey.
    component keyBits = Num2Bits_strict();
    keyBits.in <== key.out;

    component value = Poseidon(3);
    value.inputs[0] <== key.out;
    value.inputs[1] <== awayBinding;
    value.inputs[2] <== payloadDigest;

    component path = MerklePathRoot(D);
    path.leaf <== value.out;
    for (var i = 0; i < D; i++) {
        path.pathBits[i] <== keyBits.out[i];
        path.siblings[i] <== siblings[i];
    }

    component eq = ForceEqualIfEnabled();
    eq.enabled <== enabled;
    eq.in[0] <== path.root;
    eq.in[1] <== stateRoot;
}
