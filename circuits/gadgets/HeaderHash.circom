pragma circom 2.1.0;

// HeaderHash(): headerHash = Poseidon(TAG_HEADER, chainId, epoch, height, timestampMs,
//   parentHash, stateRoot, validatorSetRoot, nextValidatorSetRoot) (ENCODING.md "Header").
// Public signals: none of its own. Callers must enforce: the integer fields are range-checked
// (HeaderMeta does it), so the hash commits to the canonical header.

include "circomlib/circuits/poseidon.circom";

template HeaderHash() {
    // ASCII "OLZK_HEADER_V1", big-endian.
    var TAG_HEADER = 1608359643809844417093165536728625;
    signal input chainId;
    signal input epoch;
    signal input height;
    signal input timestampMs;
    signal input parentHash;
    signal input stateRoot;
    signal input validatorSetRoot;
    signal input nextValidatorSetRoot;
    signal output out;

    component h = Poseidon(9);
    h.inputs[0] <== TAG_HEADER;
    h.inputs[1] <== chainId;
    h.inputs[2] <== epoch;
    h.inputs[3] <== height;
    h.inputs[4] <== timestampMs;
    h.inputs[5] <== parentHash;
    h.inputs[6] <== stateRoot;
    h.inputs[7] <== validatorSetRoot;
    h.inputs[8] <== nextValidatorSetRoot;
    out <== h.out;
}
