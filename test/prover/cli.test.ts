// `olzk prove`: a header proof from a signed-header JSON file verifies; settlement args are
// fetched from a devnet-shaped HTTP API (result leaf, then its lockups in ENCODING.md slot
// order, all at the result's height); usage mistakes are one-line UserErrors.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode as zEncode } from "zod";
import { UserError } from "../../cli/args.ts";
import { SettlementProofReply } from "../../home/api/index.ts";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, SparseMerkleTree, leafKey, signedHeaderToJSON } from "../../home/model/index.ts";
import { run, settlementArgsFromDevnet } from "../../prover/cli.ts";
import { settlementInput } from "../../prover/inputs/settlement.ts";
import { verifyWithSnarkjs } from "../../prover/prover.ts";
import { ensureArtifacts } from "../../prover/setup/pipeline.ts";
import { aggregatedHeader, signedHeader, validatorSet } from "../circuits/fixtures.ts";

let dir: string;
const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "olzk-prove-cli-"));
  await ensureArtifacts("dev", { log: () => {} });
}, 900_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("olzk prove header", () => {
  it("proves a signed-header JSON file (devnet /headers/H shape) into a verifying proof JSON", async () => {
    const sh = signedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [1, 2, 3], { height: 77n, stateRoot: 555n });
    const input = join(dir, "block.json");
    await writeFile(input, json({ height: 77n, signedHeader: signedHeaderToJSON(sh) }));
    const out = join(dir, "proof.json");
    expect(await run(["header", "--input", input, "--out", out, "--quiet"])).toBe(0);
    const p = JSON.parse(await readFile(out, "utf8"));
    expect(p.kind).toBe("headerQuorum"); // no aggregate signature: the per-validator circuit
    expect(p.height).toBe("77");
    expect(p.publicSignals[1]).toBe("555");
    expect(await verifyWithSnarkjs("headerQuorum", p.proof, p.publicSignals)).toBe(true);
    // With an aggregate signature: the aggregated circuit, unless --per-validator.
    const agg = aggregatedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [1, 2, 3], { height: 77n, stateRoot: 555n });
    await writeFile(input, json({ height: 77n, signedHeader: signedHeaderToJSON(agg) }));
    expect(await run(["header", "--input", input, "--out", out, "--quiet"])).toBe(0);
    const a = JSON.parse(await readFile(out, "utf8"));
    expect(a.kind).toBe("aggregated");
    expect(await verifyWithSnarkjs("aggregated", a.proof, a.publicSignals)).toBe(true);
    expect(await run(["header", "--input", input, "--out", out, "--quiet", "--per-validator"])).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8")).kind).toBe("headerQuorum");
    expect(p.calldata.proof).toEqual([p.proof.pi_a[0], p.proof.pi_a[1], p.proof.pi_b[0][1], p.proof.pi_b[0][0], p.proof.pi_b[1][1], p.proof.pi_b[1][0], p.proof.pi_c[0], p.proof.pi_c[1]]);
  }, 300_000);

  it("reports usage mistakes as UserErrors", async () => {
    await expect(run(["header"])).rejects.toThrow(UserError);
    await expect(run(["header", "--devnet", "http://127.0.0.1:9"])).rejects.toThrow(/--height is required/);
    await expect(run(["block", "--input", "x"])).rejects.toThrow(/'header' or 'settlement'/);
    await expect(run(["header", "--input", join(dir, "missing.json")])).rejects.toThrow(UserError);
  });
});

describe("settlement args from the devnet API", () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  const binding = (31337n << 160n) + 0xbeefn;
  const tree = new SparseMerkleTree();
  tree.set(leafKey(KIND_AUCTION_RESULT, 3n), binding, 333n);
  tree.set(leafKey(KIND_LOCKUP, 11n), binding, 1111n);
  tree.set(leafKey(KIND_LOCKUP, 12n), binding, 1212n);
  // The devnet's reply, encoded with the API's own schema (the payloads are left out: the args need none).
  const proofOf = <K extends typeof KIND_AUCTION_RESULT | typeof KIND_LOCKUP>(kind: K, id: bigint) => ({
    height: 40n, stateRoot: tree.root, headerHash: 1n, kind, id, proof: tree.prove(leafKey(kind, id)), payload: null, payloadAbi: null, awayContract: null,
  });

  beforeAll(async () => {
    // The devnet's GET /auctions/{id}/settlement-proof shape (home/devnet/API.md).
    server = createServer((req, res) => {
      requests.push(req.url!);
      res.setHeader("content-type", "application/json");
      if (req.url === "/auctions/3/settlement-proof?height=40") {
        res.end(json(zEncode(SettlementProofReply, { height: 40n, stateRoot: tree.root, headerHash: 1n, result: proofOf(KIND_AUCTION_RESULT, 3n), lockups: [proofOf(KIND_LOCKUP, 12n), proofOf(KIND_LOCKUP, 11n)] })));
      } else {
        res.statusCode = 404;
        res.end(json({ error: "auction 99 has no result leaf at height 40", code: "result-not-found" }));
      }
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("maps the result and its lockups (slot order kept) to prover args that pass the input builder", async () => {
    const args = await settlementArgsFromDevnet(base, 3n, 40n);
    expect(requests.at(-1)).toBe("/auctions/3/settlement-proof?height=40");
    expect(args.stateRoot).toBe(tree.root);
    expect(args.awayBinding).toBe(binding);
    expect(args.result.digest).toBe(333n);
    expect(args.lockups.map((l) => [l.lockId, l.digest])).toEqual([
      [12n, 1212n],
      [11n, 1111n],
    ]);
    const input = settlementInput({ ...args, K: 2 });
    expect(input.lockIds).toEqual(["12", "11"]);
    expect(input.stateRoot).toBe(tree.root.toString());
  });

  it("reports a missing result as a UserError with the devnet's message", async () => {
    await expect(settlementArgsFromDevnet(base, 99n, 40n)).rejects.toThrow(/HTTP 404 .*no result leaf/);
    await expect(settlementArgsFromDevnet(base, 99n, 40n)).rejects.toThrow(UserError);
  });
});
