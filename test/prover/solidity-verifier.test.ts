// The generated Solidity verifiers on an in-process EVM (Hardhat EDR): real dev proofs verify,
// tampered inputs, inputs >= r and coordinates >= q return false, zero inputs take the shortcut,
// and our verifier uses less gas than the plain snarkjs one for the same proof.
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { encodeFunctionData, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { KIND_AUCTION_RESULT, SparseMerkleTree, leafKey } from "../../home/model/index.ts";
import { proveAggregatedHeaderQuorum, proveHeaderQuorum, proveSettlement, type ProofResult } from "../../prover/prover.ts";
import { GENERATED_DIR, ensureArtifacts } from "../../prover/setup/pipeline.ts";
import { FIELD_Q, FIELD_R } from "../../prover/setup/solidity-verifier.ts";
import { aggregatedHeader, signedHeader, validatorSet } from "../circuits/fixtures.ts";

interface Deployed {
  address: Address;
  abi: Abi;
}

let publicClient: PublicClient;
let deploy: (file: string, name: string) => Promise<Deployed>;
const headers: Record<string, ProofResult> = {};
let settlement: ProofResult;

function compile(sources: Record<string, string>): Record<string, { abi: Abi; bytecode: Hex }> {
  const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])),
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "prague", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n"));
  const res: Record<string, { abi: Abi; bytecode: Hex }> = {};
  for (const file of Object.keys(out.contracts)) {
    for (const [name, c] of Object.entries(out.contracts[file] as Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>)) {
      res[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return res;
}

beforeAll(async () => {
  await ensureArtifacts("dev", { log: () => {} });
  const files = [
    "AggregatedHeaderQuorumVerifier.sol",
    "HeaderQuorumVerifier.sol",
    "SettlementVerifier.sol",
    "snarkjs/SnarkjsAggregatedHeaderQuorumVerifier.sol",
    "snarkjs/SnarkjsHeaderQuorumVerifier.sol",
    "snarkjs/SnarkjsSettlementVerifier.sol",
  ];
  const sources: Record<string, string> = {};
  for (const f of files) sources[f] = await readFile(join(GENERATED_DIR, f), "utf8");
  const compiled = compile(sources);
  const conn = await network.connect();
  publicClient = (await conn.viem.getPublicClient()) as unknown as PublicClient;
  const [wallet] = await conn.viem.getWalletClients();
  deploy = async (_file, name) => {
    const c = compiled[name]!;
    const hash = await wallet!.deployContract({ abi: c.abi, bytecode: c.bytecode });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    return { address: r.contractAddress!, abi: c.abi };
  };
  headers.HeaderQuorum = await proveHeaderQuorum(signedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [0, 2, 3], { height: 91n, stateRoot: 4242n }));
  headers.AggregatedHeaderQuorum = await proveAggregatedHeaderQuorum(aggregatedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [0, 2, 3], { height: 91n, stateRoot: 4242n }));
  const tree = new SparseMerkleTree();
  const binding = (31337n << 160n) + 0x1234n;
  const key = leafKey(KIND_AUCTION_RESULT, 77n);
  tree.set(key, binding, 31415926n);
  settlement = await proveSettlement({ stateRoot: tree.root, awayBinding: binding, result: { auctionId: 77n, digest: 31415926n, proof: tree.prove(key) }, lockups: [] });
}, 900_000);

/** Our ABI takes proof as uint256[8]; snarkjs's takes (pA, pB, pC) in the same order. */
function args(v: Deployed, proof: bigint[], pub: bigint[]): unknown[] {
  const fn = v.abi.find((x) => x.type === "function" && x.name === "verifyProof") as unknown as { inputs: unknown[] };
  if (fn.inputs.length === 2) return [proof, pub];
  const p = proof;
  return [[p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], pub];
}

async function verify(v: Deployed, proof: bigint[], pub: bigint[]): Promise<boolean> {
  return (await publicClient.readContract({ address: v.address, abi: v.abi, functionName: "verifyProof", args: args(v, proof, pub) })) as boolean;
}

async function gas(v: Deployed, proof: bigint[], pub: bigint[]): Promise<bigint> {
  const data = encodeFunctionData({ abi: v.abi, functionName: "verifyProof", args: args(v, proof, pub) });
  return publicClient.estimateGas({ to: v.address, data });
}

describe.each(["AggregatedHeaderQuorum", "HeaderQuorum"])("generated %sVerifier", (circuit) => {
  it("accepts a real proof and rejects tampering, inputs >= r and coordinates >= q", async () => {
    const v = await deploy(`${circuit}Verifier.sol`, `${circuit}Verifier`);
    const { proof, pubSignals } = headers[circuit]!.calldata;
    expect(pubSignals[3]).toBe(0n);
    expect(await verify(v, proof, pubSignals)).toBe(true);
    for (let i = 0; i < 4; i++) {
      const pub = [...pubSignals];
      pub[i] = pub[i]! + 1n;
      expect(await verify(v, proof, pub), `pub[${i}] + 1`).toBe(false);
      pub[i] = pubSignals[i]! + FIELD_R;
      if (pub[i]! < 2n ** 256n) expect(await verify(v, proof, pub), `pub[${i}] + r`).toBe(false);
    }
    for (let i = 0; i < 8; i++) {
      const p = [...proof];
      p[i] = p[i]! + FIELD_Q;
      expect(await verify(v, p, pubSignals), `proof[${i}] + q`).toBe(false);
      const t = [...proof];
      t[i] = t[i]! ^ 1n;
      expect(await verify(v, t, pubSignals), `proof[${i}] flipped`).toBe(false);
    }
    // A and C swapped: points on the curve, wrong proof.
    expect(await verify(v, [proof[6]!, proof[7]!, ...proof.slice(2, 6), proof[0]!, proof[1]!], pubSignals)).toBe(false);
  });

  it("uses less gas than the snarkjs verifier on the same proof", async () => {
    const ours = await deploy(`${circuit}Verifier.sol`, `${circuit}Verifier`);
    const plain = await deploy(`snarkjs/Snarkjs${circuit}Verifier.sol`, `Snarkjs${circuit}Verifier`);
    const { proof, pubSignals } = headers[circuit]!.calldata;
    expect(await verify(plain, proof, pubSignals)).toBe(true);
    const a = await gas(ours, proof, pubSignals);
    const b = await gas(plain, proof, pubSignals);
    console.log(`${circuit} verifyProof gas (tx estimate): ours ${a}, snarkjs ${b}`);
    expect(a).toBeLessThan(b);
  });
});

describe("generated SettlementVerifier", () => {
  it("accepts a proof with unused (zero) lockup slots and rejects a nonzero one", async () => {
    const v = await deploy("SettlementVerifier.sol", "SettlementVerifier");
    const { proof, pubSignals } = settlement.calldata;
    expect(pubSignals.slice(3)).toEqual([0n, 0n]);
    expect(await verify(v, proof, pubSignals)).toBe(true);
    expect(await verify(v, proof, [...pubSignals.slice(0, 4), 1n])).toBe(false);
    expect(await verify(v, proof, [...pubSignals.slice(0, 4), FIELD_R])).toBe(false);
    const plain = await deploy("snarkjs/SnarkjsSettlementVerifier.sol", "SnarkjsSettlementVerifier");
    expect(await verify(plain, proof, pubSignals)).toBe(true);
    const a = await gas(v, proof, pubSignals);
    const b = await gas(plain, proof, pubSignals);
    console.log(`Settlement verifyProof gas (tx estimate): ours ${a}, snarkjs ${b}`);
    expect(a).toBeLessThan(b);
  });
});
