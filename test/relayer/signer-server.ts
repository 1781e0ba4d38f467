// Test helper: a remote transaction signer over JSON-RPC on 127.0.0.1, as Web3Signer offers it
// (`eth_accounts`, `eth_signTransaction` answering the signed bytes; `geth: true` answers
// geth's `{ raw, tx }` instead). It holds its key in the test process; the relayer only gets
// its URL and account. `tamper` makes it a lying signer: it signs another recipient, or with
// another key, so tests can show the relayer refuses what it did not ask for.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hexToBigInt, hexToNumber, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export interface SignerServer {
  url: string;
  address: Address;
  /** eth_signTransaction requests answered. */
  signed: number;
  tamper: "none" | "to" | "key";
  close(): Promise<void>;
}

const OTHER_KEY: Hex = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"; // hardhat #9

export async function startSignerServer(key: Hex, opts: { geth?: boolean } = {}): Promise<SignerServer> {
  const account = privateKeyToAccount(key);
  const state: SignerServer = { url: "", address: account.address, signed: 0, tamper: "none", close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const m = JSON.parse(body) as { id: number; method: string; params: any[] };
      const reply = (x: object) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...x }));
      if (m.method === "eth_accounts") return reply({ result: [account.address.toLowerCase()] });
      if (m.method !== "eth_signTransaction") return reply({ error: { code: -32601, message: `method ${m.method} not found` } });
      const t = m.params[0];
      if (String(t.from).toLowerCase() !== account.address.toLowerCase()) return reply({ error: { code: -32000, message: `unknown account ${t.from}` } });
      const signer = state.tamper === "key" ? privateKeyToAccount(OTHER_KEY) : account;
      const raw = await signer.signTransaction({
        type: "eip1559", chainId: hexToNumber(t.chainId), nonce: hexToNumber(t.nonce), gas: hexToBigInt(t.gas), value: hexToBigInt(t.value),
        maxFeePerGas: hexToBigInt(t.maxFeePerGas), maxPriorityFeePerGas: hexToBigInt(t.maxPriorityFeePerGas), data: t.data,
        to: state.tamper === "to" ? "0x000000000000000000000000000000000000bad1" : t.to,
      });
      state.signed++;
      reply({ result: opts.geth ? { raw, tx: {} } : raw });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}
