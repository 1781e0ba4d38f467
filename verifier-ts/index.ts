// verifier-ts: off-chain verification of the Home -> Away layer's proofs in pure TypeScript,
// for Node and browsers (no wasm, no network, no node: imports). One import for everything.
export * from "./groth16.ts";
export * from "./bn254G2.ts";
export * from "./headerChain.ts";
export * from "./collateral.ts";
export * from "./bundle.ts";
export * from "./validatorSet.ts";
export type { IntegerInput } from "./input.ts";
export { verifyBinding, bindingMessage } from "../home/model/bls.ts";
// An aggregate attestation checked natively (no proof): quorum, Apk != identity, the signature under Apk.
export { aggregateKey, checkAggregateSignature } from "../home/model/header.ts";
