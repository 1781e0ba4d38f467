pragma circom 2.1.0;

// QuorumCheck(N): over N validator slots with private power[i] and signed[i], proves
//   - every signed[i] is a bit (0 or 1), so no slot is counted more than once;
//   - every power[i] is a u64 (range check);
//   - a slot with signed[i] = 1 has power[i] != 0;
//   - 3 * signedPower > 2 * totalPower, where signedPower = sum(signed[i] * power[i]) and
//     totalPower = sum(power[i]); this also implies totalPower > 0.
// The comparison is done on integers of 66 + ceil(log2 N) bits: with u64 powers,
// 3 * signedPower < 3 * N * 2^64 <= 2^(66 + log2 N), so nothing wraps mod r.
// Public signals: none of its own. Callers must enforce: the powers are the ones committed by
// the validator-set commitment, and signed[i] is what makes slot i count: the enable bit of
// slot i's signature check (HeaderQuorum) or the bit that adds slot i's key to the aggregate
// key (AggregatedHeaderQuorum).

include "circomlib/circuits/comparators.circom";
include "RangeCheck.circom";

template QuorumCheck(N) {
    signal input power[N];
    signal input signed[N];

    var logN = 0;
    while ((1 << logN) < N) { logN++; }
    var BITS = 66 + logN;
    assert(BITS <= 252);

    component rc[N];
    signal inv[N];
    signal hasPower[N];
    signal counted[N];
    var total = 0;
    var signedSum = 0;
    for (var i = 0; i < N; i++) {
        signed[i] * (signed[i] - 1) === 0;

        rc[i] = RangeCheck(64);
        rc[i].in <== power[i];

        // signed[i] = 1  =>  power[i] * inv[i] = 1  =>  power[i] != 0.
        inv[i] <-- power[i] != 0 ? 1 / power[i] : 0;
        hasPower[i] <== power[i] * inv[i];
        signed[i] * (hasPower[i] - 1) === 0;

        counted[i] <== signed[i] * power[i];
        total += power[i];
        signedSum += counted[i];
    }

    component lt = LessThan(BITS);
    lt.in[0] <== 2 * total;
    lt.in[1] <== 3 * signedSum;
    lt.out === 1;
}
