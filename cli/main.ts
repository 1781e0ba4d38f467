// `olzk`: one CLI, one subcommand per job. Each subcommand lives with the package that
// owns the job and is loaded lazily, so `olzk devnet` does not load snarkjs or Hardhat.
import { EXIT_UNEXPECTED, EXIT_USER_ERROR, UserError } from "./args.ts";

export { EXIT_UNEXPECTED, EXIT_USER_ERROR };

interface Subcommand {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number | void> }>;
}

const commands: Record<string, Subcommand> = {
  start: { summary: "run the main job: devnet + Away chain + contracts + relayer, then a mode 1 and a mode 2 settlement", load: () => import("./start.ts") },
  devnet: { summary: "run the Home (Open Libra) devnet with its HTTP API", load: () => import("../home/devnet/cli.ts") },
  setup: { summary: "compile circuits and run the Groth16 trusted setup (cached)", load: () => import("../prover/setup/cli.ts") },
  prove: { summary: "prove a Home header or a settlement with Groth16", load: () => import("../prover/cli.ts") },
  bundle: { summary: "make the files olzk verify takes (checkpoint, header chain, collateral bundle) from a running Home", load: () => import("../bundle/cli.ts") },
  verify: { summary: "verify proofs, header chains, collateral bundles and validator sets (verifier-ts)", load: () => import("../verifier-ts/cli.ts") },
  relay: { summary: "run the relayer: follow Home, prove, submit to Away chains", load: () => import("../relayer/cli.ts") },
  deploy: { summary: "deploy the Away contracts to an EVM JSON-RPC and write their addresses", load: () => import("../contracts/deploy/cli.ts") },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length)) + 2;
  return [
    "olzk: ZK light client and messaging layer for Atomic Auctions (Open Libra Home -> EVM Away)",
    "",
    "Usage: olzk <command> [options]   (olzk <command> --help for its options)",
    "",
    "Commands:",
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`olzk: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await cmd.load();
    return (await mod.run(rest)) ?? 0;
  } catch (e) {
    if (e instanceof UserError) {
      console.error(`olzk ${name}: ${e.message}`);
      return EXIT_USER_ERROR;
    }
    reportUnexpected(`olzk ${name}`, e);
    return EXIT_UNEXPECTED;
  }
}

/** One line for an unexpected error (its message's first line); OLZK_DEBUG=1 prints the stack after it. */
function reportUnexpected(who: string, e: unknown): void {
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  console.error(`${who}: unexpected error: ${message}${process.env.OLZK_DEBUG ? "" : " (OLZK_DEBUG=1 prints the stack)"}`);
  if (process.env.OLZK_DEBUG && e instanceof Error && e.stack) console.error(e.stack);
}

/**
 * For the `olzk` process only (bin/olzk.mjs; never inside a test runner): an error no call of
 * the command awaits (thrown in a timer or an event handler, a rejected promise nobody holds)
 * is reported like one the command threw, one line and exit 3, instead of Node's stack trace
 * and exit 1 (the code of a negative answer).
 */
export function exitOnStrayErrors(argv: string[]): void {
  const name = argv[0] !== undefined && Object.hasOwn(commands, argv[0]) ? `olzk ${argv[0]}` : "olzk";
  const onError = (e: unknown) => {
    reportUnexpected(name, e);
    process.exit(EXIT_UNEXPECTED);
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
}
