// Element builders the pages share: links, hashes with a copy button, tables that become cards
// on a phone, fact lists, state badges and pagers. Text is always set as text, never parsed as
// HTML: token symbols and names come from whoever registered the token.
import { dateTime, short } from "./format.js";

/** An element; children are nodes or text; null and undefined attributes and children are skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A link to one of the explorer's pages (the router follows it without a reload). */
export const link = (path, ...children) => h("a", { href: path }, ...children);

const SVG = "http://www.w3.org/2000/svg";

/** Two overlapping sheets, drawn rather than a glyph: fonts without one show a box instead. */
function copyIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  for (const [x, y] of [[5, 5], [2, 2]]) {
    const r = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({ x, y, width: 9, height: 9, rx: 1.5 })) r.setAttribute(k, String(v));
    svg.append(r);
  }
  return svg;
}

/** A button that copies `value` whole. */
export const copyButton = (value) => h("button", { type: "button", class: "copy", "data-copy": value, title: `Copy ${value}`, "aria-label": "Copy the full value", "data-testid": "copy" }, copyIcon());

/**
 * A hash or address: shortened in the middle (full: written out, for a page's own facts), the
 * whole in its title and a copy button, a link to its page when it has one.
 */
export function hex(value, { path = null, full = false, label = null } = {}) {
  if (!value) return "—";
  // One spelling on every page: L1 events carry checksummed addresses, the L2 RPC lower-case ones.
  value = value.toLowerCase();
  const text = label ?? (full ? value : short(value));
  const body = h("span", { class: full ? "mono full" : "mono", title: value, "data-full": value }, text);
  return h("span", { class: "hex" }, path ? link(path, body) : body, copyButton(value));
}

/** An L2 address, linked to its page. */
export const address = (a, opts = {}) => hex(a, { path: a ? `/address/${a.toLowerCase()}` : null, ...opts });
export const txHash = (t, opts = {}) => hex(t, { path: `/tx/${t}`, ...opts });
/** An L1 address or transaction: this explorer has no page for it, so it is shown and copied only. */
export const l1Hex = (v, opts = {}) => hex(v, opts);

/** "2025-06-01 12:00:05 UTC · 5s ago"; the age is kept current by the clock (clock.js). */
export function time(seconds) {
  if (!seconds) return h("span", { class: "muted" }, "— (genesis)");
  return h("span", { class: "time" }, dateTime(seconds), " ", h("span", { class: "age muted", "data-age": seconds }, ""));
}

/** A state badge; with `until`, a countdown to that L1 time ticks beside it (clock.js). */
export function badge(state, { until = null, text = state } = {}) {
  const b = h("span", { class: `badge ${state}`, "data-testid": "state" }, text);
  if (!until) return b;
  return h("span", { class: "badged" }, b, " ", h("span", { class: "countdown", "data-until": String(until), "data-testid": "countdown" }));
}

/** A batch posting's state: "pending" while challengeable, with the time left; final; reverted. */
export function batchState(ref) {
  const pending = ref.state === "challengeable";
  return badge(ref.state, { text: pending ? "pending" : ref.state, until: pending ? ref.challengeableUntil : null });
}

/** A batch posting: its label linked to its page, and its state. */
export function batchRef(ref) {
  if (!ref) return h("span", { class: "muted" }, "not posted yet");
  return h("span", { class: "batch-ref" }, link(ref.path, ref.label), " ", batchState(ref));
}

/**
 * A table from column definitions `[header, cell(row) → content, class?]`. Each cell carries its
 * header as data-label, which the phone layout shows in front of it (style.css).
 */
export function table(columns, rows, { empty = "nothing yet", rowAttrs = () => ({}), testid = null } = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map(([name, , cls]) => h("th", { class: cls }, name))));
  const body = rows.length
    ? rows.map((r) => h("tr", rowAttrs(r), columns.map(([name, cell, cls]) => h("td", { "data-label": name, class: cls }, h("div", { class: "cell" }, cell(r))))))
    : [h("tr", { class: "empty" }, h("td", { colspan: String(columns.length) }, empty))];
  return h("div", { class: "table-wrap" }, h("table", { "data-testid": testid }, head, h("tbody", {}, body)));
}

/** A page's facts, label beside value (stacked on a phone). */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(Boolean).map(([k, v, testid]) => [h("dt", {}, k), h("dd", { "data-testid": testid }, v)]),
  );
}

export const section = (title, ...children) => h("section", {}, h("h2", {}, title), ...children);

/** Previous / next links for page `page` of `total` items, `pageSize` a page, at `base` (?page=n added). */
export function pager(base, { page, pageSize, total }) {
  const last = Math.max(1, Math.ceil(total / pageSize));
  if (last === 1) return null;
  const at = (n) => `${base}?page=${n}`;
  return h(
    "nav",
    { class: "pager", "data-testid": "pager" },
    page > 1 ? link(at(page - 1), "← previous") : h("span", { class: "muted" }, "← previous"),
    ` page ${page} of ${last} `,
    page < last ? link(at(page + 1), "next →") : h("span", { class: "muted" }, "next →"),
  );
}

/** Copies the value of a copy button clicked anywhere (the async clipboard needs a secure origin; else the old way). */
export function handleCopies(root) {
  root.addEventListener("click", async (e) => {
    const button = e.target instanceof Element ? e.target.closest("button.copy") : null;
    if (!button) return;
    const value = button.dataset.copy;
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const area = h("textarea", { readonly: true, style: "position:fixed;opacity:0" }, value);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.classList.add("copied");
    setTimeout(() => button.classList.remove("copied"), 1200);
  });
}
