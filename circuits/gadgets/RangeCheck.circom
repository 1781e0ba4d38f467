pragma circom 2.1.0;

// RangeCheck(n): proves 0 <= in < 2^n (as an integer, for in < r) by a bit decomposition.
// Public signals: none of its own. Callers must enforce: n <= 252, so that the
// decomposition is unique and in < 2^n is a true integer bound (no wrap-around mod r).

include "circomlib/circuits/bitify.circom";

template RangeCheck(n) {
    assert(n <= 252);
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in;
}
