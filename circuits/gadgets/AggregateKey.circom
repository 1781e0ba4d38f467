pragma circom 2.1.0;

// AggregateKey(N): Apk = sum over i of bit[i] * (Ax[i], Ay[i]) on BabyJubJub, with the identity
// (0, 1) for every slot whose bit is 0: each term is selected as (bit * Ax, bit * (Ay - 1) + 1)
// and added with circomlib's complete twisted Edwards addition (BabyAdd). The key of an unset
// slot never enters the sum, whatever it is.
// Public signals: none of its own. Callers must enforce: every bit is boolean (QuorumCheck does
// it); the keys are the committed ones (ValidatorSetCommitment) and are BabyJubJub points of the
// prime-order subgroup (Home's registration rules; the circuit does not check it).

include "circomlib/circuits/babyjub.circom";

template AggregateKey(N) {
    assert(N >= 1);
    signal input Ax[N];
    signal input Ay[N];
    signal input bit[N];
    signal output x;
    signal output y;

    signal selX[N];
    signal selY[N];
    component add[N];
    signal accX[N + 1];
    signal accY[N + 1];
    accX[0] <== 0;
    accY[0] <== 1;
    for (var i = 0; i < N; i++) {
        selX[i] <== bit[i] * Ax[i];
        selY[i] <== bit[i] * (Ay[i] - 1) + 1;
        add[i] = BabyAdd();
        add[i].x1 <== accX[i];
        add[i].y1 <== accY[i];
        add[i].x2 <== selX[i];
        add[i].y2 <== selY[i];
        accX[i + 1] <== add[i].xout;
        accY[i + 1] <== add[i].yout;
    }
    x <== accX[N];
    y <== accY[N];
}
