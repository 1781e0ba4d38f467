// Builds the checker page: index.html (with the offered trust files in its JSON data block),
// checker.css, favicon.svg, and checker.js, which esbuild bundles from page.ts with verifier-ts for the
// browser (a classic script, so the built files also work opened from disk). Node only.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Offered } from "./files.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const OFFERED_BLOCK = '<script type="application/json" id="offered">{}</script>';

/** One built file: its content type and bytes. */
export interface BuiltFile {
  type: string;
  body: Uint8Array;
}

/** The page's files by name (index.html, checker.js, checker.css, favicon.svg). */
export type BuiltPage = Record<string, BuiltFile>;

/** The offered files as the page's data block; `<` escaped so no text can close the script element. */
function offeredBlock(offered: Offered): string {
  const json = JSON.stringify(offered).replace(/</g, "\\u003c");
  return OFFERED_BLOCK.replace("{}", () => json);
}

/** Bundle page.ts and everything it imports for the browser; fails if anything needs Node. */
async function bundleScript(): Promise<Uint8Array> {
  const esbuild = await import("esbuild");
  const built = await esbuild.build({
    entryPoints: [join(HERE, "page.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    write: false,
    logLevel: "silent",
  });
  return built.outputFiles[0]!.contents;
}

export async function buildCheckerPage(offered: Offered = {}): Promise<BuiltPage> {
  const html = readFileSync(join(HERE, "index.html"), "utf8");
  if (!html.includes(OFFERED_BLOCK)) throw new Error("checker/index.html lost its offered-files data block");
  const utf8 = (s: string) => new TextEncoder().encode(s);
  return {
    "index.html": { type: "text/html; charset=utf-8", body: utf8(html.replace(OFFERED_BLOCK, () => offeredBlock(offered))) },
    "checker.css": { type: "text/css; charset=utf-8", body: readFileSync(join(HERE, "checker.css")) },
    "favicon.svg": { type: "image/svg+xml", body: readFileSync(join(HERE, "favicon.svg")) },
    "checker.js": { type: "text/javascript; charset=utf-8", body: await bundleScript() },
  };
}
