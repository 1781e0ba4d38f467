// The Home (Open Libra) data model: one import for everything in home/model/.
export * from "./field.ts";
export * from "./poseidon.ts";
export * from "./poseidon-constants.ts";
export * from "./babyjub.ts";
export * from "./eddsa.ts";
export * from "./bls.ts";
export * from "./attestation-key.ts";
export * from "./validators.ts";
export * from "./header.ts";
export * from "./smt.ts";
export * from "./leaves.ts";
export * from "./ssz.ts";
export * from "./risk-leaves.ts";
export * from "./state-leaves.ts";
export * from "./rules.ts";
export * from "./away-storage.ts";
export * from "./bids.ts";
