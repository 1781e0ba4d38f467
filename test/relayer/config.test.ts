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

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
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
      metrics: null, leaseMs: 60_000, concurrency: 1, logLevel: "info",
    });
    expect(c.away[0]).toMatchObject({ name: "31337", chainId: 31337, addressesFile: "/etc/olzk/away.json", signerKey: KEY, signerKeySource: "RELAYER_KEY", confirmations: 1 });
  });

  it("lets environment variables override the file, and define chains on their own", () => {
    const c = resolveConfig(base, {
      ...env,
      OLZK_RELAYER_HOME_URL: "http://127.0.0.1:9000/",
      OLZK_RELAYER_DATABASE: "postgres://u@127.0.0.1:5432/olzk",
      OLZK_RELAYER_POLL_MS: "500",
      OLZK_RELAYER_METRICS_PORT: "0",
      OLZK_AWAY_31337_CONFIRMATIONS: "3",
      OLZK_AWAY_31337_RPC_URL: "http://127.0.0.1:9545",
      OLZK_RELAYER_AWAY_CHAINS: "31337,10",
      OLZK_AWAY_10_RPC_URL: "http://127.0.0.1:9546",
      OLZK_AWAY_10_ADDRESSES: "/x/op.json",
      OLZK_AWAY_10_SIGNER_KEY: KEY.slice(2),
    });
    expect(c.homeUrl).toBe("http://127.0.0.1:9000");
    expect(c.database).toBe("postgres://u@127.0.0.1:5432/olzk");
    expect(c.pollIntervalMs).toBe(500);
    expect(c.metrics).toEqual({ host: "127.0.0.1", port: 0 });
    expect(c.away.map((a) => [a.chainId, a.rpcUrl, a.confirmations])).toEqual([
      [31337, "http://127.0.0.1:9545", 3],
      [10, "http://127.0.0.1:9546", 1],
    ]);
    expect(c.away[1]!.signerKey).toBe(KEY);
    expect(c.away[1]!.signerKeySource).toBe("OLZK_AWAY_10_SIGNER_KEY");
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
