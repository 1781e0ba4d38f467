// Aggregated header attestation (DESIGN section 9): the two-nonce signing session of the Home
// validators' attestation keys. Pure TypeScript except the SQLite nonce store (import it from
// ./sqlite-nonce-store.ts where node:sqlite exists).
export * from "./session.ts";
export * from "./nonce-store.ts";
export * from "./signer.ts";
export * from "./coordinator.ts";
