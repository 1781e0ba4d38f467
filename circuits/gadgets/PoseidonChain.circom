pragma circom 2.1.0;

// PoseidonChain(M): out = PoseidonChain(in[0..M-1]) (ENCODING.md "Field and hashes"): the M
// inputs, zero-padded to 16 + 15k elements (smallest k >= 0), absorbed by circomlib
// Poseidon(16): h = Poseidon(in[0..15]), then h = Poseidon(h, next 15) for each further chunk.
// Public signals: none of its own. Callers must enforce: the inputs start with a domain tag and
// a value that fixes M (the zero padding is then unambiguous); M >= 1.

include "circomlib/circuits/poseidon.circom";

template PoseidonChain(M) {
    assert(M >= 1);
    signal input in[M];
    signal output out;

    var W = 16;
    var calls = 1;
    while (W + (calls - 1) * (W - 1) < M) { calls++; }

    component h[calls];
    for (var c = 0; c < calls; c++) {
        h[c] = Poseidon(W);
        // Call 0 takes in[0..15]; call c > 0 takes the previous output, then 15 more inputs.
        var first = c == 0 ? 0 : W + (c - 1) * (W - 1);
        var j0 = 0;
        if (c > 0) {
            h[c].inputs[0] <== h[c - 1].out;
            j0 = 1;
        }
        for (var j = j0; j < W; j++) {
            var k = first + j - j0;
            if (k < M) {
                h[c].inputs[j] <== in[k];
            } else {
                h[c].inputs[j] <== 0;
            }
        }
    }
    out <== h[calls - 1].out;
}
