// The relayer learns of a new Home block when it is sealed, not at its next poll: with a poll
// interval of 10 s, the rotation job of an epoch that ended is planned well within one interval
// of the next epoch's first block (the planner long-polls GET /status/next), and closing the relayer
// does not wait for the open long-poll. Against a Home without that route (404), the planner
// falls back to polling every pollIntervalMs and still plans. Real stack: EDR Away chain with
// the contracts, the Home devnet over HTTP, the relayer service (planning only, no proofs).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { resolveConfig } from "../../relayer/config.ts";
import { createLogger } from "../../relayer/log.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { until } from "../fixtures/until.ts";
import { startAwayStack } from "./away-chain.ts";
import type { EdrRpc } from "./edr-rpc.ts";

const RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const EPOCH_BLOCKS = 10n; // the devnet's default: epoch e ends at height (e+1)*10 - 1

let rpc: EdrRpc;
let dn: RunningDevnet;
let oldHome: Server | undefined;
const dir = mkdtempSync(join(tmpdir(), "olzk-long-poll-"));
const logLines: string[] = [];
const log = createLogger({ level: "debug", write: (line) => logLines.push(line) });

beforeAll(async () => {
  ({ rpc, dn } = await startAwayStack(join(dir, "addresses.json")));
}, 240_000);

afterAll(async () => {
  await new Promise<void>((r) => (oldHome ? oldHome.close(() => r()) : r()));
  await dn?.close();
  await rpc?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function planner(homeUrl: string, name: string, pollIntervalMs: number): Promise<{ relayer: Relayer; planned: Map<string, number> }> {
  const planned = new Map<string, number>();
  const config = resolveConfig(
    {
      homeUrl, dataDir: join(dir, name), pollIntervalMs, metrics: { enabled: false }, logLevel: "debug",
      away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "LP_KEY" }],
    },
    { LP_KEY: RELAYER_KEY },
  );
  const relayer = await startRelayer(config, {
    log, work: false,
    onEvent: (e) => {
      if (e.type === "planned") for (const k of e.keys) if (!planned.has(k)) planned.set(k, Date.now());
    },
  });
  return { relayer, planned };
}

/** Seals blocks through the last one of epoch `e` and returns its height: the next block starts epoch e+1, which plans e's rotation. */
function sealThroughEpoch(e: bigint): bigint {
  const last = (e + 1n) * EPOCH_BLOCKS - 1n;
  while (dn.chain.latest.header.height < last) dn.chain.produceBlock();
  return last;
}

describe("the planner wakes on each new Home block", () => {
  it("plans an epoch's rotation well within one poll interval of the next epoch's first block, and closes without waiting for the long-poll", async () => {
    const POLL = 10_000;
    const last = sealThroughEpoch(0n);
    const { relayer, planned } = await planner(dn.url, "wake", POLL);
    try {
      await until("the first poll", () => relayer.lastViews().home?.latestHeight === last, { timeoutMs: 30_000, everyMs: 20 });
      await new Promise((r) => setTimeout(r, 500)); // the planner is now holding GET /status/next
      expect(planned.has("rotation:31337:0")).toBe(false);
      const sealedAt = Date.now();
      expect(dn.chain.produceBlock().header.epoch).toBe(1n);
      await until("the rotation to be planned", () => planned.has("rotation:31337:0"), { timeoutMs: POLL * 2, everyMs: 20 });
      const tookMs = planned.get("rotation:31337:0")! - sealedAt;
      console.log(`rotation planned ${tookMs} ms after the next epoch's first block (poll interval ${POLL} ms)`);
      expect(tookMs).toBeLessThan(POLL / 5);
    } finally {
      const closing = Date.now();
      await relayer.close();
      const closeMs = Date.now() - closing;
      expect(closeMs).toBeLessThan(POLL / 5);
    }
  }, 120_000);

  it("falls back to polling every pollIntervalMs when Home has no GET /status/next", async () => {
    // a Home from before the route: everything else is passed through to the devnet
    oldHome = createServer(async (req, res) => {
      if (req.url?.startsWith("/status/next")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no route /status/next`, code: "unknown-route" }));
        return;
      }
      const r = await fetch(dn.url + req.url, { headers: { accept: String(req.headers.accept ?? "application/json") } });
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" }).end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise<void>((r) => oldHome!.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(oldHome.address() as AddressInfo).port}`;
    const last = sealThroughEpoch(1n);
    const { relayer, planned } = await planner(url, "fallback", 500);
    try {
      await until("the first poll", () => relayer.lastViews().home?.latestHeight === last, { timeoutMs: 30_000, everyMs: 20 });
      dn.chain.produceBlock();
      await until("the rotation to be planned by polling", () => planned.has("rotation:31337:1"), { timeoutMs: 30_000, everyMs: 20 });
      expect(logLines.filter((l) => l.includes("no GET /status/next"))).toHaveLength(1);
    } finally {
      await relayer.close();
    }
  }, 120_000);
});
