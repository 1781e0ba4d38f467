// Test helper: Hardhat's in-process EDR chain behind a real HTTP JSON-RPC endpoint on
// 127.0.0.1, with fault injection: "refuse" (port closed: connection refused), "503"
// (HTTP 503 answers) or up. Also compiles and deploys a tiny contract with solc-js.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { network } from "hardhat";
import solc from "solc";
import type { Abi, Hex } from "viem";

export type Fault = "none" | "refuse" | "503";

export interface EdrRpc {
  url: string;
  request(method: string, params?: unknown[]): Promise<any>;
  setFault(f: Fault): Promise<void>;
  /** Requests seen by method (what actually reached the chain). */
  seen: Map<string, number>;
  close(): Promise<void>;
}

export async function startEdrRpc(): Promise<EdrRpc> {
  const conn = await network.connect();
  const provider = conn.provider;
  let fault: Fault = "none";
  const seen = new Map<string, number>();
  const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (fault === "503") {
        res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
        return;
      }
      const one = async (m: { id: unknown; method: string; params?: unknown[] }) => {
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
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    request: (method, params = []) => provider.request({ method, params }),
    async setFault(f) {
      if (f === "refuse" && fault !== "refuse") {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
      if (f !== "refuse" && fault === "refuse") {
        server = createServer(handler);
        await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
      }
      fault = f;
    },
    async close() {
      if (fault !== "refuse") {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
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
