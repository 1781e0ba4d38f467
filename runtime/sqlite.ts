// Node 22's built-in SQLite (node:sqlite) for the devnet store, the relayer's job store and the
// attestation nonce store. Loading it prints an ExperimentalWarning once; it is expected here and
// would break JSON-line logs, so that one warning is filtered out while it loads.
import { createRequire } from "node:module";

const EXPERIMENTAL = "SQLite is an experimental feature";

/** node:sqlite, loaded without its ExperimentalWarning (every other warning passes through). */
export function loadSqlite(): typeof import("node:sqlite") {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === "string" ? warning : warning.message;
    if (message.includes(EXPERIMENTAL)) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return createRequire(import.meta.url)("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
}
