// Re-reads a reply the devnet sent (server.ts RecordedReply) with the schema it was encoded with:
// the route's reply schema (the action's, on the action route), ErrorReply for a refusal, the
// model's SSZ codec for SSZ bytes. Decoding must succeed and encoding the decoded value must give
// back exactly what was sent: the server and the typed client read the same wire both ways.
import { expect } from "vitest";
import { encode as zEncode } from "zod";
import { ErrorReply, SSZ_CODECS, replySchema, type SszKind } from "../../../home/api/index.ts";
import type { RecordedReply } from "../../../home/devnet/index.ts";

function reencodeSsz<K extends SszKind>(kind: K, bytes: Uint8Array): Uint8Array {
  const codec = SSZ_CODECS[kind];
  return codec.encode(codec.decode(bytes));
}

export function checkRecordedReply(r: RecordedReply): void {
  const where = `${r.route}${r.action ? ` (${r.action})` : ""} ${r.status}`;
  if (r.ssz) {
    const bytes = Uint8Array.from(Buffer.from(r.body, "base64"));
    expect(Buffer.from(reencodeSsz(r.ssz, bytes)).toString("base64"), where).toBe(r.body);
    return;
  }
  const json: unknown = JSON.parse(r.body);
  const schema = r.status >= 400 ? ErrorReply : replySchema(r.route, r.action);
  const decoded = schema.safeParse(json);
  expect(decoded.error?.issues, where).toBeUndefined();
  expect(zEncode(schema, decoded.data), where).toEqual(json);
}
