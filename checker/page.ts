// The checker page's script (bundled by build.ts into checker.js): one box per file (drop or
// pick; the server's offered trust files pre-filled and replaceable), the query form, and the
// report of check.ts rendered as the verdict, the lockup's facts and the header chain.
import type { CollateralResult, VerifiedHeader } from "../verifier-ts/index.ts";
import { runCheck, type ChainRow, type CheckReport, type QueryFields } from "./check.ts";
import { readSlotFile, SLOT_TITLES, SLOTS, TRUST_SLOTS, type Offered, type Slot, type SlotValues } from "./files.ts";

const SLOT_HINTS: Record<Slot, string> = {
  bundle: "JSON or SSZ, as olzk bundle collateral writes it",
  checkpoint: "JSON { chainId, epoch, validatorSetRoot, height? }: the Home state you trust",
  aggregated: "verification_key.json of AggregatedHeaderQuorum",
  perValidator: "optional: needed only for bundles with per-validator header proofs",
};

/** The file in each slot, with where it came from. */
const loaded: { [S in Slot]?: { value: SlotValues[S]; name: string; fingerprint: string; source: "yours" | "offered" } } = {};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page is missing #${id}`);
  return e as T;
}

// ---------- the file boxes ----------

function showSlot(slot: Slot, error?: string): void {
  const box = document.querySelector<HTMLElement>(`.slot[data-slot="${slot}"]`)!;
  const status = box.querySelector<HTMLElement>(".status")!;
  const f = loaded[slot];
  box.dataset.state = error ? "error" : f ? f.source : "empty";
  if (error) status.replaceChildren(el("span", { class: "bad" }, error));
  else if (f) {
    status.replaceChildren(
      el("span", { class: "name" }, f.name),
      " ",
      el("span", { class: "source" }, f.source === "offered" ? "offered with this page" : "your file"),
      el("br"),
      el("code", { class: "fingerprint", title: "SHA-256 of the file's bytes (sha256sum)" }, `sha256 ${f.fingerprint}`),
    );
  } else status.replaceChildren(el("span", { class: "missing" }, slot === "perValidator" ? "none (optional)" : "no file yet"));
  const clear = box.querySelector<HTMLButtonElement>("button.clear")!;
  clear.hidden = !f;
}

function load<S extends Slot>(slot: S, name: string, bytes: Uint8Array, source: "yours" | "offered"): void {
  const r = readSlotFile(slot, bytes);
  if (!r.ok) {
    delete loaded[slot];
    showSlot(slot, `${name} cannot be used as the ${SLOT_TITLES[slot]}: ${r.reason}`);
    return;
  }
  (loaded as Record<S, unknown>)[slot] = { value: r.value, name, fingerprint: r.fingerprint, source };
  showSlot(slot);
}

async function loadFile(slot: Slot, file: File): Promise<void> {
  load(slot, file.name, new Uint8Array(await file.arrayBuffer()), "yours");
}

function slotBox(slot: Slot): HTMLElement {
  const input = el("input", { type: "file", name: slot });
  const clear = el("button", { type: "button", class: "clear" }, "clear");
  const box = el(
    "div",
    { class: "slot", "data-slot": slot },
    el("label", {}, el("span", { class: "title" }, SLOT_TITLES[slot]), el("span", { class: "hint" }, SLOT_HINTS[slot]), input),
    el("div", { class: "status" }),
    clear,
  );
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void loadFile(slot, file);
    input.value = "";
  });
  clear.addEventListener("click", () => {
    delete loaded[slot];
    showSlot(slot);
  });
  box.addEventListener("dragover", (e) => {
    e.preventDefault();
    box.classList.add("over");
  });
  box.addEventListener("dragleave", () => box.classList.remove("over"));
  box.addEventListener("drop", (e) => {
    e.preventDefault();
    box.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) void loadFile(slot, file);
  });
  return box;
}

function offeredFiles(): Offered {
  try {
    return JSON.parse(byId("offered").textContent ?? "{}") as Offered;
  } catch {
    return {};
  }
}

// ---------- the report ----------

const hex32 = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}`;
const utc = (ms: bigint) => new Date(Number(ms)).toISOString().replace(".000Z", "Z");

function rootCell(v: bigint): HTMLElement {
  if (v === 0n) return el("td", { class: "root", "data-value": hex32(v) }, "—");
  const h = hex32(v);
  return el("td", { class: "root", "data-value": h, title: h }, el("code", {}, `${h.slice(0, 10)}…${h.slice(-6)}`));
}

function chainRow(row: ChainRow): HTMLTableRowElement {
  const h: VerifiedHeader | undefined = row.header;
  const attrs: Record<string, string> = { "data-index": String(row.index), "data-kind": row.kind, "data-status": row.status };
  if (h) Object.assign(attrs, { "data-height": h.height.toString(), "data-epoch": h.epoch.toString() });
  if (row.holdsState) attrs.class = "holds-state";
  const cells = h
    ? [el("td", {}, h.height.toString()), el("td", {}, h.epoch.toString()), el("td", {}, utc(h.timestampMs)), rootCell(h.stateRoot), rootCell(h.validatorSetRoot), rootCell(h.nextValidatorSetRoot)]
    : [el("td", { colspan: "6", class: "unverified" }, "not verified")];
  const status = row.status === "verified" ? (row.holdsState ? "verified: holds the lockup" : h?.nextValidatorSetRoot ? "verified: rotates the set" : "verified") : row.status;
  return el("tr", attrs, el("td", {}, String(row.index)), el("td", {}, row.kind), ...cells, el("td", { class: "status" }, status));
}

function fact(key: string, label: string, ...value: (Node | string)[]): HTMLElement[] {
  return [el("dt", {}, label), el("dd", { "data-fact": key }, ...value)];
}

function facts(r: Extract<CollateralResult, { ok: true }>, now: bigint, maxAge: string): HTMLElement[] {
  const days = Number(r.expiry - now) / 86_400;
  return [
    ...fact("lockId", "Lock", r.lockId.toString()),
    ...fact("borrower", "Borrower", el("code", {}, r.borrower)),
    ...fact("credit", "Credit limit", r.creditLimit.toString(), " ", el("span", { class: "unit" }, "base units of "), el("code", {}, r.creditAsset)),
    ...fact("expiry", "Expires", r.expiry.toString(), ` (${utc(r.expiry * 1000n)}, in ${days.toFixed(1)} days)`),
    ...fact("age", "Header age", `${r.ageSeconds} s`, ` (height ${r.header.height}, epoch ${r.header.epoch}, ${utc(r.header.timestampMs)}; at most ${maxAge} s allowed)`),
    ...fact("owner", "Home owner", el("code", {}, r.owner)),
  ];
}

function render(report: CheckReport, fields: QueryFields): void {
  const verdict = byId("verdict");
  const word = byId("verdict-word");
  const code = byId("verdict-code");
  const reason = byId("verdict-reason");
  const tbody = byId("chain").querySelector("tbody")!;
  const dl = byId("facts");
  if (report.state === "cannot-check") {
    verdict.className = "verdict none";
    word.textContent = "NOT CHECKED";
    code.textContent = "";
    reason.textContent = report.reason;
    dl.replaceChildren();
    tbody.replaceChildren();
    return;
  }
  const r = report.result;
  const clock = fields.now.trim() === "" ? "this machine's clock" : "given";
  verdict.className = `verdict ${r.ok ? "valid" : "invalid"}`;
  word.textContent = r.ok ? "VALID" : "INVALID";
  code.textContent = r.ok ? "" : r.code === "HeaderChain" ? `${r.code} / ${r.chainCode}` : r.code;
  reason.textContent = r.ok
    ? `${r.borrower} has credit of at least ${fields.minCredit.trim()} on chain ${fields.awayChainId.trim()} (checked at ${report.now}, ${clock}; ${report.ms.toFixed(0)} ms)`
    : `${r.reason} (checked at ${report.now}, ${clock})`;
  dl.replaceChildren(...(r.ok ? facts(r, report.now, fields.maxAgeSeconds.trim()) : []));
  tbody.replaceChildren(...report.chain.map(chainRow));
}

function queryFields(form: HTMLFormElement): QueryFields {
  const data = new FormData(form);
  const get = (k: keyof QueryFields) => String(data.get(k) ?? "");
  return {
    borrower: get("borrower"),
    minCredit: get("minCredit"),
    awayChainId: get("awayChainId"),
    settlementContract: get("settlementContract"),
    maxAgeSeconds: get("maxAgeSeconds"),
    validUntil: get("validUntil"),
    creditAsset: get("creditAsset"),
    now: get("now"),
  };
}

function values(): Partial<SlotValues> {
  const out: Partial<Record<Slot, unknown>> = {};
  for (const slot of SLOTS) if (loaded[slot]) out[slot] = loaded[slot]!.value;
  return out as Partial<SlotValues>;
}

function start(): void {
  const slots = byId("slots");
  for (const slot of SLOTS) slots.append(slotBox(slot));
  const offered = offeredFiles();
  for (const slot of SLOTS) showSlot(slot);
  for (const slot of TRUST_SLOTS) {
    const f = offered[slot];
    if (f) load(slot, f.name, new TextEncoder().encode(f.text), "offered");
  }
  // A file dropped beside the boxes would make the browser open it and lose the page: say where it goes instead.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    if (!(e.target instanceof Element && e.target.closest(".slot"))) byId("drop-hint").textContent = "Drop each file on the box it belongs in (or click a box to pick one).";
  });
  const form = byId<HTMLFormElement>("query");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const fields = queryFields(form);
    const verdict = byId("verdict");
    verdict.className = "verdict busy";
    byId("verdict-word").textContent = "CHECKING…";
    byId("verdict-code").textContent = "";
    const reason = byId("verdict-reason");
    reason.textContent = "verifying the header proofs";
    const button = byId<HTMLButtonElement>("check");
    button.disabled = true;
    // Between batches of proofs, say how far it got and let the browser paint and take input.
    const progress = async (verified: number, total: number) => {
      reason.textContent = `verifying the header proofs: ${verified} of ${total}`;
      await new Promise((r) => setTimeout(r, 0));
    };
    const files = values(); // as they are now: a box changed during the check does not mix into it
    void (async () => {
      let report: CheckReport;
      try {
        await progress(0, files.bundle?.headers.length ?? 0);
        report = await runCheck(files, fields, BigInt(Math.floor(Date.now() / 1000)), progress);
      } catch (err) {
        report = { state: "cannot-check", reason: `internal error (please report it): ${(err as Error).message}` };
      }
      render(report, fields);
      button.disabled = false;
      verdict.dataset.run = String(Number(verdict.dataset.run ?? "0") + 1);
    })();
  });
  document.body.dataset.ready = "true";
}

start();
