// Test helper: a throwaway PostgreSQL server on 127.0.0.1 in a temp dir. Installs the
// Debian `postgresql` package when no server binaries exist (CI machines start bare), and
// runs the server as an unprivileged user because postgres refuses to run as root.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PgServer {
  url: string;
  stop(): void;
}

function pgBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

function ensureInstalled(): string {
  let bin = pgBinDir();
  if (bin) return bin;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update"], { stdio: "inherit", env });
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], { stdio: "inherit", env });
  bin = pgBinDir();
  if (r.status !== 0 || !bin) throw new Error("could not install PostgreSQL (apt-get install -y postgresql)");
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function uidOf(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", user]).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function startPostgres(): Promise<PgServer> {
  const bin = ensureInstalled();
  const root = process.getuid?.() === 0;
  const user = root ? (uidOf("postgres") ? "postgres" : "nobody") : undefined;
  const dir = mkdtempSync(join(tmpdir(), "olzk-pg-"));
  const ids = user ? uidOf(user) : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, "data");
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const full = user ? ["runuser", ["-u", user, "--", join(bin, cmd), ...args]] as const : [join(bin, cmd), args] as const;
    const r = spawnSync(full[0], [...full[1]], { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const pw = join(dir, "pw");
  writeFileSync(pw, "test\n");
  if (ids) chownSync(pw, ids.uid, ids.gid);
  run("initdb", ["-D", data, "-U", "olzk", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  run("pg_ctl", [
    "-D", data, "-l", join(dir, "log"), "-w", "-t", "60",
    "-o", `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50`,
    "start",
  ]);
  let stopped = false;
  return {
    url: `postgres://olzk@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
