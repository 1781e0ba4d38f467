// Test helper: run `olzk relay` (or the fake-Home relayer fixture) as a child process with a
// chosen environment, collecting its output, and wait for it to exit.
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const NODE = join(ROOT, "node_modules/.bin/node");

export interface Child {
  proc: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** The environment a child gets: PATH and HOME only, plus `env` (no inherited keys or OLZK_ settings). */
export function cleanEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env };
}

function start(args: string[], env: Record<string, string>): Child {
  const proc = spawn(NODE, args, { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return { proc, output: () => out, exited };
}

/** `olzk relay <args>`. */
export function relayCli(args: string[], env: Record<string, string> = {}): Child {
  return start([join(ROOT, "bin/olzk.mjs"), "relay", ...args], env);
}

/** The relayer service with a fake Home and prover (fixtures/fake-home-relayer.ts) for `specFile`. */
export function fakeHomeRelayer(specFile: string, env: Record<string, string> = {}): Child {
  return start(["--import", "tsx", join(ROOT, "test/relayer/fixtures/fake-home-relayer.ts"), specFile], env);
}
