// The compiled Away contracts as the deploy library and its readers use them: where Hardhat writes
// each artifact, the sources of the deployed set, solc-js compilation of a generated verifier
// outside contracts/ (another circuit profile's setup) and the lockup slots K of a generated setup.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";
import { UserError } from "../../cli/args.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where Hardhat writes the artifact of `name` declared in `source` (path under contracts/). */
export function artifactPath(source: string, name: string): string {
  return join(REPO_ROOT, "artifacts", "contracts", source, `${name}.json`);
}

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

/**
 * Verifier contracts to deploy instead of the committed (dev profile) Hardhat artifacts, e.g.
 * the verifiers another profile's setup generated (see profileVerifiers). `HeaderQuorumVerifier:
 * null` deploys no per-validator verifier (the light client then accepts aggregated proofs only).
 */
export interface VerifierArtifacts {
  AggregatedHeaderQuorumVerifier?: Artifact;
  HeaderQuorumVerifier?: Artifact | null;
  SettlementVerifier?: Artifact;
  /** `null` deploys none (the light client then refuses submitHeaderWithSettlement). */
  HeaderSettlementVerifier?: Artifact | null;
}

/** Reads a compiled contract (run `npx hardhat build` first). */
export function loadArtifact(source: string, name: string): Artifact {
  const p = artifactPath(source, name);
  let json: { abi: Abi; bytecode: Hex };
  try {
    json = JSON.parse(readFileSync(p, "utf8"));
  } catch {
    throw new UserError(`missing artifact ${p}: run 'npx hardhat build' (and 'olzk setup' for the generated verifiers)`);
  }
  return { abi: json.abi, bytecode: json.bytecode };
}

/**
 * Compiles one self-contained Solidity file (e.g. a generated verifier outside contracts/) with
 * solc-js and the Hardhat settings (0.8.37, optimizer 10000 runs, prague); returns contract `name`.
 */
export function compileSolidity(file: string, name: string): Artifact {
  const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { [name + ".sol"]: { content: readFileSync(file, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "prague",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`compiling ${file}: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = out.contracts?.[name + ".sol"]?.[name];
  if (!c) throw new Error(`${file} has no contract ${name}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
}

/** Sources of every contract the deploy library touches (paths under contracts/). */
export const SOURCES = {
  AggregatedHeaderQuorumVerifier: "generated/AggregatedHeaderQuorumVerifier.sol",
  HeaderQuorumVerifier: "generated/HeaderQuorumVerifier.sol",
  SettlementVerifier: "generated/SettlementVerifier.sol",
  HeaderSettlementVerifier: "generated/HeaderSettlementVerifier.sol",
  HomeLightClient: "HomeLightClient.sol",
  OpenLibraLightClient: "OpenLibraLightClient.sol",
  AtomicSettlement: "AtomicSettlement.sol",
  AuctionEscrow: "AuctionEscrow.sol",
  LPRegistry: "LPRegistry.sol",
  TestToken: "test/TestToken.sol",
} as const;

export type ContractName = keyof typeof SOURCES;

export function artifact(name: ContractName): Artifact {
  return loadArtifact(SOURCES[name], name);
}

/**
 * The verifiers of a circuit profile's setup, for DeployOptions.verifiers: none for dev (the
 * committed contracts/generated Hardhat artifacts), else compiled here with solc-js from the
 * profile's generated directory (contracts/generated/prod for prod, build/setup/<profile>/generated
 * otherwise); no per-validator verifier when the profile's setup made none.
 */
export async function profileVerifiers(profile: string): Promise<VerifierArtifacts | undefined> {
  if (profile === "dev") return undefined;
  const { contractPrefix, generatedDirFor } = await import("../../prover/setup/pipeline.ts");
  const dir = generatedDirFor(profile);
  const prefix = contractPrefix(profile);
  const compile = (name: string): Artifact | null => {
    const file = join(dir, `${prefix}${name}.sol`);
    if (!existsSync(file)) return null;
    return compileSolidity(file, `${prefix}${name}`);
  };
  const aggregated = compile("AggregatedHeaderQuorumVerifier");
  const settlement = compile("SettlementVerifier");
  const headerSettlement = compile("HeaderSettlementVerifier");
  if (!aggregated || !settlement || !headerSettlement) throw new UserError(`no generated verifiers for profile ${profile} in ${dir}: run olzk setup --profile ${profile}`);
  return {
    AggregatedHeaderQuorumVerifier: aggregated,
    HeaderQuorumVerifier: compile("HeaderQuorumVerifier"),
    SettlementVerifier: settlement,
    HeaderSettlementVerifier: headerSettlement,
  };
}

/** K of a generated Settlement verifier (setup.json of `dir`, default the committed dev contracts/generated), 2 when unknown. */
export function generatedLockSlots(dir: string = join(REPO_ROOT, "contracts", "generated")): number {
  try {
    const setup = JSON.parse(readFileSync(join(dir, "setup.json"), "utf8"));
    const k = setup?.circuits?.settlement?.params?.lockups;
    return Number.isInteger(k) && k > 0 ? k : 2;
  } catch {
    return 2;
  }
}
