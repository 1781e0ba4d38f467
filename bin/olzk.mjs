#!/usr/bin/env node
// Entry point of the `olzk` CLI. The project ships its own Node 22 (npm package `node`),
// because Hardhat 3 needs Node >= 22.13; if we were started by an older Node, re-run
// ourselves with the project's binary so `olzk` works however it is invoked.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  const bundled = join(root, "node_modules", ".bin", "node");
  if (!existsSync(bundled)) {
    console.error(`olzk needs Node >= 22.13 (found ${process.versions.node}); run \`npm install\` first.`);
    process.exit(1);
  }
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // Forward termination signals so stopping this parent stops the real process too.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main, exitOnStrayErrors } = await import("../cli/main.ts");
  exitOnStrayErrors(process.argv.slice(2));
  process.exitCode = await main(process.argv.slice(2));
}
