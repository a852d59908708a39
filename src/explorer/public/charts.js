// The dashboard's two charts of the last hour, a bar a minute: L2 transactions per block, and
// L1 gas per L2 transaction (what posting batches cost on L1, shared by the transactions they
// carry). Plain SVG built here from the snapshot's bins: no chart library, nothing fetched from
// elsewhere (a devnet runs offline).
import { h, section } from "./dom.js";
import { plural } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
/** The drawing's own units; it scales to its box's width (style.css). */
const W = 560;
const H = 200;
const M = { left: 64, right: 14, top: 12, bottom: 42 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The axis' top: 1, 2 or 5 times a power of ten, at least `v`, so the ticks read as round numbers. */
function axisMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/** "950", "12.5k", "3.2M": tick labels short enough for the axis. */
function compact(n) {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return n >= 10 || n === 0 ? Math.round(n).toLocaleString("en-US") : String(+n.toFixed(1));
}

/**
 * A bar chart of `values` (one a bin, oldest first; null: no bar) over the last hour, with a
 * y axis named `yLabel` and "minutes ago" under the x axis; `tip(i)` is each bar's tooltip.
 */
function barChart(values, { yLabel, tip, emptyText, testid }) {
  const top = axisMax(Math.max(0, ...values.filter((v) => v !== null)));
  const y = (v) => M.top + PLOT_H - (v / top) * PLOT_H;
  const slot = PLOT_W / values.length;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${yLabel}, last hour`, "data-testid": testid, class: "chart" });
  for (const v of [0, top / 2, top]) {
    svg.append(s("line", { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: v ? "grid" : "axis" }));
    svg.append(s("text", { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, compact(v)));
  }
  for (const ago of [60, 45, 30, 15, 0]) {
    const x = M.left + PLOT_W - (ago / 60) * PLOT_W;
    svg.append(s("line", { x1: x, x2: x, y1: M.top + PLOT_H, y2: M.top + PLOT_H + 4, class: "axis" }));
    svg.append(s("text", { x, y: M.top + PLOT_H + 17, "text-anchor": ago === 60 ? "start" : ago === 0 ? "end" : "middle" }, ago ? String(ago) : "now"));
  }
  svg.append(s("text", { x: M.left + PLOT_W / 2, y: H - 4, "text-anchor": "middle", class: "label" }, "minutes ago"));
  svg.append(s("text", { x: 12, y: M.top + PLOT_H / 2, "text-anchor": "middle", class: "label", transform: `rotate(-90 12 ${M.top + PLOT_H / 2})` }, yLabel));
  values.forEach((v, i) => {
    if (v === null) return;
    // A bar at least a pixel high, so that a small value still shows there was activity.
    const height = Math.max(1, M.top + PLOT_H - y(v));
    svg.append(s("rect", { x: M.left + i * slot + slot * 0.1, y: M.top + PLOT_H - height, width: slot * 0.8, height, class: "bar", "data-testid": "bar" }, s("title", {}, tip(i))));
  });
  if (values.every((v) => v === null)) svg.append(s("text", { x: M.left + PLOT_W / 2, y: M.top + PLOT_H / 2, "text-anchor": "middle", class: "label" }, emptyText));
  return svg;
}

/** "12–11 min ago" for bin `i` of `n` (the last one ends now). */
function minutesAgo(i, n, binSeconds) {
  const to = ((n - 1 - i) * binSeconds) / 60;
  return to === 0 ? `last ${binSeconds / 60} min` : `${to + binSeconds / 60}–${to} min ago`;
}

const sum = (xs, key) => xs.reduce((a, x) => a + x[key], 0);
const whole = (n) => Math.round(n).toLocaleString("en-US");

/** The two charts as dashboard sections. */
export function chartSections(c) {
  const blocks = sum(c.blocks, "blocks");
  const txs = sum(c.blocks, "txs");
  const perBlock = c.blocks.map((b) => (b.blocks ? b.txs / b.blocks : null));
  const batched = c.batches.filter((b) => b.txs > 0);
  const gas = sum(batched, "l1Gas");
  const batchedTxs = sum(batched, "txs");
  // A batch of L1 deposits only carries no transaction to share its gas: its bin has no bar.
  const perTx = c.batches.map((b) => (b.txs ? b.l1Gas / b.txs : null));
  return [
    section(
      "L2 transactions per block, last hour",
      h("div", { class: "chart-box" }, barChart(perBlock, {
        yLabel: "transactions / block",
        tip: (i) => `${minutesAgo(i, perBlock.length, c.binSeconds)}: ${plural(c.blocks[i].blocks, "block")}, ${plural(c.blocks[i].txs, "transaction")} (${+perBlock[i].toFixed(2)} per block)`,
        emptyText: "no L2 blocks in the last hour",
        testid: "chart-txs",
      })),
      h("p", { class: "hint", "data-testid": "chart-txs-summary" }, blocks ? `${plural(blocks, "block")}, ${plural(txs, "transaction")}: ${+(txs / blocks).toFixed(2)} per block on average. Bars: the mean of each minute, by L2 block time.` : "No L2 blocks in the last hour."),
    ),
    section(
      "L1 gas per L2 transaction, last hour",
      h("div", { class: "chart-box" }, barChart(perTx, {
        yLabel: "L1 gas / transaction",
        tip: (i) => `${minutesAgo(i, perTx.length, c.binSeconds)}: ${plural(c.batches[i].batches, "batch", "batches")}, ${whole(c.batches[i].l1Gas)} L1 gas for ${plural(c.batches[i].txs, "transaction")} (${whole(perTx[i])} gas each)`,
        emptyText: "no batch of transactions posted in the last hour",
        testid: "chart-gas",
      })),
      h("p", { class: "hint", "data-testid": "chart-gas-summary" }, batchedTxs ? `${plural(batched.reduce((a, b) => a + b.batches, 0), "batch", "batches")} carrying ${plural(batchedTxs, "transaction")} used ${whole(gas)} L1 gas: ${whole(gas / batchedTxs)} gas per transaction. Bars: each minute's batches (L1 time), their submissions' gasUsed over the transactions they hold.` : "No batch of transactions posted in the last hour."),
    ),
  ];
}
