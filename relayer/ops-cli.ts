// Operator commands on the job store, safe while workers run (reads, and one fenced UPDATE):
//   olzk relay jobs [--state S,...] [--kind K] [--chain ID] [--json]   list jobs, oldest first
//   olzk relay requeue KEY                                            run a job again now
// Only the store's location is read from the config (`dataDir`, `database`, their env vars), so no
// signer key is needed to look at the queue.
import { parseCommand, UserError } from "../cli/args.ts";
import { ConfigError, loadStoreConfig } from "./config.ts";
import { causeLine, isJobKind, isJobState, JOB_KINDS, JOB_STATES, type Job, type JobKind, type JobState } from "./jobs.ts";
import { openJobStore } from "./store/open.ts";
import type { JobStore } from "./store/types.ts";

const common = {
  config: { type: "string", short: "c" },
} as const;

async function openStore(configFile: string | undefined): Promise<JobStore> {
  try {
    const { database, dataDir } = loadStoreConfig(configFile);
    return await openJobStore(database, dataDir);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(`config: ${e.message}`);
    throw e;
  }
}

const jobsSpec = {
  name: "relay jobs",
  summary: "list the relayer's jobs, oldest first (safe while workers run)",
  usage: "[--config relayer.json] [--state failed,expired] [--kind settle] [--chain 31337] [--json]",
  options: {
    ...common,
    state: { type: "string", short: "s" },
    kind: { type: "string", short: "k" },
    chain: { type: "string" },
    json: { type: "boolean" },
  },
  help: {
    config: "the relayer's config file (only dataDir and database are read; env OLZK_RELAYER_DATA_DIR / OLZK_RELAYER_DATABASE override)",
    state: `comma list of states: ${JOB_STATES.join(", ")}; "live" = every unfinished state`,
    kind: `one kind: ${JOB_KINDS.join(", ")}`,
    chain: "one Away chain id",
    json: "one JSON object per line (every field but the proof and raw transactions) instead of a table",
  },
} as const;

function statesFrom(raw: string | undefined): JobState[] | undefined {
  if (!raw) return undefined;
  const out: JobState[] = [];
  for (const s of raw.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (s === "live") out.push("pending", "claimed", "proving", "proved", "submitting", "submitted");
    else if (isJobState(s)) out.push(s);
    else throw new UserError(`--state: unknown state '${s}' (one of ${JOB_STATES.join(", ")}, live)`);
  }
  return out;
}

const age = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)}s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

/** A row for people: what it is, where it stands, and why it waits or stopped. */
function tableRow(j: Job, now: number): string[] {
  const waiting = j.notBefore > now ? `retry in ${age(j.notBefore - now)}` : "";
  const held = j.owner && (j.leaseUntil ?? 0) > now ? `held by ${j.owner}` : "";
  const last = j.causes.at(-1);
  return [j.key, j.state, String(j.attempts), age(now - j.createdAt), [held, waiting].filter(Boolean).join(", "), j.txHash ?? "", last ? causeLine(last) : (j.lastError ?? "")];
}

function printTable(rows: string[][]): void {
  const head = ["KEY", "STATE", "TRIES", "AGE", "NOW", "TX", "LAST CAUSE"];
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  for (const r of all) console.log(r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join("  ").trimEnd());
}

export async function jobs(argv: string[]): Promise<number> {
  const parsed = parseCommand(jobsSpec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const states = statesFrom(v.state);
  if (v.kind !== undefined && !isJobKind(v.kind)) throw new UserError(`--kind: unknown kind '${v.kind}' (one of ${JOB_KINDS.join(", ")})`);
  if (v.chain !== undefined && !/^\d+$/.test(v.chain)) throw new UserError(`--chain must be a chain id, got '${v.chain}'`);
  const store = await openStore(v.config);
  try {
    const list = await store.list({ states, kind: v.kind as JobKind | undefined, chainId: v.chain === undefined ? undefined : Number(v.chain) });
    if (v.json) {
      for (const { proof: _p, rawTx: _r, txs, ...j } of list) {
        console.log(JSON.stringify({ ...j, txs: txs.map(({ raw: _raw, ...t }) => t) }, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));
      }
    } else if (list.length === 0) {
      console.log("no jobs");
    } else {
      const now = Date.now();
      printTable(list.map((j) => tableRow(j, now)));
    }
    return 0;
  } finally {
    await store.close();
  }
}

const requeueSpec = {
  name: "relay requeue",
  summary: "run a job again now: a failed or expired one from the start, a waiting one without its wait (safe while workers run)",
  usage: "KEY [--config relayer.json]",
  options: common,
  help: { config: jobsSpec.help.config },
  allowPositionals: true,
  notes: `KEY is a job key as 'olzk relay jobs' shows it, e.g. settle:31337:7.
A failed or expired job goes back to pending without its proof and transactions (none of them can
still be mined: a job only fails or expires after its transactions were decided on chain). A live
job waiting for its retry time keeps its proof and any transaction in flight, and is claimable at
once. A job a worker holds is left alone (exit 1: try again when its claim ends); a confirmed one
needs nothing (exit 1). The planner re-plans failed headers, rotations, defaults and receipts by
itself; requeue is for a failed settlement or for not waiting out a backoff.`,
} as const;

export async function requeue(argv: string[]): Promise<number> {
  const parsed = parseCommand(requeueSpec, argv);
  if (!parsed) return 0;
  const [key, ...extra] = parsed.positionals;
  if (!key) throw new UserError("requeue needs a job KEY (see olzk relay jobs)");
  if (extra.length) throw new UserError(`unexpected argument '${extra[0]}'`);
  const store = await openStore(parsed.values.config);
  try {
    const r = await store.requeue(key);
    switch (r.status) {
      case "requeued":
        console.log(`${key}: ${r.job.kind === "settle" ? "settlement" : "job"} back to pending, proved and sent again from the start`);
        return 0;
      case "retry-now":
        console.log(`${key}: ${r.job.state}, runnable now (its progress kept)`);
        return 0;
      case "not-found":
        console.error(`olzk relay requeue: no job '${key}' (see olzk relay jobs)`);
        return 1;
      case "confirmed":
        console.error(`olzk relay requeue: ${key} is confirmed: nothing to do`);
        return 1;
      case "claimed":
        console.error(`olzk relay requeue: ${key} is held by ${r.job.owner} until ${new Date(r.job.leaseUntil ?? 0).toISOString()}: try again when its claim ends`);
        return 1;
    }
  } finally {
    await store.close();
  }
}
