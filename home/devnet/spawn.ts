// Runs `olzk devnet` as a child process and resolves once it prints its URL (cli/spawn.ts).
// For end-to-end tests and tools that want the devnet out of process, e.g. to kill and restart it.
import { spawnServer, type SpawnedServer, type SpawnOptions } from "../../cli/spawn.ts";

export type SpawnedDevnet = SpawnedServer;

/** Starts `olzk devnet <args>`; add `--port 0` to get a free port. Rejects if it exits or times out first. */
export function spawnDevnet(args: string[], opts: SpawnOptions = {}): Promise<SpawnedDevnet> {
  return spawnServer(["devnet", ...args], opts);
}
