// A batch posting: where it is on L1, what it claims, the blocks it holds, and how it ended.
import { batchState, facts, h, hex, l1Hex, link, pager, section, table, time } from "./dom.js";
import { amountText, plural, units } from "./format.js";

function fraudProof(p, b) {
  const against = p.batchIndex === b.index ? `this batch, commitment ${p.commitmentIndex} (L2 block ${b.firstBlock + p.commitmentIndex})` : `batch #${p.batchIndex}, commitment ${p.commitmentIndex}: this batch came after it and fell with it`;
  return section(
    "Fraud proof",
    h("div", { "data-testid": "fraud-proof" }, facts([
      ["proven", p.reason ? `${p.kind}: ${p.reason}` : p.kind, "fraud"],
      ["against", against],
      ["L1 tx", l1Hex(p.l1Tx, { full: true })],
      ["L1 time", time(p.time)],
      ["challenger", l1Hex(p.challenger, { full: true })],
      ["proposer slashed", [l1Hex(p.proposer), ` ${amountText(p.slashed)}: ${units(p.reward)} to the challenger, ${units(p.burned)} burned`]],
      ["reverted", plural(p.batchesReverted, "batch", "batches")],
    ])),
  );
}

export function batchPage(b) {
  const base = b.posting > 1 || b.postings.length > 1 ? `/batch/${b.index}/${b.posting}` : `/batch/${b.index}`;
  const rootDiffers = b.l2StateRoot && b.l2StateRoot.toLowerCase() !== b.postedStateRoot.toLowerCase();
  return h(
    "div",
    { class: "page", "data-testid": "batch-page" },
    h("h1", { "data-testid": "batch-label" }, `Batch ${b.label}`),
    section(
      "Overview",
      facts([
        ["state", [batchState(b), b.state === "final" ? h("span", { class: "muted" }, " — its withdrawals can be finalized on L1") : ""], "batch-state"],
        ["index", `${b.index}${b.postings.length > 1 ? ` (posting ${b.posting} of ${b.postings.length} of this index)` : ""}`],
        ["L2 blocks", [link(`/block/${b.firstBlock}`, String(b.firstBlock)), " – ", link(`/block/${b.lastBlock}`, String(b.lastBlock)), ` (${plural(b.lastBlock - b.firstBlock + 1, "block")})`], "blocks"],
        ["L1 tx", l1Hex(b.l1Tx, { full: true }), "l1tx"],
        ["L1 block", String(b.l1Block), "l1block"],
        ["posted", time(b.submittedAt)],
        b.state === "reverted" ? null : [b.state === "final" ? "final since" : "challengeable until", time(b.challengeableUntil)],
        ["proposer", l1Hex(b.proposer, { full: true })],
        ["state root (posted)", hex(b.postedStateRoot, { full: true }), "state-root"],
        rootDiffers && ["L2's state root", [hex(b.l2StateRoot, { full: true }), h("div", { class: "bad" }, `≠ the posted one: the L2's block ${b.lastBlock} has this root`)]],
        ["L1 queue entries", String(b.queueCount)],
      ]),
    ),
    b.fraudProof ? fraudProof(b.fraudProof, b) : null,
    b.postings.length > 1
      ? section(
          `Postings of batch #${b.index}`,
          table(
            [
              ["posting", (r) => (r.posting === b.posting ? h("strong", {}, r.label, " (this page)") : link(r.path, r.label))],
              ["state", batchState],
            ],
            b.postings,
            { rowAttrs: (r) => ({ "data-testid": "posting", "data-state": r.state }) },
          ),
        )
      : null,
    section(
      "L2 blocks in this batch",
      table(
        [
          ["block", (x) => link(`/block/${x.number}`, String(x.number))],
          ["hash", (x) => hex(x.hash, { path: `/block/${x.number}` })],
          ["time", (x) => time(x.time), "when"],
          ["transactions", (x) => String(x.txCount), "num"],
        ],
        b.blocks.items,
        { empty: "the node has not indexed these blocks yet", rowAttrs: () => ({ "data-testid": "batch-block" }) },
      ),
      pager(base, b.blocks),
    ),
  );
}
