// Small argument-parsing layer shared by every `olzk` subcommand: `--help` on each,
// and user mistakes reported as one clear line (UserError), never a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * Exit codes of every command: 0 done, 1 the command's own negative answer (an invalid proof,
 * a failed job or walkthrough), 2 a user mistake (bad flag, config, input), 3 an unexpected error
 * (one line; OLZK_DEBUG=1 adds the stack).
 */
export const EXIT_USER_ERROR = 2;
export const EXIT_UNEXPECTED = 3;

/** An error caused by the user's input: printed as its message alone, exit code 2. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  name: string;
  summary: string;
  /** Lines shown under "Usage" (without the `olzk <name>` prefix). */
  usage: string;
  options: O;
  /** Help text per option, keyed like `options`. */
  help: { [K in keyof O]: string };
  /** Extra paragraphs shown after the options (environment variables, examples). */
  notes?: string;
  allowPositionals?: boolean;
}

export function helpText<O extends Options>(spec: CommandSpec<O>): string {
  const lines = [`olzk ${spec.name}: ${spec.summary}`, "", `Usage: olzk ${spec.name} ${spec.usage}`.trimEnd(), "", "Options:"];
  const rows = Object.entries(spec.options).map(([k, o]) => {
    const flag = `--${k}${o.short ? `, -${o.short}` : ""}${o.type === "string" ? " <value>" : ""}`;
    return [flag, spec.help[k as keyof O] ?? ""] as const;
  });
  rows.push(["--help, -h", "show this help"]);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  for (const [f, h] of rows) lines.push(`  ${f.padEnd(width)}${h}`);
  if (spec.notes) lines.push("", spec.notes.trim());
  return lines.join("\n");
}

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>["values"];
  positionals: string[];
}

/** Parse argv for a command; returns null when help was printed. Throws UserError on bad flags. */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]): Parsed<O> | null {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(helpText(spec));
    return null;
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: spec.options,
      allowPositionals: true,
      strict: true,
    });
    if (!spec.allowPositionals && positionals.length > 0) {
      throw new UserError(`unexpected argument '${positionals[0]}' (see olzk ${spec.name} --help)`);
    }
    return { values: values as Parsed<O>["values"], positionals };
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${(e as Error).message} (see olzk ${spec.name} --help)`);
  }
}

/** Parse a decimal integer option, with a clear error naming the flag. */
export function intOption(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UserError(`--${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min) throw new UserError(`--${name} must be at least ${min}, got ${n}`);
  return n;
}
