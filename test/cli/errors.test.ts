// Every CLI run as a process (bin/olzk.mjs, as an operator runs it): `--help` on each command
// exits 0 with its usage; an unexpected error (thrown by the command, or by a timer or event
// handler while it runs) prints exactly one line on stderr, never a stack trace, and exits 3,
// the code no other outcome uses (0 done, 1 negative answer, 2 user mistake).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const OLZK = join(ROOT, "bin", "olzk.mjs");
/** The project's Node 22 (bin/olzk.mjs re-runs itself with it; with --import we start it directly). */
const NODE22 = join(ROOT, "node_modules", ".bin", "node");
const STRAY = join(ROOT, "test", "fixtures", "stray-error.mjs");
const dir = mkdtempSync(join(tmpdir(), "olzk-cli-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `node <args>`; `untilOut` sends SIGUSR2 once stdout matches it. */
function run(node: string, args: string[], opts: { env?: NodeJS.ProcessEnv; untilOut?: RegExp } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: ROOT, env: { ...process.env, OLZK_DEBUG: "", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let signalled = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (opts.untilOut && !signalled && opts.untilOut.test(out)) {
        signalled = true;
        child.kill("SIGUSR2");
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const olzk = (args: string[], env?: NodeJS.ProcessEnv) => run(process.execPath, [OLZK, ...args], { env });

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const ONE_LINE = /^[^\n]+\n$/;

describe("olzk CLIs as processes", () => {
  it.each([
    [[], /^olzk: /],
    [["devnet"], /^olzk devnet: /],
    [["relay", "jobs"], /^olzk relay jobs: /],
    [["relay", "requeue"], /^olzk relay requeue: /],
    [["verify"], /^olzk verify: /],
    [["verify", "proof"], /^olzk verify proof: /],
  ])("olzk %s --help exits 0 with its usage", async (argv, first) => {
    const r = await olzk([...argv, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(first);
    expect(r.out).toMatch(/\nUsage: olzk /);
    expect(r.err).toBe("");
  }, 120_000);

  it("the relayer's ops CLI: a store that cannot be reached is one line and exit 3", async () => {
    const r = await olzk(["relay", "jobs"], { OLZK_RELAYER_DATABASE: `postgres://olzk@127.0.0.1:${await closedPort()}/olzk` });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(ONE_LINE);
    expect(r.err).toMatch(/^olzk relay: unexpected error: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(OLZK_DEBUG=1 prints the stack\)\n$/);
    expect(r.out).toBe("");
  }, 120_000);

  it("the devnet CLI: a data directory that cannot be made is one line and exit 3", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const r = await olzk(["devnet", "--data-dir", join(file, "data"), "--port", "0"]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(ONE_LINE);
    expect(r.err).toMatch(/^olzk devnet: unexpected error: ENOTDIR: not a directory, mkdir '.*a-file\/data'/);
  }, 120_000);

  // Before bin/olzk.mjs reported stray errors, both printed Node's stack trace and exited 1.
  it.each([
    [["devnet", "--memory", "--port", "0", "--block-ms", "0"], /serving http/, "olzk devnet"],
    [["verify", "serve", "--port", "0"], /serving http/, "olzk verify"],
  ])("olzk %s: an error thrown by an event handler while it runs is one line and exit 3", async (argv, ready, who) => {
    const r = await run(NODE22, ["--import", STRAY, OLZK, ...argv], { untilOut: ready });
    expect(r.code).toBe(3);
    expect(r.err).toBe(`${who}: unexpected error: stray failure (OLZK_DEBUG=1 prints the stack)\n`);
  }, 120_000);
});
