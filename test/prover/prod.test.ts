// The production profile (N = 64, K = 4), set up by `olzk setup --profile prod` (npm test runs it
// from the dev ptau, so the artifacts are marked insecure and serve local networks only): a
// header attested by 28 of Open Libra's 41 validators through a real aggregated session is proved
// with AggregatedHeaderQuorum(64) and accepted by HomeLightClient with the committed prod verifier
// (no per-validator verifier: such proofs are refused); a Settlement(32, 4) proof with four
// lockups verifies; a HeaderSettlement(64, 32, 4) proof (header and settlement in one) verifies
// with snarkjs and the committed prod verifier; the insecure prod artifacts are refused without a
// local network.
import { network } from "hardhat";
import { beforeAll, describe, expect, it } from "vitest";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, SparseMerkleTree, leafKey, validatorSetRoot } from "../../home/model/index.ts";
import { headerQuorumPublicSignals } from "../../prover/inputs/headerQuorum.ts";
import { proveHeader, proveHeaderSettlement, proveSettlement, verifyWithSnarkjs, type ProofResult } from "../../prover/prover.ts";
import { InsecureArtifactsError, ensureArtifacts, loadArtifacts } from "../../prover/setup/pipeline.ts";
import { aggregatedHeader, signedHeader, validatorSet } from "../circuits/fixtures.ts";

const PROD = { profile: "prod", network: "hardhat", cacheDir: false } as const;
const set = validatorSet(64, Array.from({ length: 64 }, (_, i) => (i < 41 ? 1_000_000n : null)));
const signers = Array.from({ length: 28 }, (_, i) => i); // 3 * 28 > 2 * 41
let header: ProofResult & { kind: string };
let sh: ReturnType<typeof aggregatedHeader>;

beforeAll(async () => {
  await ensureArtifacts("prod", { allowInsecurePtau: true, log: () => {} });
  sh = aggregatedHeader(set, signers, { height: 5n, stateRoot: 999n });
  header = await proveHeader(sh, PROD);
}, 1_800_000);

describe("prod profile (N = 64)", () => {
  it("its insecure CI artifacts load for a local network only", async () => {
    const art = await loadArtifacts("AggregatedHeaderQuorum", { profile: "prod", network: "hardhat" });
    expect(art.manifest).toMatchObject({ params: { N: 64 }, insecure: true, contribution: { type: "beacon" } });
    await expect(loadArtifacts("AggregatedHeaderQuorum", { profile: "prod" })).rejects.toThrow(InsecureArtifactsError);
    await expect(loadArtifacts("AggregatedHeaderQuorum", { profile: "prod", network: "mainnet" })).rejects.toThrow(/network 'mainnet'/);
    await expect(loadArtifacts("HeaderQuorum", { profile: "prod", network: "hardhat" })).rejects.toThrow(/no artifacts/);
  });

  it("proves a 28-of-41 aggregated attestation and verifies it with snarkjs", async () => {
    expect(header.kind).toBe("aggregated");
    expect(header.publicSignals).toEqual(headerQuorumPublicSignals(sh));
    expect(BigInt(header.publicSignals[2]!)).toBe(validatorSetRoot(set));
    console.log(`AggregatedHeaderQuorum(64) proof: ${header.seconds.toFixed(2)} s`);
    expect(await verifyWithSnarkjs("aggregated", header.proof, header.publicSignals, { profile: "prod", network: "hardhat" })).toBe(true);
    // A header without an aggregate has no proof in prod (no per-validator circuit).
    await expect(proveHeader(signedHeader(set, signers), PROD)).rejects.toThrow(/no per-validator HeaderQuorum/);
  });

  it("HomeLightClient with the committed prod verifier accepts it, and refuses per-validator proofs", async () => {
    const conn = await network.connect();
    const [wallet] = await conn.viem.getWalletClients();
    const verifier = (await conn.viem.deployContract("ProdAggregatedHeaderQuorumVerifier" as never)) as { address: string };
    const lc = (await conn.viem.deployContract("HomeLightClient" as never, [
      4242,
      set.epoch,
      validatorSetRoot(set),
      verifier.address,
      "0x0000000000000000000000000000000000000000",
      "0x0000000000000000000000000000000000000000",
      0n,
      wallet!.account.address,
      4n,
    ] as never)) as any;
    const { proof, pubSignals } = header.calldata;
    await expect(lc.write.submitHeader([1, proof, pubSignals])).rejects.toThrow(/VerifierUnavailable/);
    const hash = await lc.write.submitHeader([0, proof, pubSignals]);
    const rc = await (await conn.viem.getPublicClient()).waitForTransactionReceipt({ hash });
    expect(rc.status).toBe("success");
    expect(await lc.read.stateRootAt([5n])).toBe(999n);
  });

  it("proves and verifies a Settlement(32, 4) with four lockups", async () => {
    const binding = (31337n << 160n) + 0xfeedn;
    const tree = new SparseMerkleTree();
    const resultKey = leafKey(KIND_AUCTION_RESULT, 3n);
    tree.set(resultKey, binding, 1111n);
    const lockups = [11n, 12n, 13n, 14n].map((id, k) => {
      const key = leafKey(KIND_LOCKUP, id);
      tree.set(key, binding, 2000n + BigInt(k));
      return { lockId: id, digest: 2000n + BigInt(k), key };
    });
    const r = await proveSettlement(
      {
        stateRoot: tree.root,
        awayBinding: binding,
        result: { auctionId: 3n, digest: 1111n, proof: tree.prove(resultKey) },
        lockups: lockups.map((l) => ({ lockId: l.lockId, digest: l.digest, proof: tree.prove(l.key) })),
      },
      PROD,
    );
    expect(r.publicSignals).toEqual([tree.root, binding, 1111n, 2000n, 2001n, 2002n, 2003n].map(String));
    expect(await verifyWithSnarkjs("settlement", r.proof, r.publicSignals, { profile: "prod", network: "hardhat" })).toBe(true);
  });

  it("proves a HeaderSettlement(64, 32, 4): the 28-of-41 attestation and four lockups in one proof; the committed prod verifier accepts it", async () => {
    const binding = (31337n << 160n) + 0xfeedn;
    const tree = new SparseMerkleTree();
    const resultKey = leafKey(KIND_AUCTION_RESULT, 3n);
    tree.set(resultKey, binding, 1111n);
    const ids = [11n, 12n, 13n, 14n];
    ids.forEach((id, k) => tree.set(leafKey(KIND_LOCKUP, id), binding, 2000n + BigInt(k)));
    const keys = ids.map((id, k) => ({ lockId: id, digest: 2000n + BigInt(k), proof: tree.prove(leafKey(KIND_LOCKUP, id)) }));
    const withState = aggregatedHeader(set, signers, { height: 6n, stateRoot: tree.root });
    const r = await proveHeaderSettlement(withState, { stateRoot: tree.root, awayBinding: binding, result: { auctionId: 3n, digest: 1111n, proof: tree.prove(resultKey) }, lockups: keys }, PROD);
    console.log(`HeaderSettlement(64, 32, 4) proof: ${r.seconds.toFixed(2)} s`);
    expect(r.publicSignals).toEqual([...headerQuorumPublicSignals(withState), ...[binding, 1111n, 2000n, 2001n, 2002n, 2003n].map(String)]);
    expect(await verifyWithSnarkjs("headerSettlement", r.proof, r.publicSignals, { profile: "prod", network: "hardhat" })).toBe(true);
    const conn = await network.connect();
    const verifier = (await conn.viem.deployContract("ProdHeaderSettlementVerifier" as never)) as any;
    expect(await verifier.read.verifyProof([r.calldata.proof, r.calldata.pubSignals])).toBe(true);
    const tampered = r.calldata.pubSignals.map((v, i) => (i === 5 ? v + 1n : v));
    expect(await verifier.read.verifyProof([r.calldata.proof, tampered])).toBe(false);
  });
});
