// Persistence: `olzk devnet` in a child process is killed with SIGKILL and restarted on the
// same data directory; the chain continues (same history, linked headers, acknowledged
// actions kept). Also: a clean SIGTERM shutdown and refusing a data dir of another chain.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keccak256, toHex } from "viem";
import { HomeClient } from "../../../home/api/index.ts";
import { KIND_LOCKUP } from "../../../home/model/index.ts";
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

const lock = (home: HomeClient, n: number) =>
  home.act("lock", {
    owner: keccak256(toHex(`owner${n}`)),
    borrower: "0x3333333333333333333333333333333333333333",
    creditAsset: "0x4444444444444444444444444444444444444444",
    collateral: BigInt(1000 + n),
    expiry: Math.floor(Date.now() / 1000) + 3600,
  });
async function waitHeight(home: HomeClient, h: bigint): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await home.status()).height >= h) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`height ${h} not reached`);
}

describe("devnet persistence", () => {
  it("continues the same chain after SIGKILL, keeping acknowledged actions", async () => {
    const flags = ["--block-ms", "150", "--epoch-blocks", "4", "--seed", "restart-test"];
    const a = await startDevnetProcess(flags);
    const homeA = new HomeClient(a.url);
    const first = await lock(homeA, 1);
    expect(first.result.lockId).toBe(1n);
    await waitHeight(homeA, 6n);
    const second = await lock(homeA, 2); // acknowledged, maybe not sealed when killed
    expect(second.result.lockId).toBe(2n);
    const before = await homeA.headers(0n, 5n);
    a.child.kill("SIGKILL");
    expect(await a.exited).toBeNull();

    const b = await startDevnetProcess(flags);
    const homeB = new HomeClient(b.url);
    try {
      const again = await homeB.headers(0n, 5n);
      expect(again.headers.map((h) => h.headerHash)).toEqual(before.headers.map((h) => h.headerHash));
      const lastBefore = (await homeB.status()).height;
      expect(lastBefore).toBeGreaterThanOrEqual(6n);
      await waitHeight(homeB, lastBefore + 2n);
      const chain = await homeB.headers(lastBefore - 1n, lastBefore + 2n);
      for (let i = 1; i < chain.headers.length; i++) {
        expect(chain.headers[i]!.signedHeader.header.parentHash).toBe(chain.headers[i - 1]!.headerHash);
      }
      // Both locks survived; the second is in the state tree; ids continue.
      const proof = await homeB.stateProof(KIND_LOCKUP, 2n);
      expect(proof.proof.included).toBe(true);
      expect(proof.kind === KIND_LOCKUP && proof.payload?.creditLimit).toBe(BigInt(Math.floor((1002 * 100) / 130)));
      expect((await lock(homeB, 3)).result.lockId).toBe(3n);
      expect(await homeB.lockups()).toHaveLength(3);
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
