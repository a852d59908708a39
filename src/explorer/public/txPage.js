// A transaction: what it moved, what it cost, its logs, and where it stands on L1; for a
// withdrawal, whether the node has its proof and whether L1 would pay it now.
import { address, badge, batchRef, facts, h, hex, l1Hex, link, section, table, time } from "./dom.js";
import { amountText, dateTime, gwei, plural, units } from "./format.js";

/** A withdrawal's state in the words of its life: posted, then challengeable, then ready, then paid. */
const WITHDRAWAL_STATES = { "on-l2": "not posted", posted: "challengeable", ready: "ready to finalize", finalized: "finalized" };

/** Whether Bridge.finalizeWithdrawal would pay it now, and if not, why and until when. */
function finalizable(w) {
  switch (w.state) {
    case "on-l2":
      return "no: its L2 block is not in a batch on L1 yet";
    case "posted":
      return ["no: its batch is challengeable until ", dateTime(w.challengeableUntil), " (", h("span", { class: "countdown", "data-until": String(w.challengeableUntil), "data-testid": "countdown" }), ")"];
    case "ready":
      return [h("strong", {}, "yes"), ": its batch is final; anyone can send Bridge.finalizeWithdrawal with the proof (", h("code", {}, `cairn finalize ${w.id}`), ")"];
    default:
      return "no: already finalized, paid out on L1";
  }
}

/** The node's proof against the withdrawal root of the batch holding the block (empty when it is that batch's only withdrawal). */
function proof(p) {
  if (!p) return "not available yet: the node has one once the block is in a batch on L1";
  const batch = link(`/batch/${p.batchIndex}`, `batch #${p.batchIndex}`);
  return p.hashes ? ["available: ", plural(p.hashes, "hash", "hashes"), " against the withdrawal root of ", batch] : ["available: against the withdrawal root of ", batch, " (its only withdrawal, so the proof is empty)"];
}

function withdrawalSection(w) {
  return section(
    "Withdrawal to L1",
    facts([
      ["proof", proof(w.proof), "withdrawal-proof"],
      ["can be finalized now", finalizable(w), "finalizable"],
      w.payoutTx && ["paid in L1 tx", l1Hex(w.payoutTx, { full: true }), "payout"],
    ]),
  );
}

function what(t) {
  const amount = h("strong", { "data-testid": "amount" }, amountText(t.amount, t.token));
  if (t.kind === "withdrawal") return [amount, " withdrawn from ", address(t.from), " to ", h("span", { class: "l1-tag" }, "L1"), " ", l1Hex(t.recipient, { full: true })];
  if (t.kind === "approve") return [address(t.from), " allows ", address(t.recipient, { full: true }), " to spend ", amount];
  if (t.kind === "transferFrom" && t.owner) return [amount, " from ", address(t.owner), " to ", address(t.recipient, { full: true }), " by spender ", address(t.from)];
  return [amount, " from ", address(t.from), " to ", address(t.recipient, { full: true })];
}

export function txPage(t) {
  const included = t.status === "included";
  const w = t.withdrawal;
  return h(
    "div",
    { class: "page", "data-testid": "tx-page" },
    h("h1", {}, "Transaction"),
    section(
      "Overview",
      facts([
        ["hash", hex(t.hash, { full: true }), "hash"],
        ["status", included ? badge("included", { text: "included" }) : badge("pending", { text: "pending: in the block being built" }), "status"],
        ["block", included ? [link(`/block/${t.block}`, String(t.block)), " ", t.time ? time(t.time) : ""] : "—", "block"],
        ["batch", [batchRef(t.batch), ...t.revertedIn.map((r) => [h("br"), "was in ", batchRef(r)])], "batch"],
        ["kind", t.kind, "kind"],
        [t.kind === "approve" ? "approved" : "transferred", what(t), "transferred"],
        t.kind !== "transfer" && t.kind !== "withdrawal" && ["token", [t.token ? `${t.token.symbol} at ` : "", address(t.to, { full: true })]],
        ["from", address(t.from, { full: true }), "from"],
        ["to", address(t.to, { full: true }), "to"],
        ["value", `${units(t.value)} ETH`, "value"],
        ["fee", t.fee === null ? "—" : [`${units(t.fee)} ETH`, h("span", { class: "muted" }, ` = ${Number(t.gasUsed).toLocaleString("en-US")} gas × ${gwei(t.effectiveGasPrice)}`)], "fee"],
        ["gas", `${t.gasUsed === null ? "—" : Number(t.gasUsed).toLocaleString("en-US")} used of ${Number(t.gasLimit).toLocaleString("en-US")} (limit)`, "gas"],
        ["nonce", String(t.nonce), "nonce"],
        ["type", t.type === 2 ? "2 (EIP-1559)" : `${t.type} (legacy)`],
        w && ["withdrawal", [`#${w.id} `, badge(w.state, { text: WITHDRAWAL_STATES[w.state] })], "withdrawal"],
      ]),
    ),
    w ? withdrawalSection(w) : null,
    section("Input data", h("div", { class: "mono full wrap-all", "data-testid": "input" }, t.input === "0x" ? "0x (none: a plain ETH transfer)" : t.input)),
    section(
      `Logs (${t.logs.length})`,
      table(
        [
          ["#", (l) => String(l.index)],
          ["emitted by", (l) => address(l.address)],
          ["event", (l) => l.decoded ?? h("span", { class: "muted" }, "(not decoded)"), "wrap"],
          ["topics and data", (l) => h("div", { class: "mono wrap-all small" }, [...l.topics, l.data].map((x) => h("div", {}, x))), "wrap"],
        ],
        t.logs,
        { empty: included ? "this transaction emitted no log" : "no logs until it is in a block", rowAttrs: () => ({ "data-testid": "log" }) },
      ),
    ),
  );
}
