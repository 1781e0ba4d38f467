// Who signs the relayer's transactions on an Away chain: a private key held in this process,
// or a remote signer over JSON-RPC (`eth_signTransaction`, as Web3Signer offers; geth-style
// signers answering `{ raw, tx }` work too), so the key never enters the relayer's process.
// Whatever signs, the signed bytes are checked before anything records or broadcasts them:
// the sender recovered from the signature must be the configured account and every field
// (chain, nonce, recipient, data, value, gas, fees) must be the one asked for. A remote
// signer that signs something else is refused (SignerError "mismatch").
import { createClient, http, isAddressEqual, numberToHex, parseTransaction, recoverTransactionAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { SignerConfig } from "./config.ts";

/** What the relayer asks to sign: always an EIP-1559 transaction. */
export interface TxRequest {
  chainId: number;
  nonce: number;
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface TxSigner {
  readonly kind: "key" | "remote";
  /** The submitting account (the one to fund). */
  readonly address: Address;
  /** Where it signs, for logs: "local key" or the remote signer's URL. */
  readonly where: string;
  /** Signed transaction bytes, checked against `tx` and `address`. */
  signTransaction(tx: TxRequest): Promise<Hex>;
  /** Startup check of a remote signer: it answers and holds the account (no-op for a key). */
  check?(): Promise<void>;
}

export type SignerErrorCode = "mismatch" | "refused" | "bad-answer" | "no-account";

export class SignerError extends Error {
  constructor(readonly code: SignerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SignerError";
  }
}

/** Refuse signed bytes that are not exactly `tx`, signed by `address`. */
export async function checkSigned(raw: Hex, tx: TxRequest, address: Address, where: string): Promise<void> {
  let p: ReturnType<typeof parseTransaction>;
  let from: Address;
  try {
    p = parseTransaction(raw);
    from = await recoverTransactionAddress({ serializedTransaction: raw as Parameters<typeof recoverTransactionAddress>[0]["serializedTransaction"] });
  } catch (e) {
    throw new SignerError("bad-answer", `signer ${where} returned bytes that are not a signed transaction: ${(e as Error).message.split("\n")[0]}`);
  }
  // parseTransaction leaves fields that are zero (empty in RLP) undefined
  const got: Record<string, unknown> = {
    type: p.type, chainId: p.chainId, nonce: p.nonce ?? 0, to: p.to?.toLowerCase(), data: p.data ?? "0x", value: p.value ?? 0n,
    gas: p.gas ?? 0n, maxFeePerGas: p.maxFeePerGas ?? 0n, maxPriorityFeePerGas: p.maxPriorityFeePerGas ?? 0n,
  };
  const want: Record<string, unknown> = {
    type: "eip1559", chainId: tx.chainId, nonce: tx.nonce, to: tx.to.toLowerCase(), data: tx.data.toLowerCase(), value: tx.value,
    gas: tx.gas, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
  };
  if (typeof got.data === "string") got.data = got.data.toLowerCase();
  const wrong = Object.keys(want).filter((k) => got[k] !== want[k]);
  if (wrong.length) {
    throw new SignerError("mismatch", `signer ${where} signed a different transaction (${wrong.map((k) => `${k}: asked ${String(want[k])}, got ${String(got[k])}`).join("; ")})`);
  }
  if (!isAddressEqual(from, address)) throw new SignerError("mismatch", `signer ${where} signed as ${from}, not as the configured account ${address}`);
}

export function localSigner(key: Hex): TxSigner {
  const account = privateKeyToAccount(key);
  return {
    kind: "key",
    address: account.address,
    where: "local key",
    async signTransaction(tx) {
      const raw = await account.signTransaction({ ...tx, type: "eip1559" });
      await checkSigned(raw, tx, account.address, "local key");
      return raw;
    },
  };
}

/** eth_signTransaction's parameter: the transaction as JSON-RPC quantities. */
function rpcTx(tx: TxRequest, from: Address) {
  return {
    from, to: tx.to, data: tx.data, value: numberToHex(tx.value), gas: numberToHex(tx.gas), nonce: numberToHex(tx.nonce),
    maxFeePerGas: numberToHex(tx.maxFeePerGas), maxPriorityFeePerGas: numberToHex(tx.maxPriorityFeePerGas),
    chainId: numberToHex(tx.chainId), type: "0x2",
  };
}

export function remoteSigner(url: string, address: Address, timeoutMs = 10_000): TxSigner {
  const client = createClient({ transport: http(url, { retryCount: 0, timeout: timeoutMs }) });
  const request = (method: string, params: unknown[]) => client.request({ method, params } as never) as Promise<unknown>;
  return {
    kind: "remote",
    address,
    where: url,
    async signTransaction(tx) {
      let answer: unknown;
      try {
        answer = await request("eth_signTransaction", [rpcTx(tx, address)]);
      } catch (e) {
        // a JSON-RPC error from the signer (locked, unknown account, policy) is its refusal;
        // transport faults (connection refused, timeouts, 5xx) stay as they are so callers retry them
        const code = (e as { code?: unknown }).code;
        if (typeof code === "number") throw new SignerError("refused", `signer ${url} refused to sign (JSON-RPC error ${code}): ${(e as { details?: string }).details ?? (e as Error).message.split("\n")[0]}`, { cause: e });
        throw e;
      }
      const raw = typeof answer === "string" ? answer : (answer as { raw?: unknown } | null)?.raw;
      if (typeof raw !== "string" || !/^0x[0-9a-fA-F]+$/.test(raw)) throw new SignerError("bad-answer", `signer ${url} answered eth_signTransaction without signed bytes`);
      await checkSigned(raw as Hex, tx, address, url);
      return raw as Hex;
    },
    async check() {
      let accounts: unknown;
      try {
        accounts = await request("eth_accounts", []);
      } catch (e) {
        if (typeof (e as { code?: unknown }).code === "number") return; // no eth_accounts here: the first signature checks the account
        throw e;
      }
      if (Array.isArray(accounts) && !accounts.some((a) => typeof a === "string" && a.toLowerCase() === address.toLowerCase())) {
        throw new SignerError("no-account", `remote signer ${url} does not hold account ${address} (it has ${accounts.join(", ") || "none"})`);
      }
    },
  };
}

export function signerFor(cfg: SignerConfig): TxSigner {
  return cfg.kind === "key" ? localSigner(cfg.key) : remoteSigner(cfg.url, cfg.address);
}
