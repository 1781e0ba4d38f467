// The HTTP server of `olzk verify serve`: the built page's files from memory, GET and HEAD
// only, nothing else (there is no API: verification happens in the browser). The content
// security policy allows only this origin's script and style and no connections, so the
// page cannot send a dropped file anywhere. Node only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { BuiltPage } from "./build.ts";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export interface CheckerServer {
  url: string;
  close(): Promise<void>;
}

function handler(page: BuiltPage) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", ...SECURITY_HEADERS }).end();
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const name = path === "/" ? "index.html" : path.slice(1);
    const file = Object.hasOwn(page, name) ? page[name] : undefined;
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "content-length": String(file.body.length), ...SECURITY_HEADERS });
    res.end(req.method === "HEAD" ? undefined : file.body);
  };
}

/** Listen on host:port (0 = any free port); rejects with the listen error (EADDRINUSE, EACCES, ...). */
export async function serveCheckerPage(page: BuiltPage, host: string, port: number): Promise<CheckerServer> {
  const server: Server = createServer(handler(page));
  server.listen(port, host);
  await once(server, "listening"); // rejects with the server's "error" event
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
