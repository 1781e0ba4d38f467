// Unit tests of the Merkle-Patricia proof checker (@ethereumjs/mpt with viem's RLP), against
// tries built here by an independent (recursive, non-incremental) trie builder: inclusion,
// absence, inline and extension nodes, and the attacks (a wrong root, a truncated proof, a
// tampered node, a proof of another key or account).
import { describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { fromRlp, toRlp } from "viem";
import { verifyAccountProof, verifyMptProof, verifyStorageProof, MptProofError, EMPTY_TRIE_ROOT } from "../../../home/devnet/mpt.ts";

type RlpItem = Uint8Array | readonly RlpItem[];
const rlpEncode = (item: RlpItem): Uint8Array => toRlp(item, "bytes");
const rlpDecode = (bytes: Uint8Array): RlpItem => fromRlp(bytes, "bytes");

const enc = new TextEncoder();

function nibblesOf(key: Uint8Array): number[] {
  return [...key].flatMap((b) => [b >> 4, b & 15]);
}
function hexPrefix(nibbles: number[], leaf: boolean): Uint8Array {
  const flag = (leaf ? 2 : 0) + (nibbles.length % 2);
  const all = nibbles.length % 2 ? [flag, ...nibbles] : [flag, 0, ...nibbles];
  const out = new Uint8Array(all.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[2 * i]! << 4) | all[2 * i + 1]!;
  return out;
}

interface Built { node: RlpItem; ref: RlpItem; encoded: Uint8Array }
/** Builds the trie of `entries` (nibble paths) recursively; returns each node's encoding by key path. */
function build(entries: { path: number[]; value: Uint8Array }[], depth: number, nodes: Map<string, Uint8Array>): Built {
  let node: RlpItem;
  if (entries.length === 1) {
    node = [hexPrefix(entries[0]!.path.slice(depth), true), entries[0]!.value];
  } else {
    let common = 0;
    for (;;) {
      const n = entries[0]!.path[depth + common];
      if (n === undefined || !entries.every((e) => e.path[depth + common] === n)) break;
      common++;
    }
    if (common > 0) {
      const child = build(entries, depth + common, nodes);
      node = [hexPrefix(entries[0]!.path.slice(depth, depth + common), false), child.ref];
    } else {
      const branch: RlpItem[] = [];
      for (let i = 0; i < 16; i++) {
        const sub = entries.filter((e) => e.path[depth] === i);
        branch.push(sub.length ? build(sub, depth + 1, nodes).ref : new Uint8Array(0));
      }
      const here = entries.find((e) => e.path.length === depth);
      branch.push(here ? here.value : new Uint8Array(0));
      node = branch;
    }
  }
  const encoded = rlpEncode(node);
  const hash = keccak_256(encoded);
  nodes.set(Buffer.from(hash).toString("hex"), encoded);
  return { node, encoded, ref: encoded.length < 32 ? node : hash };
}

function trie(entries: [Uint8Array, Uint8Array][]) {
  const nodes = new Map<string, Uint8Array>();
  const top = build(entries.map(([k, v]) => ({ path: nibblesOf(k), value: v })), 0, nodes);
  const root = keccak_256(top.encoded);
  // A proof: every hashed node on the walk from the root (inline nodes travel inside their parents).
  const prove = (key: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    let ref: RlpItem = root;
    const path = nibblesOf(key);
    let pos = 0;
    for (;;) {
      let node: RlpItem;
      if (ref instanceof Uint8Array && ref.length === 32) {
        const raw = nodes.get(Buffer.from(ref).toString("hex"))!;
        out.push(raw);
        node = rlpDecode(raw);
      } else node = ref;
      const list = node as RlpItem[];
      if (list.length === 17) {
        if (pos === path.length) return out;
        const c = list[path[pos++]!]!;
        if (c instanceof Uint8Array && c.length === 0) return out;
        ref = c;
      } else {
        const first = (list[0] as Uint8Array)[0]! >> 4;
        if (first >= 2) return out;
        const ext = nibblesOf(list[0] as Uint8Array).slice(first % 2 ? 1 : 2);
        if (!ext.every((n, i) => path[pos + i] === n)) return out;
        pos += ext.length;
        ref = list[1]!;
      }
    }
  };
  return { root, prove };
}

const h = (s: string) => keccak_256(enc.encode(s));

describe("rlp (viem)", () => {
  it("round-trips nested items and rejects truncated or trailing input", () => {
    const item: RlpItem = [enc.encode("dog"), [new Uint8Array(0), Uint8Array.of(0x7f)], new Uint8Array(60).fill(7)];
    const bytes = rlpEncode(item);
    expect(rlpEncode(rlpDecode(bytes))).toEqual(bytes);
    expect(Buffer.from(rlpEncode(enc.encode("dog"))).toString("hex")).toBe("83646f67");
    expect(() => rlpDecode(Uint8Array.of(0x83, 1, 2))).toThrow(); // truncated
    expect(() => rlpDecode(Uint8Array.of(0x01, 0x02))).toThrow(); // trailing bytes
  });
});

describe("Merkle-Patricia proofs", () => {
  const entries: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 40; i++) entries.push([h(`key${i}`), rlpEncode(enc.encode(`value-${i}-${"x".repeat(i)}`))]);
  const t = trie(entries);

  it("proves inclusion of every key with its value", async () => {
    for (const [k, v] of entries) expect(await verifyMptProof(t.root, k, t.prove(k))).toEqual(v);
  });

  it("proves absence of keys not in the trie", async () => {
    for (let i = 0; i < 20; i++) {
      const k = h(`absent${i}`);
      expect(await verifyMptProof(t.root, k, t.prove(k))).toBeNull();
    }
  });

  it("rejects a proof under the wrong root, a missing node and a tampered node", async () => {
    const [k] = entries[3]!;
    const proof = t.prove(k);
    await expect(verifyMptProof(h("other root"), k, proof)).rejects.toThrow(MptProofError);
    await expect(verifyMptProof(t.root, k, proof.slice(0, -1))).rejects.toThrow(/lacks the node/);
    const tampered = proof.map((n) => n.slice());
    const last = tampered[tampered.length - 1]!;
    last[last.length - 1] ^= 1;
    await expect(verifyMptProof(t.root, k, tampered)).rejects.toThrow(MptProofError);
    await expect(verifyMptProof(t.root, k, [])).rejects.toThrow(MptProofError);
  });

  it("never reads another key's value through its proof", async () => {
    const [a, va] = entries[3]!;
    // A key in the trie whose path leaves a's at the root branch: the proof lacks its nodes.
    const b = entries.find(([k]) => k[0]! >> 4 !== a[0]! >> 4)![0];
    await expect(verifyMptProof(t.root, b, t.prove(a))).rejects.toThrow(MptProofError);
    // Every key of the trie: a's proof yields a's value for a only (or refuses), never for another key.
    for (const [k] of entries) {
      if (k === a) continue;
      const got = await verifyMptProof(t.root, k, t.prove(a)).catch((e: unknown) => e);
      expect(got).not.toEqual(va);
      expect(got === null || got instanceof MptProofError).toBe(true);
    }
  });

  it("follows inline (short) nodes and extension nodes", async () => {
    // Short keys and values make nodes under 32 bytes, which parents embed inline.
    const small: [Uint8Array, Uint8Array][] = [
      [Uint8Array.of(0x12, 0x34), Uint8Array.of(1)],
      [Uint8Array.of(0x12, 0x35), Uint8Array.of(2)],
      [Uint8Array.of(0x12, 0x44), Uint8Array.of(3)],
      [Uint8Array.of(0x99, 0x00), enc.encode("a longer value that will not fit inline")],
    ];
    const s = trie(small);
    for (const [k, v] of small) expect(await verifyMptProof(s.root, k, s.prove(k))).toEqual(v);
    expect(await verifyMptProof(s.root, Uint8Array.of(0x12, 0x36), s.prove(Uint8Array.of(0x12, 0x36)))).toBeNull();
    expect(await verifyMptProof(s.root, Uint8Array.of(0x13, 0x00), s.prove(Uint8Array.of(0x13, 0x00)))).toBeNull();
  });

  it("reads storage words and treats an empty trie as all zeros", async () => {
    const slot = new Uint8Array(32);
    slot[31] = 9;
    const word = rlpEncode(Uint8Array.of(0xab, 0xcd));
    const st = trie([[keccak_256(slot), word]]);
    expect(await verifyStorageProof(st.root, slot, st.prove(keccak_256(slot)))).toBe(0xabcdn);
    const other = new Uint8Array(32);
    expect(await verifyStorageProof(st.root, other, st.prove(keccak_256(other)))).toBe(0n);
    expect(await verifyStorageProof(EMPTY_TRIE_ROOT, slot, [])).toBe(0n);
    // An account without storage, as EDR proves it: the empty node under the empty root.
    expect(await verifyStorageProof(EMPTY_TRIE_ROOT, slot, [Uint8Array.of(0x80)])).toBe(0n);
  });

  it("reads an account and refuses the proof of another account for it", async () => {
    const addr = (i: number) => Uint8Array.from({ length: 20 }, (_, j) => (i * 37 + j) & 0xff);
    const account = (i: number) => rlpEncode([Uint8Array.of(i + 1), Uint8Array.of(0x10, i), keccak_256(enc.encode(`storage ${i}`)), keccak_256(enc.encode(`code ${i}`))]);
    const accounts: [Uint8Array, Uint8Array][] = Array.from({ length: 16 }, (_, i) => [keccak_256(addr(i)), account(i)]);
    const st = trie(accounts);
    const a = await verifyAccountProof(st.root, addr(5), st.prove(keccak_256(addr(5))));
    expect(a).toEqual({ nonce: 6n, balance: 0x1005n, storageRoot: keccak_256(enc.encode("storage 5")), codeHash: keccak_256(enc.encode("code 5")) });
    for (let i = 0; i < 16; i++) {
      if (i === 5) continue;
      const got = await verifyAccountProof(st.root, addr(i), st.prove(keccak_256(addr(5)))).catch((e: unknown) => e);
      expect(got === null || got instanceof MptProofError).toBe(true);
    }
  });
});
