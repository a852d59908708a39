// The front page: the last hour's activity in two charts, then the latest batches, fraud proofs,
// withdrawals, deposits and blocks, from the snapshot the page polls.
import { chartSections } from "./charts.js";
import { address, badge, batchState, h, l1Hex, link, section, table, time, txHash } from "./dom.js";
import { amountText, plural, units } from "./format.js";
import { txLine } from "./txs.js";

const WITHDRAWAL_NOTE = { ready: " — can be finalized on L1" };

export function dashboard(s) {
  return h(
    "div",
    { class: "grid" },
    chartSections(s.charts),
    section(
      "Batches on L1",
      h("p", { class: "hint" }, "A batch is challengeable (pending) for the challenge window after it lands; a fraud proof reverts it and every later one, and their indices are posted again."),
      table(
        [
          ["batch", (b) => link(b.path, b.label), "nowrap"],
          ["L2 blocks", (b) => [link(`/block/${b.firstBlock}`, String(b.firstBlock)), "–", link(`/block/${b.firstBlock + b.blocks - 1}`, String(b.firstBlock + b.blocks - 1))], "nowrap"],
          ["state", batchState],
          ["L1 tx", (b) => l1Hex(b.l1Tx)],
        ],
        s.batches,
        { empty: "no batches posted yet", testid: "batches", rowAttrs: (b) => ({ class: b.state, "data-testid": "batch", "data-index": b.index, "data-posting": b.posting, "data-state": b.state }) },
      ),
    ),
    section(
      "Challenges and slashings",
      table(
        [
          ["batch", (c) => [c.batch ? link(c.batch.path, c.batch.label) : `#${c.batchIndex}`, h("div", { class: "muted" }, `commitment ${c.commitmentIndex}`)], "nowrap"],
          ["fraud", (c) => [c.reason ? `${c.kind}: ${c.reason}` : c.kind, h("div", { class: "muted" }, `reverted ${plural(c.batchesReverted, "batch", "batches")}`)], "wrap"],
          ["challenger", (c) => l1Hex(c.challenger)],
          ["slashed", (c) => `${amountText(c.slashed)} (${units(c.reward)} to challenger, ${units(c.burned)} burned)`, "wrap"],
          ["L1 tx", (c) => l1Hex(c.l1Tx)],
        ],
        s.challenges,
        { empty: "no fraud proven", rowAttrs: () => ({ "data-testid": "challenge" }) },
      ),
    ),
    section(
      "Withdrawals",
      table(
        [
          ["id", (w) => link(`/tx/${w.l2Tx}`, String(w.id))],
          ["amount", (w) => amountText(w.amount, w.token), "num"],
          ["to (L1)", (w) => l1Hex(w.l1Recipient)],
          ["state", (w) => [badge(w.state, { until: w.state === "posted" ? w.challengeableUntil : null }), WITHDRAWAL_NOTE[w.state] ?? ""], "wrap"],
          ["L2 tx", (w) => txHash(w.l2Tx)],
        ],
        s.withdrawals,
        { empty: "no withdrawals yet", rowAttrs: (w) => ({ "data-testid": "withdrawal", "data-id": w.id, "data-state": w.state }) },
      ),
    ),
    section(
      "Deposit queue",
      table(
        [
          ["#", (d) => String(d.index)],
          ["kind", (d) => d.kind, "wrap"],
          ["account", (d) => address(d.account)],
          ["amount", (d) => (d.kind === "token-registration" ? "—" : amountText(d.amount, d.token)), "num"],
          ["on L2", (d) => badge(d.credited ? "credited" : "pending")],
        ],
        s.deposits,
        { empty: "the queue is empty", rowAttrs: (d) => ({ "data-testid": "deposit", "data-index": d.index, "data-state": d.credited ? "credited" : "pending" }) },
      ),
    ),
    h(
      "section",
      { class: "wide" },
      h("h2", {}, "L2 blocks"),
      table(
        [
          ["block", (b) => link(`/block/${b.number}`, String(b.number))],
          ["time", (b) => time(b.time), "when"],
          // A block is sealed only with something in it: without a transaction, that is L1 queue entries.
          ["transactions", (b) => (b.txs.length ? b.txs.map(txLine) : h("span", { class: "muted" }, b.number === 0 ? "— (genesis)" : "— (L1 deposits applied)")), "wrap"],
        ],
        s.blocks,
        { empty: "no blocks yet", rowAttrs: (b) => ({ "data-testid": "block", "data-number": b.number }) },
      ),
    ),
  );
}
