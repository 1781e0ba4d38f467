// Structured logs through pino: one JSON object per line on stderr (level, time, the logger's
// bound fields, the call's fields, msg). bigints are written as decimal strings, Errors as their
// message. The Logger interface (message first, then fields) is what the relayer's modules use.
import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";

export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Fields as JSON can hold them: bigints as strings, Errors as their message. */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Error ? v.message : v)));
}

function wrap(p: PinoLogger): Logger {
  return {
    debug: (m, f) => p.debug(f ? plain(f) : {}, m),
    info: (m, f) => p.info(f ? plain(f) : {}, m),
    warn: (m, f) => p.warn(f ? plain(f) : {}, m),
    error: (m, f) => p.error(f ? plain(f) : {}, m),
    child: (fields) => wrap(p.child(plain(fields))),
  };
}

export function createLogger(
  opts: { level?: Level; write?: (line: string) => void; base?: Record<string, unknown> } = {},
): Logger {
  const write = opts.write;
  const dest: DestinationStream = write ? { write: (s: string) => write(s.replace(/\n$/, "")) } : pino.destination({ dest: 2, sync: true });
  return wrap(
    pino(
      {
        level: opts.level ?? "info",
        base: opts.base ? plain(opts.base) : null,
        messageKey: "msg",
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      dest,
    ),
  );
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
