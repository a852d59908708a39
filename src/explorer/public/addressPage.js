// An address: its balances and nonce, its transactions page by page, its deposits from L1.
import { badge, facts, h, hex, l1Hex, pager, section, table, time } from "./dom.js";
import { amountText, plural } from "./format.js";
import { txTable } from "./txs.js";

const ROLE_NOTE = {
  token: "the L2 address of a bridged token: its transactions are the transfers of that token",
  "withdrawal predeploy": "the withdrawal predeploy: its transactions are the withdrawals to L1",
  account: null,
};

export function addressPage(a) {
  const t = a.token;
  const active = a.nonce > 0 || a.balance !== "0" || a.tokens.length || a.txs.total || a.deposits.length;
  return h(
    "div",
    { class: "page", "data-testid": "address-page" },
    h("h1", {}, t ? `Token ${t.symbol}` : a.role === "account" ? "Address" : "Withdrawal predeploy"),
    section(
      "Overview",
      facts([
        ["address", hex(a.address, { full: true }), "address"],
        ["role", [a.role, ROLE_NOTE[a.role] ? h("span", { class: "muted" }, ` — ${ROLE_NOTE[a.role]}`) : ""], "role"],
        t && ["token", `${t.symbol} (id ${t.id}, ${t.decimals} decimals)`, "token"],
        t && ["on L1", l1Hex(t.l1Token, { full: true })],
        ["ETH balance", amountText(a.balance, null), "balance"],
        ["nonce", `${a.nonce} (${plural(a.nonce, "transaction")} sent)`, "nonce"],
        !active && ["activity", h("span", { class: "muted" }, "none: this address has never held or moved anything on Cairn")],
      ]),
    ),
    section(
      "Token balances",
      table(
        [
          ["token", (b) => hex(b.l2Token, { path: `/address/${b.l2Token}`, label: b.symbol })],
          ["balance", (b) => amountText(b.balance, b), "num"],
          ["L1 token", (b) => l1Hex(b.l1Token)],
        ],
        a.tokens,
        { empty: "no token balance", rowAttrs: () => ({ "data-testid": "token-balance" }) },
      ),
    ),
    section(
      `Transactions (${a.txs.total})`,
      txTable(a.txs.items, { self: a.role === "account" ? a.address : null }),
      pager(`/address/${a.address}`, a.txs),
    ),
    a.deposits.length
      ? section(
          "From L1 (deposits and forced withdrawals)",
          table(
            [
              ["#", (d) => String(d.index)],
              ["kind", (d) => d.kind],
              ["amount", (d) => amountText(d.amount, d.token), "num"],
              ["L1 sender", (d) => l1Hex(d.l1Sender)],
              ["L1 time", (d) => time(d.time), "when"],
              ["on L2", (d) => badge(d.credited ? "credited" : "pending")],
            ],
            a.deposits,
            { rowAttrs: () => ({ "data-testid": "address-deposit" }) },
          ),
        )
      : null,
  );
}
