// The relayer's docs generated from code: the config key table of relayer/README.md (from the
// schema in config.ts). scripts/docs.ts writes it between its marker comments,
// test/relayer/config-docs.test.ts fails while it is stale.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { relayerConfigTable } from "./config.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

export const RELAYER_GENERATED_DOCS = [{ file: join(here, "README.md"), marker: "config", table: relayerConfigTable }] as const;
