// The deploy script against a real HTTP JSON-RPC endpoint (Hardhat's EDR served on 127.0.0.1):
// deployAll by URL writes the relayer's addresses JSON and leaves a working, wired contract set;
// `olzk deploy` reports user mistakes as one-line errors.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Address } from "viem";
import { UserError } from "../../cli/args.ts";
import { artifact, deployAll, run } from "../../scripts/deploy.ts";
import { startEdrRpc, type EdrRpc } from "../relayer/edr-rpc.ts";
import { epochKeys, HOME_CHAIN_ID } from "./home-scenario.ts";

let rpc: EdrRpc;
let dir: string;

beforeAll(async () => {
  rpc = await startEdrRpc();
  dir = await mkdtemp(join(tmpdir(), "olzk-deploy-"));
});

afterAll(async () => {
  await rpc?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("deployAll", () => {
  it("deploys the whole set by RPC URL and writes the addresses file", async () => {
    const out = join(dir, "away.json");
    const root = epochKeys(0n).root;
    const a = await deployAll(rpc.url, { homeChainId: HOME_CHAIN_ID, genesisEpoch: 3n, genesisValidatorSetRoot: root, out, testTokens: true, historySize: 8n });
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file).toEqual(JSON.parse(JSON.stringify(a)));
    expect(file.chainId).toBe(31337);
    expect(file.rpcUrl).toBe(rpc.url);
    expect(BigInt(file.deployBlock)).toBeGreaterThan(0n);
    const client = createPublicClient({ transport: http(rpc.url) });
    for (const k of ["aggregatedHeaderVerifier", "perValidatorHeaderVerifier", "settlementVerifier", "headerSettlementVerifier", "lightClient", "settlement", "escrow", "registry"] as const) {
      expect((await client.getCode({ address: a[k]! }))?.length ?? 0, k).toBeGreaterThan(2);
    }
    const read = (name: Parameters<typeof artifact>[0], address: Address, functionName: string) =>
      client.readContract({ address, abi: artifact(name).abi, functionName }) as Promise<unknown>;
    expect(await read("HomeLightClient", a.lightClient, "currentEpoch")).toBe(3n);
    expect(await read("HomeLightClient", a.lightClient, "currentValidatorSetRoot")).toBe(root);
    expect(await read("HomeLightClient", a.lightClient, "guardian")).toBe(a.deployer);
    expect(await read("HomeLightClient", a.lightClient, "historySize")).toBe(8n);
    expect(await read("HomeLightClient", a.lightClient, "aggregatedVerifier")).toBe(a.aggregatedHeaderVerifier);
    expect(await read("HomeLightClient", a.lightClient, "perValidatorVerifier")).toBe(a.perValidatorHeaderVerifier);
    expect(await read("HomeLightClient", a.lightClient, "headerSettlementVerifier")).toBe(a.headerSettlementVerifier);
    expect(await read("HomeLightClient", a.lightClient, "headerSettlementInputs")).toBe(8n); // 4 header + 2 + K = 2
    expect(await read("AtomicSettlement", a.settlement, "lightClient")).toBe(a.lightClient);
    expect(await read("AtomicSettlement", a.settlement, "verifier")).toBe(a.settlementVerifier);
    expect(await read("AtomicSettlement", a.settlement, "lockSlots")).toBe(2n);
    expect(file.lockSlots).toBe(2);
    expect(await read("AuctionEscrow", a.escrow, "settlement")).toBe(a.settlement);
    expect(await read("LPRegistry", a.registry, "settlement")).toBe(a.settlement);
    expect(await read("LPRegistry", a.registry, "minCapital")).toBe(1_000_000n);
    expect(file.minLpCapital).toBe("1000000");
    expect(await read("AuctionEscrow", a.escrow, "lightClient")).toBe(a.lightClient);
    expect(await read("AtomicSettlement", a.settlement, "awayBinding")).toBe((31337n << 160n) | BigInt(a.settlement));
    expect(Object.keys(a.tokens ?? {})).toEqual(["WETH", "USDC"]);
  });
});

describe("olzk deploy", () => {
  it("rejects missing or malformed options with a UserError", async () => {
    await expect(run(["--rpc", rpc.url])).rejects.toThrow(UserError);
    await expect(run(["--rpc", rpc.url, "--genesis-root", "abc"])).rejects.toThrow(/genesis-root/);
    await expect(run(["--rpc", rpc.url, "--genesis-root", "5", "--guardian", "0x12"])).rejects.toThrow(/guardian/);
    await expect(run(["--bogus"])).rejects.toThrow(UserError);
    await expect(run(["--rpc", rpc.url, "--genesis-root", "0"])).rejects.toThrow(/nonzero field element/);
    await expect(run(["--rpc", rpc.url, "--genesis-root", "5", "--min-lp-capital", "0"])).rejects.toThrow(/--min-lp-capital must be from 1/);
    await expect(run(["--rpc", "http://127.0.0.1:9", "--genesis-root", "5", "--out", join(dir, "x.json")])).rejects.toThrow(/cannot reach/);
  });

  it("deploys from the command line", async () => {
    const out = join(dir, "cli.json");
    expect(await run(["--rpc", rpc.url, "--genesis-root", "12345", "--home-chain-id", "9", "--min-lp-capital", "5000", "--out", out])).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.minLpCapital).toBe("5000");
    expect(file.homeChainId).toBe(9);
    expect(file.genesisValidatorSetRoot).toBe("12345");
    expect(file.tokens).toBeUndefined();
  });
});
