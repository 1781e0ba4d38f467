// End-to-end test of the main job exactly as a user runs it: `olzk start --once` as a child
// process (two Hardhat nodes as two Away chains, the contracts on each, Home devnet, one relayer,
// real proofs), then the one-line JSON summary it prints last is checked against the reference
// lending numbers (mode 1 settled on one chain, mode 2 on the other, both backed by one collateral
// account, and the circuit breaker's SOFT excursion around the scripted price drop), and
// every reply the Home API gave during the run (recorded with --record-home-api) is re-read with
// the schema it was encoded with (the typed client and the server agree on the wire).
// Epochs are made long enough that no rotation falls inside the run, so each settlement's header
// is in the light client's epoch and not on Away yet: the relayer carries it in the settle
// transaction (one HeaderSettlement proof, one settleWithHeader) and plans no header job. With
// the default 30-block epochs, whether a rotation comes first depends on timing (then the settle
// job still carries its header, proved while the rotation is mined and sent after it); that path
// is tested in test/relayer/one-tx.test.ts, e2e.test.ts and crash.test.ts.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../circuits/build.ts";
import type { RecordedReply } from "../../home/devnet/index.ts";
import { checkRecordedReply } from "../home/api/recorded.ts";

const dir = mkdtempSync(join(tmpdir(), "olzk-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runStart(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "olzk.mjs"), "start", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const USDC = (n: bigint) => n * 10n ** 6n;
const WETH = 10n ** 18n;
const delta = (b: { before: string; after: string }) => BigInt(b.after) - BigInt(b.before);

describe("npm start -- --once", () => {
  it("settles mode 1 on one Away chain and mode 2 on the other, backed by one collateral account, through a volatility spike, and prints a JSON summary last", async () => {
    const recorded = join(dir, "home-api.jsonl");
    const r = await runStart(["--once", "--home-port", "0", "--away-port", "0", "--epoch-blocks", "1000", "--data-dir", join(dir, "run"), "--record-home-api", recorded]);
    expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]!);
    expect(summary.ok).toBe(true);

    // One collateral account backed a lockup on each Away chain; its credit was summed across them
    // ($301,000), and the receipts released both, leaving only the lockup opened after the spike.
    expect(summary.account.lockups.map((l: { chainId: number; creditLimit: string }) => [l.chainId, BigInt(l.creditLimit)])).toEqual([[31337, USDC(200_000n)], [1337, USDC(101_000n)]]);
    expect(BigInt(summary.account.openCreditValue.opened)).toBe(301_000n * 10n ** 18n);
    expect(BigInt(summary.account.openCreditValue.end)).toBe(20_000n * 10n ** 18n);
    const [lockA, lockB] = summary.account.lockups.map((l: { lockId: string }) => l.lockId);
    expect(summary.account.status).toEqual({ [lockA]: "released", [lockB]: "released", [summary.risk.acceptedAfter]: "open" });
    // The 5% LIBRA drop moved the breaker NORMAL -> SOFT (175%), a 20,000 USDC lockup was refused for the account, and NORMAL came back.
    expect([summary.risk.before.breaker, summary.risk.soft.breaker, summary.risk.after.breaker]).toEqual(["NORMAL", "SOFT", "NORMAL"]);
    expect(summary.risk.soft.ratioBps).toBe(17_500);
    expect(Number(summary.risk.soft.tick)).toBeGreaterThanOrEqual(summary.risk.spikeTick);
    expect(summary.risk.refusedWith).toBe("insufficient-collateral");
    expect(r.stdout).toMatch(/Home refused a new 20,000 USDC lockup \(insufficient-collateral\): lockup refused: account 1 /);

    // Mode 1 (reference: 100 ETH at 1,990 USDC, LP at 0.10%): the LP's 199,000 USDC become 199,199.
    const m1 = summary.mode1.balances;
    expect(BigInt(m1["LP Carol capital USDC"].after)).toBe(USDC(199_199n));
    expect(delta(m1["auctioneer USDC"])).toBe(USDC(199_000n));
    // The market maker sold the 100 WETH at 2,000 inside its callback and kept the spread.
    expect(delta(m1["market maker USDC"])).toBe(USDC(200_000n - 199_199n));
    expect(delta(m1["settlement contract USDC"])).toBe(0n);
    expect(summary.mode1.collateralStatus).toBe("released");

    // Mode 2 (reference: 100,000 USDC at 0.0005 ETH/USDC, LP at 0.15%): the LP is repaid 50.075 WETH.
    const m2 = summary.mode2.balances;
    expect(delta(m2["LP Alice capital WETH"])).toBe((50_075n * WETH) / 1000n);
    expect(delta(m2["LP Alice capital USDC"])).toBe(-USDC(100_000n));
    expect(delta(m2["MM1 USDC"])).toBe(USDC(50_000n));
    expect(delta(m2["MM2 WETH"])).toBe(-25n * WETH);
    expect(delta(m2["user WETH"])).toBe(-(75n * WETH) / 1000n);
    expect(summary.mode2.collateralStatus).toBe("released");

    // The refused attack: a self-bid for 1 wei against LP Carol's own WETH limit; her 199,199 USDC stay.
    expect(summary.attack.refusedWith).toBe("PriceBelowLpLimit");
    expect(summary.attack.lpCapitalAfter).toBe(summary.attack.lpCapitalBefore);
    expect(BigInt(summary.attack.lpCapitalBefore)).toBe(USDC(199_199n));
    expect(r.stdout).toContain("== Attack on away-a (chainId 31337): a self-bid against LP Carol, refused by her own price limit ==");

    for (const m of [summary.mode1, summary.mode2]) {
      expect(m.settleTx).toMatch(/^0x[0-9a-f]{64}$/);
      expect(Number(m.settleGas)).toBeGreaterThan(100_000);
      expect(m.latencySeconds).toBeGreaterThan(0);
    }
    // Each settlement carried its header: one proof, one transaction, read from its receipt
    // (HeaderSubmitted) and printed as such; no header or rotation job was proved or mined.
    for (const m of [summary.mode1, summary.mode2]) {
      expect(m.headerCarried).toBe(true);
      const key = `settle:${m.chainId}:${m.auctionId}`;
      expect(r.stdout).toMatch(new RegExp(`\\[relayer\\] proved ${key} with its header \\(one HeaderSettlement proof\\) in \\d+\\.\\d s`));
      expect(r.stdout).toContain(`[relayer] ${key} done (mined, gas ${m.settleGas}, header carried: settleWithHeader, one transaction)`);
      expect(r.stdout).toContain(`[${m.chain} ${m.chainId}] settled in tx ${m.settleTx} (gas ${m.settleGas}, header carried in the same transaction)`);
    }
    // One relayer settled on both Away chains: mode 1 on away-a, mode 2 on away-b.
    expect([summary.mode1.chainId, summary.mode2.chainId]).toEqual([31337, 1337]);
    expect(Object.keys(summary.relayerGas).sort()).toEqual([`settle:31337:${summary.mode1.auctionId}`, `settle:1337:${summary.mode2.auctionId}`].sort());
    expect(r.stdout).not.toMatch(/\[relayer\] proved (header|rotation):/);
    // Deployed anchored on both Away chains: the genesis set is the one the devnet's Open Libra validators vouched for (no epoch ends in this run)
    expect(summary.anchors.map((a: { chain: string; chainId: number }) => [a.chain, a.chainId])).toEqual([["away-a", 31337], ["away-b", 1337]]);
    for (const anchor of summary.anchors) {
      expect(anchor).toMatchObject({ openLibraEpoch: "0", lightClientEpoch: "0" });
      expect(anchor.openLibraLightClient).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(Object.keys(anchor.vouched)).toEqual(["0"]);
    }
    expect(r.stdout).toContain("== Anchored light clients: every attestation set vouched for by Open Libra's real validators, on each Away chain ==");
    // Progress was shown along the way.
    expect(r.stdout).toContain("== Mode 1");
    // Every Home API reply of the run (the main job's and the relayer's) reads back with its schema.
    const replies = readFileSync(recorded, "utf8").trim().split("\n").map((l): RecordedReply => JSON.parse(l));
    for (const reply of replies) checkRecordedReply(reply);
    const routes = new Set(replies.map((x) => (x.action ? `${x.route}:${x.action}` : x.ssz ? `${x.route}:ssz` : x.route)));
    for (const used of ["status", "auctions", "lockup", "risk", "account", "action:open-account", "stateProof", "settlementProof", "header", "header:ssz", "action:lock", "action:create-auction",
      "action:commit-bid", "action:ack-escrow", "action:reveal-bid", "action:clear-auction", "action:consume-receipt"]) {
      expect(routes, used).toContain(used);
    }
  }, 900_000);

  it("refuses a port that is already taken, before starting anything", async () => {
    const srv = createServer();
    const port = await new Promise<number>((res) => srv.listen(0, "127.0.0.1", () => res((srv.address() as AddressInfo).port)));
    try {
      const r = await runStart(["--away-port", String(port), "--data-dir", join(dir, "taken")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`olzk start: port ${port} on 127.0.0.1 is in use: stop what uses it or pass --away-port 0 for any free port`);
    } finally {
      srv.close();
    }
  });

  it("rejects a bad flag with one clear line", async () => {
    const r = await runStart(["--block-ms", "fast"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("olzk start: --block-ms must be a whole number, got 'fast'");
  });
});
