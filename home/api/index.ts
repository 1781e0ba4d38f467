// The Home HTTP API: wire schemas of every route, the error codes, and the typed client.
export * from "./codecs.ts";
export * from "./errors.ts";
export * from "./issues.ts";
export * from "./views.ts";
export * from "./actions.ts";
export * from "./openlibra.ts";
export * from "./routes.ts";
export * from "./ssz.ts";
export * from "./settlement.ts";
export * from "./client.ts";
