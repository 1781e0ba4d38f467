// Run `olzk ...` in this process (cli/main.ts) and capture what it prints: console.log and
// process.stdout writes as `out`, console.error as `err`, process.stderr writes (progress lines)
// as `progress`.
import { vi } from "vitest";
import { main } from "../../cli/main.ts";

export interface OlzkRun {
  code: number;
  out: string;
  err: string;
  progress: string;
}

export async function runOlzk(...argv: string[]): Promise<OlzkRun> {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const text = (chunk: unknown) => (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ") + "\n")),
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" "))),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => (out.push(text(chunk)), true)),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => (progress.push(text(chunk)), true)),
  ];
  try {
    const code = await main(argv);
    return { code, out: out.join("").replace(/\n$/, ""), err: err.join("\n"), progress: progress.join("") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
