// Runs an `olzk` command as a child process (the project's Node 22 directly, so signals reach
// the command itself) and resolves once it prints the URL it serves. For end-to-end tests and
// tools that want a server (`olzk devnet`, `olzk verify serve`) out of process, e.g. to kill
// and restart it.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM: clean shutdown) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  nodePath?: string;
}

/** Starts `olzk <argv>`; resolves with the URL of its first `serving http://...` line. Rejects if it exits or times out first. */
export function spawnServer(argv: string[], opts: SpawnOptions = {}): Promise<SpawnedServer> {
  const node = opts.nodePath ?? (Number(process.versions.node.split(".")[0]) >= 22 ? process.execPath : join(ROOT, "node_modules/.bin/node"));
  const name = `olzk ${argv[0] ?? ""}`.trim();
  const child = spawn(node, [join(ROOT, "bin/olzk.mjs"), ...argv], {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not print its URL within ${opts.timeoutMs ?? 60_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    const onData = () => {
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve({
        url: m[1]!,
        child,
        output: () => out,
        exited,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
}
