// Pick the job store from configuration: a `postgres://` / `postgresql://` URL selects the
// shared PostgreSQL store; anything else (default) is the embedded SQLite file in the data dir.
import { join } from "node:path";
import { PostgresJobStore } from "./postgres.ts";
import { SqliteJobStore } from "./sqlite.ts";
import type { Clock, JobStore } from "./types.ts";

export async function openJobStore(database: string | undefined, dataDir: string, clock?: Clock): Promise<JobStore> {
  if (database && /^postgres(ql)?:\/\//.test(database)) return PostgresJobStore.open(database, clock);
  const file = database && database !== "sqlite" ? database.replace(/^sqlite:(\/\/)?/, "") : join(dataDir, "relayer.sqlite");
  return new SqliteJobStore(file, clock);
}
