// `olzk relay` refuses to start on a configuration the Away chain contradicts: an RPC serving
// another chain id than the config's, an addresses file for another chain, no RPC answering
// within the startup timeout (it waits that long for a node starting beside it, then exits 1);
// `--print-config` names each chain's signer by address and never shows a key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "../../relayer/cli.ts";
import { startEdrRpc, type EdrRpc, type Endpoint } from "./edr-rpc.ts";
import { relayCli } from "./relay-process.ts";
import { startSignerServer } from "./signer-server.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const dir = mkdtempSync(join(tmpdir(), "olzk-startup-"));
let rpc: EdrRpc;
let dead: Endpoint;

beforeAll(async () => {
  rpc = await startEdrRpc();
  dead = await rpc.endpoint();
  await dead.setFault("refuse"); // a URL nothing listens on
});
afterAll(async () => {
  await rpc?.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Write a config (and an addresses file for `addressesChainId`) and return its path. */
function configFile(chain: Record<string, unknown>, extra: Record<string, unknown> = {}, addressesChainId = chain.chainId): string {
  const i = ++n;
  const addresses = join(dir, `addresses-${i}.json`);
  writeFileSync(addresses, JSON.stringify({ chainId: addressesChainId, lightClient: `0x${"11".repeat(20)}`, settlement: `0x${"22".repeat(20)}` }));
  const file = join(dir, `relayer-${i}.json`);
  writeFileSync(file, JSON.stringify({
    homeUrl: "http://127.0.0.1:1", dataDir: join(dir, `data-${i}`), logLevel: "info",
    away: [{ name: "local", addressesFile: addresses, signerKeyEnv: "K", ...chain }], ...extra,
  }));
  return file;
}

const lastLine = (s: string) => s.trim().split("\n").at(-1)!;
/** The child's JSON log lines with this message. */
const logged = (out: string, msg: string) =>
  out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe("olzk relay startup", () => {
  it("refuses a chain id the node does not have, although config and addresses file agree on it (exit 2, one line)", async () => {
    const c = relayCli(["--config", configFile({ chainId: 31338, rpcUrls: [rpc.url] })], { K: KEY });
    expect(await c.exited).toBe(2);
    expect(lastLine(c.output())).toBe(`olzk relay: config: Away chain local (31338): ${rpc.url} serves chainId 31337, but the config says chainId 31338`);
  });

  it("refuses a failover URL that serves another chain, even when the first URL is right", async () => {
    const { network } = await import("hardhat");
    const other = await network.connect({ override: { chainId: 5 } } as never); // a second node, on chain 5
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (ch) => (body += ch));
      req.on("end", async () => {
        const m = JSON.parse(body);
        const result = await other.provider.request({ method: m.method, params: m.params });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: m.id, result }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const c = relayCli(["--config", configFile({ chainId: 31337, rpcUrls: [rpc.url, url] })], { K: KEY });
      expect(await c.exited).toBe(2);
      expect(lastLine(c.output())).toBe(`olzk relay: config: Away chain local (31337): ${url} serves chainId 5, but the config says chainId 31337`);
    } finally {
      server.closeAllConnections();
      server.close();
      await other.close?.();
    }
  });

  it("refuses an addresses file made for another chain (exit 2, one line)", async () => {
    const file = configFile({ chainId: 31337, rpcUrl: rpc.url }, {}, 1);
    const c = relayCli(["--config", file], { K: KEY });
    expect(await c.exited).toBe(2);
    expect(lastLine(c.output())).toMatch(/^olzk relay: config: addresses file '.*addresses-\d+\.json' is for chain 1, but the config says chainId 31337$/);
  });

  it("refuses to start when no RPC URL answers within the startup timeout, after retrying that long (exit 1)", async () => {
    const t0 = Date.now();
    const c = relayCli(["--config", configFile({ chainId: 31337, rpcUrls: [dead.url] }, { startupTimeoutMs: 1500 })], { K: KEY });
    expect(await c.exited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(lastLine(c.output())).toBe(`olzk relay: Away chain local (31337) unreachable: no RPC URL answered eth_chainId within 2 s (${dead.url}: HTTP request failed. (ECONNREFUSED))`);
    expect(logged(c.output(), "Away RPC unreachable at start; retrying").length).toBeGreaterThan(1); // it did retry, and said so
  });

  it("starts once a node that was down at first answers within the startup timeout, and skips a dead URL it has in its list", async () => {
    const late = await rpc.endpoint();
    await late.setFault("refuse");
    const c = relayCli(["--config", configFile({ chainId: 31337, rpcUrls: [late.url, dead.url] }, { startupTimeoutMs: 60_000 })], { K: KEY });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(c.proc.exitCode).toBeNull(); // still waiting
      await late.setFault("none");
      for (const t0 = Date.now(); !c.output().includes('"msg":"relayer started"'); ) {
        if (Date.now() - t0 > 60_000 || c.proc.exitCode !== null) throw new Error(`relayer did not start:\n${c.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(logged(c.output(), "Away RPC URL unreachable at start; it is checked when it answers")).toMatchObject([{ level: "warn", chain: "local (31337)", url: dead.url }]);
      const [ready] = logged(c.output(), "Away chain ready");
      expect(ready).toMatchObject({ chainId: 31337, rpc: late.url, signer: ADDRESS, signerKind: "key", nonce: 0 });
      expect(BigInt(ready!.balanceWei as string)).toBeGreaterThan(0n); // the account to fund, and what it holds
      c.proc.kill("SIGTERM");
      expect(await c.exited).toBe(0);
    } finally {
      c.proc.kill("SIGKILL");
      await late.close();
    }
  });

  it("refuses a remote signer that does not hold the configured account (exit 2), or does not answer (exit 1)", async () => {
    const signer = await startSignerServer(KEY);
    const other = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // hardhat #2, not the signer's
    try {
      const wrong = relayCli(["--config", configFile({ chainId: 31337, rpcUrl: rpc.url, signerKeyEnv: undefined, remoteSigner: { url: signer.url, address: other } })]);
      expect(await wrong.exited).toBe(2);
      expect(lastLine(wrong.output())).toBe(`olzk relay: config: Away chain local (31337): remote signer ${signer.url} does not hold account ${other} (it has ${ADDRESS.toLowerCase()})`);
    } finally {
      await signer.close();
    }
    const gone = relayCli(["--config", configFile({ chainId: 31337, rpcUrl: rpc.url, signerKeyEnv: undefined, remoteSigner: { url: dead.url, address: ADDRESS } }, { startupTimeoutMs: 1000 })]);
    expect(await gone.exited).toBe(1);
    expect(lastLine(gone.output())).toBe(`olzk relay: Away chain local (31337): remote signer ${dead.url} unreachable: HTTP request failed. (ECONNREFUSED)`);
    expect(logged(gone.output(), "remote signer unreachable at start; retrying").length).toBeGreaterThan(0);
  });

  it("--print-config shows each signer's address and where it signs, never a key", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
    const prev = process.env.K;
    process.env.K = KEY;
    try {
      const file = configFile({ chainId: 31337, rpcUrls: [rpc.url, dead.url], fees: { capGwei: 0.5 } });
      expect(await run(["--config", file, "--print-config"])).toBe(0);
      const remote = configFile({ chainId: 31337, rpcUrl: rpc.url, signerKeyEnv: undefined, remoteSigner: { url: "http://127.0.0.1:9000", address: ADDRESS } });
      expect(await run(["--config", remote, "--print-config"])).toBe(0);
    } finally {
      spy.mockRestore();
      if (prev === undefined) delete process.env.K;
      else process.env.K = prev;
    }
    expect(out.join("\n")).not.toContain(KEY.slice(2));
    const [keyed, remote] = out.map((s) => JSON.parse(s));
    expect(keyed.away[0]).toMatchObject({
      rpcUrls: [rpc.url, dead.url], signer: { kind: "key", address: ADDRESS, key: "<redacted, from K>" }, fees: { capGwei: "0.5", bumpAfterMs: 30_000 },
    });
    expect(remote.away[0].signer).toEqual({ kind: "remote", address: ADDRESS, url: "http://127.0.0.1:9000" });
  });
});
