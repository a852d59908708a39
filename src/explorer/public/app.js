// Cairn explorer: polls /api/snapshot every second and redraws; countdowns tick in between.
"use strict";

const POLL_MS = 1000;
let snapshot = null;
let fetchedAt = 0;
let failures = 0;

/** Builds an element; children are nodes or text (never parsed as HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const short = (hex) => (hex && hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex || "—");
const mono = (hex) => h("span", { class: "mono", title: hex }, short(hex));

function units(wei, decimals = 18) {
  const v = BigInt(wei);
  const whole = v / 10n ** BigInt(decimals);
  const frac = (v % 10n ** BigInt(decimals)).toString().padStart(decimals, "0").slice(0, 6).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function duration(s) {
  s = Math.max(0, Math.ceil(s));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const hrs = Math.floor(s / 3600);
  return hrs < 48 ? `${hrs}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** "1.5 CTT": an amount of ETH (no token) or of a registered token, by its L1 address or id. */
function amount(wei, token) {
  if (token === undefined || token === null || /^0x0{40}$/.test(String(token))) return `${units(wei)} ETH`;
  const t = snapshot.tokens.find((x) => x.id === token || x.l1Token === String(token).toLowerCase());
  return t ? `${units(wei, t.decimals)} ${t.symbol}` : `${units(wei)} (token ${short(String(token))})`;
}

/** L1 time now, extrapolated from the snapshot's. */
const l1Now = () => (snapshot ? snapshot.l1.time + (Date.now() - fetchedAt) / 1000 : 0);

/** A state badge; a challengeable one carries a live countdown to `until`. */
function badge(state, until) {
  const b = h("span", { class: `badge ${state}`, "data-testid": "state" }, state);
  if (until) {
    const c = h("span", { class: "countdown", "data-until": String(until), "data-testid": "countdown" });
    return h("span", {}, b, " ", c);
  }
  return b;
}

function tickCountdowns() {
  for (const el of document.querySelectorAll("[data-until]")) {
    const left = Number(el.dataset.until) - l1Now();
    el.textContent = left > 0 ? `${duration(left)} left` : "final at the next L1 block";
  }
}

function fill(id, rows, empty) {
  const body = document.getElementById(id);
  body.replaceChildren(...(rows.length ? rows : [h("tr", { class: "empty" }, h("td", { colspan: "6" }, empty))]));
}

function render(s) {
  document.getElementById("chain").replaceChildren(
    `L1 block ${s.l1.block} · L2 head ${s.l2.head} · safe ${s.l2.safe} · final ${s.l2.finalized} · state root `,
    mono(s.l2.stateRoot),
    ` · ${s.challengeWindow ? duration(s.challengeWindow) + " challenge window" : ""}`,
  );

  fill(
    "batches",
    s.batches.map((b) =>
      h(
        "tr",
        { class: b.state, "data-testid": "batch", "data-index": b.index, "data-state": b.state },
        h("td", {}, `#${b.index}`),
        h("td", {}, `${b.firstBlock}–${b.firstBlock + b.commitments - 1}`),
        h("td", { class: "state" }, b.state === "reverted" ? h("span", {}, badge("reverted"), " by fraud proof") : badge(b.state, b.state === "challengeable" ? b.challengeableUntil : null)),
        h("td", {}, mono(b.proposer)),
        h("td", {}, mono(b.l1Tx)),
      ),
    ),
    "no batches posted yet",
  );

  fill(
    "challenges",
    s.challenges.map((c) =>
      h(
        "tr",
        { "data-testid": "challenge" },
        h("td", {}, `#${c.batchIndex} (commitment ${c.commitmentIndex})`),
        h("td", {}, c.reason ? `${c.kind}: ${c.reason}` : c.kind),
        h("td", {}, `${c.batchesReverted} batch${c.batchesReverted === 1 ? "" : "es"}`),
        h("td", {}, mono(c.challenger)),
        h("td", { class: "wrap" }, `${units(c.slashed)} ETH (${units(c.reward)} to challenger, ${units(c.burned)} burned)`),
        h("td", {}, mono(c.l1Tx)),
      ),
    ),
    "no fraud proven",
  );

  fill(
    "withdrawals",
    s.withdrawals.map((w) =>
      h(
        "tr",
        { "data-testid": "withdrawal", "data-id": w.id, "data-state": w.state },
        h("td", {}, String(w.id)),
        h("td", {}, amount(w.amount, w.l1Token)),
        h("td", {}, mono(w.l1Recipient)),
        h("td", { class: "state" }, badge(w.state, w.state === "posted" ? w.challengeableUntil : null), w.state === "ready" ? " — can be finalized on L1" : ""),
        h("td", {}, mono(w.l2Tx)),
      ),
    ),
    "no withdrawals yet",
  );

  fill(
    "deposits",
    s.deposits.map((d) =>
      h(
        "tr",
        { "data-testid": "deposit", "data-index": d.index, "data-state": d.credited ? "credited" : "pending" },
        h("td", {}, String(d.index)),
        h("td", {}, d.kind),
        h("td", {}, mono(d.account)),
        h("td", {}, d.kind === "token-registration" ? "—" : amount(d.amount, d.kind.includes("token") ? d.tokenId : null)),
        h("td", {}, badge(d.credited ? "credited" : "pending")),
      ),
    ),
    "the queue is empty",
  );

  fill(
    "blocks",
    s.blocks.map((b) =>
      h(
        "tr",
        { "data-testid": "block", "data-number": b.number },
        h("td", {}, String(b.number)),
        h("td", {}, new Date(b.time * 1000).toLocaleTimeString()),
        h(
          "td",
          {},
          b.txs.length
            ? b.txs.map((t) => h("span", { class: "tx", "data-testid": "tx" }, mono(t.hash), ` ${t.kind} `, mono(t.from), " → ", mono(t.to), t.value !== "0" ? ` ${units(t.value)} ETH` : ""))
            : "—",
        ),
      ),
    ),
    "no blocks yet",
  );
  tickCountdowns();
}

async function poll() {
  const live = document.getElementById("live");
  try {
    const res = await fetch("/api/snapshot", { cache: "no-store" });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
    snapshot = await res.json();
    fetchedAt = Date.now();
    failures = 0;
    render(snapshot);
    live.className = "live";
    live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    failures += 1;
    live.className = "live down";
    live.textContent = `cannot reach the node (${e.message}); retrying`;
  } finally {
    setTimeout(poll, failures ? Math.min(10_000, POLL_MS * 2 ** failures) : POLL_MS);
  }
}

setInterval(tickCountdowns, 250);
poll();
