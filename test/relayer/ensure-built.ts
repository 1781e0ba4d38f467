// Test helper: the end-to-end relayer tests deploy the real contracts, so they need Hardhat's
// artifacts. Build them when missing (a fresh clone), one process at a time (mkdir lock).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { artifactPath } from "../../contracts/deploy/artifacts.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export async function ensureContractsBuilt(): Promise<void> {
  const ready = () => existsSync(artifactPath("AtomicSettlement.sol", "AtomicSettlement")) && existsSync(artifactPath("generated/SettlementVerifier.sol", "SettlementVerifier"));
  if (ready()) return;
  const lock = join(ROOT, "cache", ".relayer-test-build.lock");
  mkdirSync(join(ROOT, "cache"), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (ready()) return;
      if (i > 600) throw new Error(`waited 10 minutes for ${lock}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (ready()) return;
    const r = spawnSync(join(ROOT, "node_modules/.bin/hardhat"), ["build"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0 || !ready()) throw new Error("npx hardhat build failed");
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
