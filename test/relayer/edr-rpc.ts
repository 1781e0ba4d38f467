// Test helper: Hardhat's in-process EDR chain behind real HTTP JSON-RPC endpoints on
// 127.0.0.1, with fault injection per endpoint: "refuse" (port closed: connection refused),
// "503" (HTTP 503 answers), "hang" (a black hole: requests are read and never answered) or up.
// `endpoint()` adds another URL onto the same chain (RPC failover); `intercept()` sees every
// call before it reaches the chain and may hold it forever (a request lost on the way).
// Also compiles and deploys a tiny contract with solc-js.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { network } from "hardhat";
import solc from "solc";
import type { Abi, Hex } from "viem";

export type Fault = "none" | "refuse" | "503" | "hang";

export interface Endpoint {
  url: string;
  setFault(f: Fault): Promise<void>;
  /** Requests seen by method (what actually reached the chain through this endpoint); "(black-holed)" counts those a hang swallowed. */
  seen: Map<string, number>;
  close(): Promise<void>;
}

export interface EdrRpc extends Endpoint {
  request(method: string, params?: unknown[]): Promise<any>;
  /** Another HTTP endpoint onto the same chain, with its own faults. */
  endpoint(): Promise<Endpoint>;
  /** Look at each call before it reaches the chain; "hold" never answers it. */
  intercept(fn?: (method: string, params: unknown[]) => "pass" | "hold"): void;
}

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function serve(provider: Provider, interceptor: () => ((m: string, p: unknown[]) => "pass" | "hold") | undefined): Promise<Endpoint> {
  let fault: Fault = "none";
  const seen = new Map<string, number>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (fault === "503") {
        res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
        return;
      }
      if (fault === "hang") {
        seen.set("(black-holed)", (seen.get("(black-holed)") ?? 0) + 1);
        return;
      }
      const one = async (m: { id: unknown; method: string; params?: unknown[] }) => {
        if (interceptor()?.(m.method, m.params ?? []) === "hold") return new Promise<never>(() => {});
        seen.set(m.method, (seen.get(m.method) ?? 0) + 1);
        try {
          const result = await provider.request({ method: m.method, params: m.params ?? [] });
          return { jsonrpc: "2.0", id: m.id, result };
        } catch (e: any) {
          return { jsonrpc: "2.0", id: m.id, error: { code: e.code ?? -32603, message: e.message, data: e.data } };
        }
      };
      const msg = JSON.parse(body);
      const out = Array.isArray(msg) ? await Promise.all(msg.map(one)) : await one(msg);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
    });
  };
  let server: Server = createServer(handler);
  const port = await listen(server);
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async setFault(f) {
      if (f === "refuse" && fault !== "refuse") await stop();
      if (f !== "refuse" && fault === "refuse") {
        server = createServer(handler);
        await listen(server, port);
      }
      if (f !== "hang" && fault === "hang") server.closeAllConnections(); // drop the black-holed requests
      fault = f;
    },
    async close() {
      if (fault !== "refuse") await stop();
    },
  };
}

export async function startEdrRpc(): Promise<EdrRpc> {
  const conn = await network.connect();
  const provider = conn.provider as Provider;
  let interceptor: ((m: string, p: unknown[]) => "pass" | "hold") | undefined;
  const endpoints: Endpoint[] = [];
  const main = await serve(provider, () => interceptor);
  return {
    get url() {
      return main.url;
    },
    seen: main.seen,
    setFault: (f) => main.setFault(f),
    request: (method, params = []) => provider.request({ method, params }) as Promise<any>,
    async endpoint() {
      const e = await serve(provider, () => interceptor);
      endpoints.push(e);
      return e;
    },
    intercept(fn) {
      interceptor = fn;
    },
    async close() {
      for (const e of endpoints) await e.close();
      await main.close();
      await conn.close?.();
    },
  };
}

/** Compile one Solidity source with solc-js; returns abi + creation bytecode of `name`. */
export function compile(source: string, name: string): { abi: Abi; bytecode: Hex } {
  const input = {
    language: "Solidity",
    sources: { "C.sol": { content: source } },
    settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errs = (out.errors ?? []).filter((e: any) => e.severity === "error");
  if (errs.length) throw new Error(errs.map((e: any) => e.formattedMessage).join("\n"));
  const c = out.contracts["C.sol"][name];
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}
