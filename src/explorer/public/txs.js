// Transactions as lists show them: who sent what to whom. A token transfer names its recipient
// (not the token contract it was sent to) and the amount in the token's symbol; a transferFrom
// the owner whose tokens moved (its sender is the spender); an approve the spender and the
// allowance; a withdrawal its amount and its recipient on L1.
import { address, h, l1Hex, link, table, time, txHash } from "./dom.js";
import { amountText } from "./format.js";

/** The amount a transaction moved, in its token's units ("~" when digits are cut: the page has them all). */
export const txAmount = (t, maxFrac = 6) => amountText(t.amount, t.token, maxFrac);

/** "A → B", for a withdrawal "A → L1 B", for a transferFrom "owner → B (by spender)", for an approve "owner → spender". */
export function parties(t) {
  const to = t.kind === "withdrawal" ? [h("span", { class: "l1-tag", title: "an address on L1" }, "L1"), " ", l1Hex(t.recipient)] : [address(t.recipient)];
  if (t.kind === "transferFrom" && t.owner) {
    return h("span", { class: "parties" }, address(t.owner), h("span", { class: "arrow" }, " → "), to, h("span", { class: "muted" }, " by "), address(t.from));
  }
  const arrow = t.kind === "approve" ? h("span", { class: "arrow", title: "allows" }, " ⇢ ") : h("span", { class: "arrow" }, " → ");
  return h("span", { class: "parties" }, address(t.from), arrow, to);
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
  // A transferFrom's tokens leave its owner, whoever sent it.
  const source = t.kind === "transferFrom" && t.owner ? t.owner : t.from;
  if (source === me && t.recipient === me) return "self";
  if (source === me) return "out";
  return t.recipient === me ? "in" : "spender";
}
