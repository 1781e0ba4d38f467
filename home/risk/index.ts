export * from "./errors.ts";
export * from "./fixed.ts";
export * from "./price.ts";
export * from "./config.ts";
export * from "./volatility.ts";
export * from "./engine.ts";
