// Home's risk engine and collateral accounts: one import for everything in home/risk/.
export * from "./errors.ts";
export * from "./fixed.ts";
export * from "./price.ts";
export * from "./config.ts";
export * from "./volatility.ts";
export * from "./engine.ts";
export * from "./accounts.ts";
