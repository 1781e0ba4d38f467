// A command made of subcommands (`olzk verify <check>`, `olzk bundle <what>`): one table of
// { summary, run }, its help listing them, and the same error rule for each: a user mistake is
// one line and exit 2, anything unexpected one line ("internal error") and exit 3.
import { EXIT_UNEXPECTED, EXIT_USER_ERROR, UserError } from "./args.ts";

export interface Subcommand {
  summary: string;
  /** Returns the exit code; throws UserError for a user mistake. */
  run: (argv: string[]) => Promise<number>;
}

export interface SubcommandGroup {
  /** Name after `olzk`, e.g. "verify". */
  name: string;
  /** What the command does (first line of its help). */
  summary: string;
  /** What one subcommand is called in the help's usage line: "check" gives `olzk verify <check>`. */
  placeholder: string;
  /** ... and in the error for an unknown one: "check" gives "unknown check 'x'". */
  noun: string;
  commands: Record<string, Subcommand>;
  /** Heading above the list of subcommands, e.g. "Checks:". */
  heading?: string;
  /** Lines after the list (exit codes). */
  notes: string[];
  /** Errors other than UserError that are the user's (exit 2, their message alone). */
  isUserError?: (e: unknown) => boolean;
  /** Runs after every subcommand, whatever its outcome. */
  cleanup?: () => Promise<void>;
}

export function groupHelp(g: SubcommandGroup): string {
  return [
    `olzk ${g.name}: ${g.summary}`,
    "",
    `Usage: olzk ${g.name} <${g.placeholder}> [options]   (olzk ${g.name} <${g.placeholder}> --help for its options)`,
    "",
    ...(g.heading ? [g.heading] : []),
    ...Object.entries(g.commands).map(([k, v]) => `  ${k.padEnd(12)}${v.summary}`),
    "",
    ...g.notes,
  ].join("\n");
}

/** `olzk <group> <sub> ...`: returns the exit code; prints one line for any error. */
export async function runSubcommand(g: SubcommandGroup, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(groupHelp(g));
    return sub === undefined ? EXIT_USER_ERROR : 0;
  }
  try {
    const cmd = Object.hasOwn(g.commands, sub) ? g.commands[sub] : undefined;
    if (!cmd) throw new UserError(`unknown ${g.noun} '${sub}' (one of: ${Object.keys(g.commands).join(", ")})`);
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UserError || g.isUserError?.(e)) {
      console.error(`olzk ${g.name}: ${(e as Error).message}`);
      return EXIT_USER_ERROR;
    }
    console.error(`olzk ${g.name}: internal error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    return EXIT_UNEXPECTED;
  } finally {
    await g.cleanup?.();
  }
}
