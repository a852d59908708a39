// An L2 block: its header, its transactions, and the batch that posted it on L1.
import { address, batchRef, facts, h, hex, link, section, time } from "./dom.js";
import { gwei } from "./format.js";
import { txTable } from "./txs.js";

export function blockPage(b) {
  return h(
    "div",
    { class: "page", "data-testid": "block-page" },
    h(
      "h1",
      {},
      `Block ${b.number}`,
      h("span", { class: "nav-blocks" }, b.number > 0 ? link(`/block/${b.number - 1}`, "← previous") : null, " ", b.number < b.head ? link(`/block/${b.number + 1}`, "next →") : null),
    ),
    section(
      "Overview",
      facts([
        ["number", String(b.number), "number"],
        ["hash", hex(b.hash, { full: true }), "hash"],
        ["parent", b.number > 0 ? hex(b.parentHash, { path: `/block/${b.number - 1}`, full: true }) : hex(b.parentHash, { full: true })],
        ["time", time(b.time), "time"],
        ["batch", [batchRef(b.batch), ...b.revertedIn.map((r) => [h("br"), "was in ", batchRef(r)])], "batch"],
        ["state root", hex(b.stateRoot, { full: true })],
        ["transactions", String(b.txs.length)],
        ["gas used", Number(b.gasUsed).toLocaleString("en-US")],
        ["base fee", gwei(b.baseFee)],
        ["fee recipient", address(b.feeRecipient, { full: true })],
        ["size", `${b.size.toLocaleString("en-US")} bytes posted to L1`],
      ]),
    ),
    section("Transactions", txTable(b.txs, { showBlock: false, empty: b.number === 0 ? "genesis holds no transaction" : "no transactions: this block applied L1 deposits only" })),
  );
}
