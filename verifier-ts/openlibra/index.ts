// verifier-ts/openlibra: real Open Libra consensus, verified natively (no network, no node: imports).
export * from "./errors.ts";
export * from "./hash.ts";
export * from "./bcs.ts";
export * from "./waypoint.ts";
export * from "./bls.ts";
export * from "./quorum.ts";
export * from "./ratchet.ts";
export * from "./accumulator.ts";
export * from "./backup.ts";
export * from "./voucher.ts";
export * from "./builder.ts";
export * from "./evm.ts";
