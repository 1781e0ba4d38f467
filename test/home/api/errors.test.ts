// Errors across the seam: the server answers every refusal with { error, code } and its status;
// an internal error answers a generic message and a request id (its message only in the log);
// the client turns replies into HomeApiError with the code, and a reply that is not the API's
// (a proxy's page, a wrong shape) into "bad-reply".
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HomeApiError, HomeClient } from "../../../home/api/index.ts";
import { startDevnet, type RunningDevnet } from "../../../home/devnet/index.ts";

let dn: RunningDevnet;
const logged: string[] = [];

beforeAll(async () => {
  dn = await startDevnet({ dataDir: null, blockMs: 0, port: 0, log: (l) => logged.push(l) });
});
afterAll(() => dn?.close());

describe("Home API errors", () => {
  it("answers an internal error with a request id and no internal message, and logs the message under that id", async () => {
    dn.chain.auctions = () => {
      throw new Error("secret internal detail at /srv/devnet");
    };
    const res = await fetch(`${dn.url}/auctions`);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("secret");
    const body = JSON.parse(text);
    expect(body).toEqual({ error: expect.stringContaining(body.requestId), code: "internal", requestId: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(logged.some((l) => l.includes(`request ${body.requestId}`) && l.includes("secret internal detail"))).toBe(true);
    const e = await new HomeClient(dn.url).auctions().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(HomeApiError);
    expect([(e as HomeApiError).code, (e as HomeApiError).status, (e as HomeApiError).requestId]).toEqual(["internal", 500, expect.any(String)]);
  });

  it("gives every refusal a code, with its status", async () => {
    for (const [path, init, status, code] of [
      ["/nowhere", {}, 404, "unknown-route"],
      ["/status", { method: "DELETE" }, 405, "method-not-allowed"],
      ["/actions/frobnicate", { method: "POST", body: "{}" }, 404, "unknown-action"],
      ["/actions/lock", { method: "POST", body: "{no" }, 400, "invalid-request"],
      ["/state/proof?kind=1&id=1", { headers: { accept: "application/octet-stream" } }, 406, "not-acceptable"],
    ] as const) {
      const res = await fetch(dn.url + path, init);
      expect([res.status, (await res.json()).code], path).toEqual([status, code]);
    }
  });

  describe("a server that is not the Home API", () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === "/status") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ height: "1" }));
        else res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("is refused as bad-reply, a wrong shape and a page alike", async () => {
      const client = new HomeClient(url);
      const shape = (await client.status().then(() => null, (x: unknown) => x)) as HomeApiError;
      expect([shape.code, shape.status]).toEqual(["bad-reply", 200]);
      expect(shape.message).toMatch(/does not match the API/);
      const page = (await client.auctions().then(() => null, (x: unknown) => x)) as HomeApiError;
      expect([page.code, page.status]).toEqual(["bad-reply", 502]);
    });
  });
});
