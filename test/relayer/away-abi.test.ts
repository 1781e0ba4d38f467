// relayer/generated/away-abi.ts and cli/generated/scenario-abi.ts are generated from the Hardhat
// artifacts (scripts/gen-away-abi.ts): a contract change that adds an error or event, or changes a
// function the TypeScript calls, must regenerate them, else the relayer cannot decode that revert
// (and relayer/causes.ts, typed over the error names, cannot classify it) and the calls would be
// typechecked against the old signatures.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { GENERATED_ABI_MODULES } from "../../scripts/gen-away-abi.ts";
import { REPO_ROOT } from "../../contracts/deploy/artifacts.ts";
import { ensureContractsBuilt } from "./ensure-built.ts";

beforeAll(ensureContractsBuilt, 600_000);

it.each(GENERATED_ABI_MODULES.map((m) => [relative(REPO_ROOT, m.file), m] as const))("the committed %s is what the current contract artifacts generate (npm run gen:away-abi)", (_, m) => {
  expect(readFileSync(m.file, "utf8")).toBe(m.source());
});
