// Transactions as lists show them: who sent what to whom. A token transfer names its recipient
// (not the token contract it was sent to) and the amount in the token's symbol; a withdrawal
// its amount and its recipient on L1.
import { address, h, l1Hex, link, table, time, txHash } from "./dom.js";
import { amountText } from "./format.js";

/** The amount a transaction moved, in its token's units ("~" when digits are cut: the page has them all). */
export const txAmount = (t, maxFrac = 6) => amountText(t.amount, t.token, maxFrac);

/** "A → B", or for a withdrawal "A → L1 B". */
export function parties(t) {
  const to = t.kind === "withdrawal" ? [h("span", { class: "l1-tag", title: "an address on L1" }, "L1"), " ", l1Hex(t.recipient)] : [address(t.recipient)];
  return h("span", { class: "parties" }, address(t.from), h("span", { class: "arrow" }, " → "), to);
}

/** One line of a block's transactions on the dashboard. */
export function txLine(t) {
  return h("span", { class: "tx", "data-testid": "tx", "data-kind": t.kind }, txHash(t.hash), " ", h("span", { class: "kind" }, t.kind), " ", parties(t), " ", h("span", { class: "amount" }, txAmount(t)));
}

/** A table of transactions; `self` (an address) marks each as in or out. */
export function txTable(txs, { self = null, showBlock = true, empty = "no transactions" } = {}) {
  const columns = [
    ["transaction", (t) => txHash(t.hash)],
    showBlock && ["block", (t) => link(`/block/${t.block}`, String(t.block))],
    showBlock && ["time", (t) => time(t.time), "when"],
    ["kind", (t) => [self ? h("span", { class: `dir ${direction(t, self)}` }, direction(t, self)) : null, " ", t.kind]],
    ["from → to", parties, "wrap"],
    ["amount", (t) => txAmount(t), "num"],
  ].filter(Boolean);
  return table(columns, txs, { empty, testid: "txs", rowAttrs: (t) => ({ "data-testid": "tx-row", "data-hash": t.hash }) });
}

function direction(t, self) {
  const me = self.toLowerCase();
  if (t.from === me && t.recipient === me) return "self";
  return t.from === me ? "out" : "in";
}
