// Persistence: `olzk devnet` in a child process is killed with SIGKILL and restarted on the
// same data directory; the chain continues (same history, linked headers, acknowledged
// actions kept). Also: a clean SIGTERM shutdown and refusing a data dir of another chain.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keccak256, toHex } from "viem";
import { spawnDevnet, type SpawnedDevnet } from "../../../home/devnet/spawn.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig } from "../../../home/devnet/config.ts";

const dataDir = mkdtempSync(join(tmpdir(), "olzk-devnet-restart-"));
const children: SpawnedDevnet[] = [];

afterAll(async () => {
  for (const c of children) await c.stop("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDevnetProcess(args: string[]): Promise<SpawnedDevnet> {
  const d = await spawnDevnet(["--data-dir", dataDir, "--port", "0", "--quiet", ...args]);
  children.push(d);
  return d;
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  return res.json();
}
const lock = (url: string, n: number) =>
  json(`${url}/actions/lock`, {
    method: "POST",
    body: JSON.stringify({
      owner: keccak256(toHex(`owner${n}`)),
      borrower: "0x3333333333333333333333333333333333333333",
      creditAsset: "0x4444444444444444444444444444444444444444",
      collateral: String(1000 + n),
      expiry: Math.floor(Date.now() / 1000) + 3600,
    }),
  });
async function waitHeight(url: string, h: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (Number((await json(`${url}/status`)).height) >= h) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`height ${h} not reached`);
}

describe("devnet persistence", () => {
  it("continues the same chain after SIGKILL, keeping acknowledged actions", async () => {
    const flags = ["--block-ms", "150", "--epoch-blocks", "4", "--seed", "restart-test"];
    const a = await startDevnetProcess(flags);
    const first = await lock(a.url, 1);
    expect(first.result.lockId).toBe("1");
    await waitHeight(a.url, 6);
    const second = await lock(a.url, 2); // acknowledged, maybe not sealed when killed
    expect(second.result.lockId).toBe("2");
    const before = await json(`${a.url}/headers?from=0&to=5`);
    a.child.kill("SIGKILL");
    expect(await a.exited).toBeNull();

    const b = await startDevnetProcess(flags);
    try {
      const again = await json(`${b.url}/headers?from=0&to=5`);
      expect(again.headers.map((h: any) => h.headerHash)).toEqual(before.headers.map((h: any) => h.headerHash));
      const lastBefore = Number((await json(`${b.url}/status`)).height);
      expect(lastBefore).toBeGreaterThanOrEqual(6);
      await waitHeight(b.url, lastBefore + 2);
      const chain = await json(`${b.url}/headers?from=${lastBefore - 1}&to=${lastBefore + 2}`);
      for (let i = 1; i < chain.headers.length; i++) {
        expect(chain.headers[i].signedHeader.header.parentHash).toBe(chain.headers[i - 1].headerHash);
      }
      // Both locks survived; the second is in the state tree; ids continue.
      const proof = await json(`${b.url}/state/proof?kind=1&id=2`);
      expect(proof.included).toBe(true);
      expect(proof.payload.creditLimit).toBe(String(Math.floor(((1002 * 100) / 130))));
      expect((await lock(b.url, 3)).result.lockId).toBe("3");
      expect((await json(`${b.url}/lockups`)).lockups).toHaveLength(3);
      // One devnet per data directory.
      expect(() => DevnetChain.open(resolveConfig({ dataDir, seed: "restart-test", epochBlocks: 4 }))).toThrow(/in use by another devnet \(pid/);

      b.child.kill("SIGTERM");
      expect(await b.exited).toBe(0);
      expect(b.output()).toMatch(/SIGTERM, shutting down[\s\S]*stopped/);
    } finally {
      if (b.child.exitCode === null) b.child.kill("SIGKILL");
    }
  });

  it("refuses to continue a data directory with a different seed", async () => {
    const err = await startDevnetProcess(["--seed", "another-seed", "--block-ms", "150", "--epoch-blocks", "4"]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/exited with 2/);
    expect(err).toMatch(/created with seed = restart-test, not another-seed/);
  });
});
