// The deploy script against a real HTTP JSON-RPC endpoint (Hardhat's EDR served on 127.0.0.1):
// deployAll by URL writes the relayer's addresses JSON and leaves a working, wired contract set;
// `olzk deploy` reports user mistakes as one-line errors; `olzk deploy --anchor-voucher` deploys the
// anchored mode from files (an OpenLibraLightClient holding the genesis voucher, the light client anchored to it);
// `olzk deploy --anchor-address` anchors a new light client to an OpenLibraLightClient already deployed, and
// refuses (one line, nothing deployed) an address without code, a contract that is not one, and an anchor
// without the genesis voucher.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, toHex, type Address } from "viem";
import { UserError } from "../../cli/args.ts";
import { artifact } from "../../contracts/deploy/artifacts.ts";
import { run } from "../../contracts/deploy/cli.ts";
import { deployAll } from "../../contracts/deploy/deploy.ts";
import { startEdrRpc, type EdrRpc } from "../relayer/edr-rpc.ts";
import { encodeBcs, EpochState, voucherToJSON } from "../../verifier-ts/openlibra/index.ts";
import { openLibraEpochs, vouch } from "./anchor.ts";
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

  it("deploys the anchored mode from a voucher file and the Open Libra set's BCS, and refuses a voucher that does not verify", async () => {
    const ol = openLibraEpochs("deploy-cli");
    const root = epochKeys(0n).root;
    const state = join(dir, "ol0.bcs");
    await writeFile(state, encodeBcs(EpochState, ol.states[0]!));
    const voucher = join(dir, "voucher.json");
    await writeFile(voucher, JSON.stringify(voucherToJSON(vouch(ol, 0n, root))));
    const out = join(dir, "anchored.json");
    const args = ["--rpc", rpc.url, "--genesis-root", root.toString(), "--home-chain-id", String(HOME_CHAIN_ID), "--out", out];
    expect(await run([...args, "--anchor-voucher", voucher, "--anchor-epoch-state", state])).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.openLibraLightClient).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const client = createPublicClient({ transport: http(rpc.url) });
    const read = (name: Parameters<typeof artifact>[0], address: Address, functionName: string, args: unknown[] = []) =>
      client.readContract({ address, abi: artifact(name).abi, functionName, args }) as Promise<unknown>;
    expect(await read("HomeLightClient", file.lightClient, "anchor")).toBe(file.openLibraLightClient);
    expect(await read("OpenLibraLightClient", file.openLibraLightClient, "vouchedAttestationSetRoot", [0n])).toBe(toHex(root, { size: 32 }));

    const other = join(dir, "other.json");
    await writeFile(other, JSON.stringify(voucherToJSON(vouch(ol, 0n, root + 1n))));
    await expect(run([...args, "--anchor-voucher", other, "--anchor-epoch-state", state])).rejects.toThrow(/anchor: the genesis voucher does not verify: VoucherMismatch/);
    await expect(run([...args, "--anchor-epoch-state", state])).rejects.toThrow(/only go with --anchor-voucher/);
    await expect(run([...args, "--anchor-voucher", voucher])).rejects.toThrow(/--anchor-voucher needs the Open Libra set of its epoch: --anchor-epoch-state/);
  });

  it("--anchor-address anchors a new light client to an existing OpenLibraLightClient, and refuses what is not one", async () => {
    const ol = openLibraEpochs("deploy-existing");
    const root = epochKeys(0n).root;
    const first = await deployAll(rpc.url, { homeChainId: HOME_CHAIN_ID, genesisEpoch: 0n, genesisValidatorSetRoot: root, anchor: { epochState: ol.states[0]!, genesisVoucher: vouch(ol, 0n, root) } });
    const existing = first.openLibraLightClient!;
    const out = join(dir, "existing.json");
    const args = (genesisRoot: bigint, anchor: string, epoch = "0") => ["--rpc", rpc.url, "--genesis-root", genesisRoot.toString(), "--genesis-epoch", epoch, "--home-chain-id", String(HOME_CHAIN_ID), "--out", out, "--anchor-address", anchor];
    expect(await run(args(root, existing.toLowerCase()))).toBe(0);
    const file = JSON.parse(await readFile(out, "utf8"));
    expect(file.openLibraLightClient).toBe(existing);
    expect(file.lightClient).not.toBe(first.lightClient);
    const client = createPublicClient({ transport: http(rpc.url) });
    expect(await client.readContract({ address: file.lightClient, abi: artifact("HomeLightClient").abi, functionName: "anchor" })).toBe(existing);
    expect(await client.readContract({ address: file.lightClient, abi: artifact("HomeLightClient").abi, functionName: "currentValidatorSetRoot" })).toBe(root);

    const deployer = first.deployer;
    const before = await client.getTransactionCount({ address: deployer });
    /** `olzk deploy` refuses `argv` with a UserError (one line at the CLI) whose message matches `message`. */
    const refused = async (argv: string[], message: RegExp) => {
      const err = await run(argv).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(message);
    };
    await refused(args(root, "0x1111111111111111111111111111111111111111"), /^anchor: no contract at 0x1111111111111111111111111111111111111111 on chain 31337$/);
    await refused(args(root, first.lightClient), new RegExp(`^anchor: ${first.lightClient} is not an OpenLibraLightClient \\(LEDGER_INFO_SEED\\(\\) fails\\)$`));
    await refused(args(root + 1n, existing), /^anchor: 0x[0-9a-fA-F]{40} vouches for root \d+ in epoch 0, not the genesis root \d+$/);
    await refused(args(root, existing, "5"), /^anchor: 0x[0-9a-fA-F]{40} has no voucher for genesis epoch 5 \(it holds epochs 0 to 0\): submit the voucher of the genesis root to it first$/);
    await refused(args(root, "0x12"), /^anchor: '0x12' is not an address/);
    await refused([...args(root, existing), "--anchor-voucher", "v.json"], /--anchor-address .* does not go with --anchor-voucher/);
    // Every refusal came before anything was deployed.
    expect(await client.getTransactionCount({ address: deployer })).toBe(before);
  });
});
