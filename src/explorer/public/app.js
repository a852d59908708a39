// Cairn explorer: the dashboard polls /api/snapshot every second and redraws; a page of its own
// (a transaction, block, address, batch or search) reads its /api/ answer and redraws when that
// changes, so a batch's state moves on without a reload. Countdowns and ages tick in between.
import { dashboard } from "./dashboard.js";
import { h, handleCopies, hex, section } from "./dom.js";
import { duration } from "./format.js";
import { setL1Time, tick } from "./clock.js";
import { routeOf, startRouter } from "./router.js";
import { txPage } from "./txPage.js";
import { blockPage } from "./blockPage.js";
import { addressPage } from "./addressPage.js";
import { batchPage } from "./batchPage.js";
import { searchPage } from "./searchPage.js";

const POLL_MS = 1000;
const PAGES = { tx: txPage, block: blockPage, address: addressPage, batch: batchPage, search: searchPage };
const TITLES = { tx: (t) => `Transaction ${t.hash}`, block: (b) => `Block ${b.number}`, address: (a) => `Address ${a.address}`, batch: (b) => `Batch ${b.label}`, search: (s) => `Search ${s.query}` };

const view = document.getElementById("view");
let route = routeOf(location);
let snapshot = null;
/** The last answer drawn for the current page: an unchanged one is not drawn again (a selection survives). */
let drawn = null;
let failures = 0;

function notFound(message) {
  return h("div", { class: "page", "data-testid": "not-found-page" }, h("h1", {}, "Not found"), section("Nothing here", h("p", { "data-testid": "not-found" }, message)));
}

function drawHome() {
  if (route.kind !== "home") return;
  view.replaceChildren(snapshot ? dashboard(snapshot) : h("p", { class: "muted" }, "connecting…"));
  document.title = "Cairn explorer";
  tick(view);
}

async function loadPage() {
  const r = route;
  if (!r.api) {
    view.replaceChildren(notFound("The explorer has no page at this address."));
    return;
  }
  const res = await fetch(r.api, { cache: "no-store" });
  const text = await res.text();
  if (r !== route || text === drawn) return;
  if (res.status >= 500) {
    // The node or L1 did not answer: say so where the page would be; the next poll tries again.
    const message = JSON.parse(text).error || `HTTP ${res.status}`;
    if (drawn === null) view.replaceChildren(h("div", { class: "page", "data-testid": "unavailable-page" }, h("h1", {}, "Not available"), section("The explorer could not read the chain", h("p", {}, message), h("p", { class: "muted" }, "Retrying…"))));
    throw new Error(message);
  }
  drawn = text;
  const body = JSON.parse(text);
  view.replaceChildren(res.ok ? PAGES[r.kind](body) : notFound(`${body.error[0].toUpperCase()}${body.error.slice(1)}.`));
  document.title = `${res.ok ? TITLES[r.kind](body) : "Not found"} · Cairn explorer`;
  tick(view);
}

/** Draws the current location; `moved`: the user went somewhere (scroll to the top, show it at once). */
async function show(moved) {
  route = routeOf(location);
  drawn = null;
  if (moved) scrollTo(0, 0);
  if (route.kind === "home") return drawHome();
  view.replaceChildren(h("p", { class: "muted" }, "loading…"));
  await loadPage().catch(reportDown);
}

function drawChain(s) {
  document.getElementById("chain").replaceChildren(
    `L1 block ${s.l1.block} · L2 head `,
    h("a", { href: `/block/${s.l2.head}` }, String(s.l2.head)),
    ` · safe ${s.l2.safe} · final ${s.l2.finalized}${s.challengeWindow ? ` · ${duration(s.challengeWindow)} challenge window` : ""} · state root `,
    hex(s.l2.stateRoot),
  );
}

function reportDown(e) {
  failures += 1;
  const live = document.getElementById("live");
  live.className = "live down";
  live.textContent = `cannot reach the node (${e.message}); retrying`;
}

let polls = 0;
async function poll() {
  try {
    const res = await fetch("/api/snapshot", { cache: "no-store" });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
    snapshot = await res.json();
    setL1Time(snapshot.l1.time);
    drawChain(snapshot);
    if (route.kind === "home") drawHome();
    // A page of its own changes slowly (a batch becoming final): every other poll is enough.
    else if (polls++ % 2 === 1) await loadPage();
    failures = 0;
    const live = document.getElementById("live");
    live.className = "live";
    live.textContent = `live · updated ${new Date().toISOString().slice(11, 19)} UTC`;
  } catch (e) {
    reportDown(e);
  } finally {
    setTimeout(poll, failures ? Math.min(10_000, POLL_MS * 2 ** failures) : POLL_MS);
  }
}

const navigate = startRouter(show);
handleCopies(document);
document.getElementById("search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = document.getElementById("q").value.trim();
  if (!q) return;
  const to = `/search?q=${encodeURIComponent(q)}`;
  // One match goes straight to its page; several, or none, to the results, which say which or that none.
  const answer = await fetch(`/api${to}`, { cache: "no-store" }).then((r) => (r.ok ? r.json() : null), () => null);
  navigate(answer && answer.results.length === 1 ? answer.results[0].path : to);
});
setInterval(() => tick(document), 250);
show(false);
poll();
