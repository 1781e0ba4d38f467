// `olzk verify serve`: serves the collateral checker page (the checks run in the visitor's
// browser) or, with --out, writes it as static files. The trust files it is given
// (--checkpoint, --vkey, --per-validator-vkey) are checked here with the page's own reader
// and offered on the page, where the visitor sees their fingerprints and may replace them.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { intOption, parseCommand, UserError, type CommandSpec } from "../cli/args.ts";
import { buildCheckerPage } from "./build.ts";
import { offeredText, readSlotFile, SLOT_TITLES, type Offered, type TrustSlot } from "./files.ts";
import { serveCheckerPage } from "./server.ts";

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8680;

const options = {
  host: { type: "string" },
  port: { type: "string" },
  checkpoint: { type: "string" },
  vkey: { type: "string" },
  "per-validator-vkey": { type: "string" },
  out: { type: "string" },
} as const;

const spec: CommandSpec<typeof options> = {
  name: "verify serve",
  summary: "serve the collateral checker page (checks run in the browser with verifier-ts), or write it as static files",
  usage: "[--port P] [--host H] [--checkpoint <checkpoint.json>] [--vkey <aggregated-vkey.json>] [--per-validator-vkey <vkey.json>] | --out <dir> [...]",
  options,
  help: {
    host: `interface to listen on (default ${DEFAULT_HOST}, loopback only)`,
    port: `HTTP port; 0 picks a free one (default ${DEFAULT_PORT})`,
    checkpoint: "trusted checkpoint JSON to offer on the page (visitors may use their own)",
    vkey: "AggregatedHeaderQuorum verification key to offer on the page",
    "per-validator-vkey": "HeaderQuorum verification key to offer on the page",
    out: "write index.html, checker.js, checker.css and favicon.svg to this folder and exit instead of serving",
  },
  notes: `The page verifies in the browser: the server only serves files and never sees a bundle.
Offered files are shown with their SHA-256 (compare with sha256sum of your copy).
Runs until SIGINT/SIGTERM. Exit code 0: stopped cleanly, or files written; 2: usage error, unreadable or
wrong trust file, port in use; 3: internal error.`,
};

const FLAGS: Record<TrustSlot, keyof typeof options> = { checkpoint: "checkpoint", aggregated: "vkey", perValidator: "per-validator-vkey" };

/** Read and check one trust file exactly as the page will; one UserError line if it is not what the flag needs. */
function offeredFile(slot: TrustSlot, path: string): { name: string; text: string; fingerprint: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read --${FLAGS[slot]} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = readSlotFile(slot, bytes);
  const text = offeredText(bytes);
  if (!r.ok || text === null) throw new UserError(`--${FLAGS[slot]} file '${path}' cannot be used as the ${SLOT_TITLES[slot]}: ${r.ok ? "not UTF-8 text" : r.reason}`);
  return { name: basename(path), text, fingerprint: r.fingerprint };
}

function portOption(raw: string | undefined): number {
  const port = intOption("port", raw, DEFAULT_PORT);
  if (port > 65535) throw new UserError(`--port must be at most 65535, got ${port}`);
  return port;
}

function writePage(dir: string, files: Record<string, { body: Uint8Array }>): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, f] of Object.entries(files)) writeFileSync(join(dir, name), f.body);
  } catch (e) {
    throw new UserError(`cannot write the page to '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function waitForStopSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (sig: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      done(sig);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  if (v.out !== undefined && (v.port !== undefined || v.host !== undefined)) {
    throw new UserError("--out writes the page as files and does not serve it: drop --port and --host");
  }
  const port = portOption(v.port);
  const offered: Offered = {};
  const lines: string[] = [];
  for (const slot of Object.keys(FLAGS) as TrustSlot[]) {
    const path = v[FLAGS[slot]];
    if (path === undefined) continue;
    const { fingerprint, ...file } = offeredFile(slot, path);
    offered[slot] = file;
    lines.push(`  offers ${SLOT_TITLES[slot]} ${file.name} (sha256 ${fingerprint})`);
  }
  const page = await buildCheckerPage(offered);

  if (v.out !== undefined) {
    const dir = resolve(v.out);
    writePage(dir, page);
    console.log(`olzk verify serve: wrote ${Object.keys(page).join(", ")} to ${dir} (open index.html, or serve the folder from any static host)`);
    for (const l of lines) console.log(l);
    return 0;
  }

  const host = v.host ?? DEFAULT_HOST;
  let server;
  try {
    server = await serveCheckerPage(page, host, port);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new UserError(`port ${port} on ${host} is in use; pass --port 0 or another port`);
    if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND" || err.code === "EACCES") throw new UserError(`cannot listen on ${host}:${port}: ${err.code}`);
    throw e;
  }
  console.log(`olzk verify serve: serving ${server.url}`);
  for (const l of lines) console.log(l);
  if (lines.length === 0) console.log("  offers no trust files: visitors give their own checkpoint and verification keys");
  const sig = await waitForStopSignal();
  console.log(`olzk verify serve: ${sig}, shutting down`);
  await server.close();
  return 0;
}
