// relayer/generated/away-abi.ts is generated from the Hardhat artifacts (scripts/gen-away-abi.ts):
// a contract change that adds an error or event must regenerate it, else the relayer cannot
// decode that revert (and relayer/causes.ts, typed over the error names, cannot classify it).
import { readFileSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { AWAY_ABI_FILE, awayAbiSource } from "../../scripts/gen-away-abi.ts";
import { ensureContractsBuilt } from "./ensure-built.ts";

beforeAll(ensureContractsBuilt, 600_000);

it("the committed relayer/generated/away-abi.ts is what the current contract artifacts generate (npm run gen:away-abi)", () => {
  expect(readFileSync(AWAY_ABI_FILE, "utf8")).toBe(awayAbiSource());
});
