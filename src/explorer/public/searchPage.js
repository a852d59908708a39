// Search results: several matches (a number that is both a block and a batch), or none.
import { h, link, section } from "./dom.js";

export function searchPage(answer) {
  if (!answer.query) return h("div", { class: "page" }, h("h1", {}, "Search"), section("Nothing to look for", h("p", {}, "Type a transaction hash, a block number or hash, an address, a batch index (#3) or a token symbol in the box above.")));
  if (!answer.results.length) {
    return h(
      "div",
      { class: "page", "data-testid": "search-page" },
      h("h1", {}, "Search"),
      section(
        "Nothing found",
        h("p", { "data-testid": "not-found" }, "Nothing on this chain matches ", h("q", {}, answer.query), "."),
        h("p", { class: "muted" }, "Search takes a transaction hash or a block hash (0x and 64 hex digits), a block number, an address (0x and 40 hex digits), a batch index (#3 or batch 3), the L1 transaction of a batch, or a token symbol."),
      ),
    );
  }
  return h(
    "div",
    { class: "page", "data-testid": "search-page" },
    h("h1", {}, "Search"),
    section(
      `${answer.results.length} matches for “${answer.query}”`,
      h("ul", { class: "results" }, answer.results.map((r) => h("li", { "data-testid": "search-result", "data-kind": r.kind }, link(r.path, r.label)))),
    ),
  );
}
