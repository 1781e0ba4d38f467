// One line for a refused request: the first problem zod found, naming the field (or query or path
// parameter) and what it must be, e.g. "missing field 'collateral' (...)", "field 'owner' must be
// 0x followed by 64 hex digits, got \"0x12\"", "unknown field 'amout' for lock (allowed: ...)".
import type * as z from "zod";

export type Where = "field" | "query parameter" | "path parameter";

function pathName(path: PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function shown(input: unknown): string {
  const text = typeof input === "bigint" ? input.toString() : JSON.stringify(input);
  return text === undefined ? String(input) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue, where: Where, context: string | undefined, allowed: readonly string[]): string {
  const name = pathName(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `'${name ? `${name}.` : ""}${k}'`).join(", ");
    return `unknown ${where}${issue.keys.length > 1 ? "s" : ""} ${keys}${context ? ` for ${context}` : ""}${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`;
  }
  if (!name) return `${where === "field" ? "request body" : where} ${issue.message}`;
  const missing = !("input" in issue) || issue.input === undefined;
  if (missing && (issue.code === "invalid_type" || issue.code === "invalid_union")) {
    return `missing ${where} '${name}'${issue.message.startsWith("must be ") ? ` (${issue.message.slice(8)})` : ""}`;
  }
  return `${where} '${name}' ${issue.message}, got ${shown(issue.input)}`;
}

/**
 * The one-line description of a failed decode: unknown fields first (they are usually typos),
 * then the first other problem. `allowed` lists the fields of the schema, for typos.
 */
export function describeIssues(error: z.ZodError, where: Where, context?: string, allowed: readonly string[] = []): string {
  const issues = [...error.issues].sort((a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"));
  const first = issues[0];
  if (!first) return "invalid request";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return describeIssue(first, where, context, allowed) + more;
}
