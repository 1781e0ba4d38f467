// Relayer configuration: file + environment overrides, defaults, and one-line errors for
// every kind of mistake (never a stack trace); `olzk relay` reports them with exit code 2.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, resolveConfig } from "../../relayer/config.ts";
import { run } from "../../relayer/cli.ts";
import { proverNetwork } from "../../relayer/relayer.ts";
import { UserError } from "../../cli/args.ts";
import { defaultProofConcurrency } from "../../prover/pool.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // hardhat #1, the account of KEY
const base = {
  homeUrl: "http://127.0.0.1:8645",
  away: [{ chainId: 31337, rpcUrl: "http://127.0.0.1:8545", addressesFile: "away.json", signerKeyEnv: "RELAYER_KEY" }],
};
const env = { RELAYER_KEY: KEY };

describe("relayer config", () => {
  it("fills defaults and resolves paths relative to the config file", () => {
    const c = resolveConfig(base, env, "/etc/olzk");
    expect(c).toMatchObject({
      homeUrl: "http://127.0.0.1:8645", dataDir: "/etc/olzk/.olzk/relayer", database: "sqlite", pollIntervalMs: 2000,
      metrics: null, leaseMs: 60_000, concurrency: 4, proverConcurrency: defaultProofConcurrency(), logLevel: "info", workerId: undefined,
      retry: { baseMs: 1_000, maxMs: 60_000 },
      health: { checkIntervalMs: 5_000, homeStaleMs: 15_000, maxPendingTxMs: 300_000, maxJobAgeMs: 1_800_000 },
    });
    expect(c.away[0]).toMatchObject({
      name: "31337", chainId: 31337, rpcUrls: ["http://127.0.0.1:8545"], rpcTimeoutMs: 10_000, addressesFile: "/etc/olzk/away.json", confirmations: 1,
      signer: { kind: "key", key: KEY, source: "RELAYER_KEY", address: ADDRESS },
      fees: { capWei: 200_000_000_000n, bumpAfterMs: 30_000, bumpPercent: 20, priorityPercentile: 50, historyBlocks: 10, baseFeeMarginPercent: 100, minPriorityFeeWei: 0n },
      minBalanceWei: 10n ** 16n,
    });
    expect(c.startupTimeoutMs).toBe(30_000);
    const tuned = resolveConfig(
      { ...base, workerId: "worker-a", proverConcurrency: 2, retry: { baseMs: 200, maxMs: 5_000 }, health: { maxJobAgeMs: 60_000 }, away: [{ ...base.away[0], minBalanceEth: "0.5" }] },
      { ...env, OLZK_RELAYER_CONCURRENCY: "8", OLZK_RELAYER_RETRY_MAX_MS: "9000", OLZK_AWAY_31337_MIN_BALANCE_ETH: "1.25" },
      "/tmp",
    );
    expect(tuned).toMatchObject({ workerId: "worker-a", concurrency: 8, proverConcurrency: 2, retry: { baseMs: 200, maxMs: 9_000 }, health: { maxJobAgeMs: 60_000 } });
    expect(tuned.away[0]!.minBalanceWei).toBe(1_250_000_000_000_000_000n);
  });

  it("lets environment variables override the file, and define chains on their own", () => {
    const c = resolveConfig(base, {
      ...env,
      OLZK_RELAYER_HOME_URL: "http://127.0.0.1:9000/",
      OLZK_RELAYER_DATABASE: "postgres://u@127.0.0.1:5432/olzk",
      OLZK_RELAYER_POLL_MS: "500",
      OLZK_RELAYER_METRICS_PORT: "0",
      OLZK_AWAY_31337_CONFIRMATIONS: "3",
      OLZK_AWAY_31337_RPC_URL: "http://127.0.0.1:9545, http://127.0.0.1:9547",
      OLZK_AWAY_31337_FEE_CAP_GWEI: "1.5",
      OLZK_AWAY_31337_BUMP_AFTER_MS: "5000",
      OLZK_RELAYER_STARTUP_TIMEOUT_MS: "0",
      OLZK_RELAYER_AWAY_CHAINS: "31337,10",
      OLZK_AWAY_10_RPC_URL: "http://127.0.0.1:9546",
      OLZK_AWAY_10_ADDRESSES: "/x/op.json",
      OLZK_AWAY_10_SIGNER_KEY: KEY.slice(2),
    });
    expect(c.homeUrl).toBe("http://127.0.0.1:9000");
    expect(c.database).toBe("postgres://u@127.0.0.1:5432/olzk");
    expect(c.pollIntervalMs).toBe(500);
    expect(c.metrics).toEqual({ host: "127.0.0.1", port: 0 });
    expect(c.away.map((a) => [a.chainId, a.rpcUrls, a.confirmations])).toEqual([
      [31337, ["http://127.0.0.1:9545", "http://127.0.0.1:9547"], 3],
      [10, ["http://127.0.0.1:9546"], 1],
    ]);
    expect(c.away[1]!.signer).toEqual({ kind: "key", key: KEY, source: "OLZK_AWAY_10_SIGNER_KEY", address: ADDRESS });
    expect(c.away[0]!.fees).toMatchObject({ capWei: 1_500_000_000n, bumpAfterMs: 5000 });
    expect(c.startupTimeoutMs).toBe(0);
  });

  it("takes several RPC URLs, a remote signer instead of a key, and fee settings", () => {
    const { rpcUrl: _one, signerKeyEnv: _key, ...chain } = base.away[0]!;
    const c = resolveConfig({
      ...base,
      away: [{
        ...chain, rpcUrls: ["http://127.0.0.1:8545", "https://rpc.example.org/v1/"], rpcTimeoutMs: 2000,
        remoteSigner: { url: "http://127.0.0.1:9000", address: ADDRESS.toLowerCase() },
        fees: { capGwei: "0.25", bumpAfterMs: 1000, bumpPercent: 12, priorityPercentile: 90, historyBlocks: 4, baseFeeMarginPercent: 0, minPriorityFeeGwei: 0.000000001 },
      }],
    }, {}, "/tmp");
    expect(c.away[0]).toMatchObject({
      rpcUrls: ["http://127.0.0.1:8545", "https://rpc.example.org/v1"], rpcTimeoutMs: 2000,
      signer: { kind: "remote", url: "http://127.0.0.1:9000", address: ADDRESS },
      fees: { capWei: 250_000_000n, bumpAfterMs: 1000, bumpPercent: 12, priorityPercentile: 90, historyBlocks: 4, baseFeeMarginPercent: 0, minPriorityFeeWei: 1n },
    });
    const byEnv = resolveConfig({ ...base, away: [{ ...chain, rpcUrl: "http://127.0.0.1:8545" }] }, { OLZK_AWAY_31337_SIGNER_URL: "http://127.0.0.1:9001", OLZK_AWAY_31337_SIGNER_ADDRESS: ADDRESS }, "/tmp");
    expect(byEnv.away[0]!.signer).toEqual({ kind: "remote", url: "http://127.0.0.1:9001", address: ADDRESS });
  });

  it.each([
    [{ ...base, homeUrl: undefined }, env, /homeUrl is required/],
    [{ ...base, homeUrl: "ftp://x" }, env, /homeUrl must use http/],
    [{ ...base, pollIntervalMs: "fast" }, env, /pollIntervalMs must be a whole number/],
    [{ ...base, metrics: { host: "0.0.0.0" } }, env, /metrics.host must be a loopback address/],
    [{ ...base, away: [] }, env, /at least one Away chain/],
    [{ ...base, away: [{ ...base.away[0], chainId: undefined }] }, env, /away\[0\].chainId is required/],
    [{ ...base, away: [{ ...base.away[0], rpcUrl: "not a url" }] }, env, /away\[0\].rpcUrl is not a valid URL/],
    [base, {}, /signerKeyEnv names RELAYER_KEY, which is not set/],
    [base, { RELAYER_KEY: "0x1234" }, /not a 32-byte hex private key/],
    [{ ...base, away: [base.away[0], base.away[0]] }, env, /configured twice/],
    [{ ...base, awya: [] }, env, /unknown config key 'awya'/],
    [{ ...base, away: [{ ...base.away[0], confirmation: 2 }] }, env, /unknown key 'away\[0\].confirmation'/],
    [base, { ...env, OLZK_RELAYER_AWAY_CHAINS: "x" }, /comma-separated list of chain ids/],
    [{ ...base, away: [{ ...base.away[0], rpcUrls: ["http://127.0.0.1:1"] }] }, env, /give rpcUrls or rpcUrl, not both/],
    [{ ...base, away: [{ ...base.away[0], rpcUrl: undefined, rpcUrls: [] }] }, env, /rpcUrls must be a non-empty array/],
    [{ ...base, away: [{ ...base.away[0], rpcUrl: undefined, rpcUrls: ["http://a:1", "http://a:1"] }] }, env, /listed twice/],
    [{ ...base, away: [{ ...base.away[0], rpcUrl: undefined, rpcUrls: ["http://a:1", "ws://b:2"] }] }, env, /rpcUrls\[1\] must use http/],
    [base, { ...env, OLZK_AWAY_31337_RPC_URL: "http://a:1,nope" }, /OLZK_AWAY_31337_RPC_URL\[1\] is not a valid URL/],
    [{ ...base, away: [{ ...base.away[0], remoteSigner: { url: "http://127.0.0.1:9000", address: ADDRESS } }] }, env, /either a signer key or a remote signer, not both/],
    [{ ...base, away: [{ ...base.away[0], signerKeyEnv: undefined, remoteSigner: { url: "http://127.0.0.1:9000" } }] }, env, /remoteSigner.address is required/],
    [{ ...base, away: [{ ...base.away[0], signerKeyEnv: undefined, remoteSigner: { url: "http://127.0.0.1:9000", address: "0x1234" } }] }, env, /remoteSigner.address must be an address/],
    [{ ...base, away: [{ ...base.away[0], signerKeyEnv: undefined, remoteSigner: { address: ADDRESS } }] }, env, /remoteSigner.url is required/],
    [{ ...base, away: [{ ...base.away[0], signerKeyEnv: undefined, remoteSigner: { url: "http://x:1", address: ADDRESS, key: "k" } }] }, env, /unknown key 'away\[0\].remoteSigner.key'/],
    [{ ...base, away: [{ ...base.away[0], signerKeyEnv: undefined }] }, env, /a signer is required/],
    [{ ...base, away: [{ ...base.away[0], fees: { capGwei: "lots" } }] }, env, /fees.capGwei must be an amount in gwei/],
    [{ ...base, away: [{ ...base.away[0], fees: { capGwei: 0 } }] }, env, /fees.capGwei must be above 0/],
    [{ ...base, away: [{ ...base.away[0], fees: { bumpPercent: 5 } }] }, env, /fees.bumpPercent must be a whole number between 10 and 1000/],
    [{ ...base, away: [{ ...base.away[0], fees: { capGwei: 1, minPriorityFeeGwei: 2 } }] }, env, /minPriorityFeeGwei is above the fee cap/],
    [{ ...base, away: [{ ...base.away[0], fees: { cap: 1 } }] }, env, /unknown key 'away\[0\].fees.cap'/],
    [{ ...base, startupTimeoutMs: -1 }, env, /startupTimeoutMs must be a whole number/],
    [{ ...base, workerId: "a/b" }, env, /workerId must be 1 to 100 letters/],
    [{ ...base, proverConcurrency: 0 }, env, /proverConcurrency must be a whole number between 1 and 16/],
    [{ ...base, retry: { baseMs: 5_000, maxMs: 1_000 } }, env, /retry.maxMs \(1000\) must be at least retry.baseMs/],
    [{ ...base, retry: { max: 1 } }, env, /unknown key 'retry.max'/],
    [{ ...base, health: { maxJobAgeMs: "long" } }, env, /health.maxJobAgeMs must be a whole number/],
    [{ ...base, away: [{ ...base.away[0], minBalanceEth: "lots" }] }, env, /minBalanceEth must be an amount in ether/],
  ])("rejects bad input with one clear line (%#)", (raw, e, msg) => {
    let err: unknown;
    try {
      resolveConfig(raw, e as Record<string, string>, "/tmp");
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain("\n");
  });

  it("reports unreadable or invalid files, and the CLI turns config errors into a UserError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "olzk-cfg-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    expect(() => loadConfig(join(dir, "missing.json"), env)).toThrow(/cannot read config file .*ENOENT/);
    expect(() => loadConfig(bad, env)).toThrow(/is not valid JSON/);
    await expect(run(["--config", bad])).rejects.toBeInstanceOf(UserError);
    await expect(run(["--role", "boss"])).rejects.toThrow(/--role must be all, planner or worker/);
  });
});

describe("the prover's network", () => {
  it("is local only when every Away chain is a local dev chain, so insecure (dev-ptau) artifacts never prove for a public chain", () => {
    const away = (ids: number[]) => ({ away: resolveConfig({ ...base, away: ids.map((chainId) => ({ ...base.away[0]!, chainId })) }, env).away });
    expect(proverNetwork(away([31337]))).toBe("local");
    expect(proverNetwork(away([31337, 1337]))).toBe("local");
    expect(proverNetwork(away([31337, 1]))).toBe("chain-1");
  });
});
