/**
 * The explorer's JSON API besides the snapshot: one answer per page and the search. Paths are
 * checked here, so that the page builders get well-formed hashes, addresses and numbers only;
 * anything else is a 400 that says what was expected, and what the chain does not hold a 404.
 */
import type { ExplorerData } from "./data";
import { addressPage } from "./pages/addressPage";
import { batchPage } from "./pages/batchPage";
import { blockPage } from "./pages/blockPage";
import { txPage } from "./pages/txPage";
import { search } from "./search";

export interface ApiAnswer {
  status: 200 | 400 | 404;
  body: unknown;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const NUMBER = /^\d{1,15}$/;
/** The deepest page a list is read to: far beyond any list here, and it keeps `page` a small number. */
const MAX_PAGE = 1_000_000;

const bad = (error: string): ApiAnswer => ({ status: 400, body: { error } });
const found = (body: unknown, what: string): ApiAnswer => (body === null ? { status: 404, body: { error: `no ${what} on this chain` } } : { status: 200, body });

function pageParam(url: URL): number | null {
  const raw = url.searchParams.get("page") ?? "1";
  return NUMBER.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_PAGE ? Number(raw) : null;
}

/** The answer to an /api/ path other than the snapshot; null when no route matches. */
export async function answerApi(data: ExplorerData, url: URL): Promise<ApiAnswer | null> {
  const [, api, kind, ref, sub, ...rest] = url.pathname.split("/");
  if (api !== "api" || rest.length) return null;
  if (kind === "search" && ref === undefined) return { status: 200, body: await search(data, url.searchParams.get("q") ?? "") };
  if (ref === undefined) return null;
  const page = pageParam(url);
  if (page === null) return bad(`page must be a number from 1 to ${MAX_PAGE}`);
  switch (sub === undefined ? kind : `${kind}/`) {
    case "tx":
      return HASH.test(ref) ? found(await txPage(data, ref.toLowerCase()), `transaction ${ref}`) : bad("a transaction hash is 0x and 64 hex digits");
    case "block":
      if (NUMBER.test(ref)) return found(await blockPage(data, Number(ref)), `block ${ref}`);
      return HASH.test(ref) ? found(await blockPage(data, ref.toLowerCase()), `block ${ref}`) : bad("a block is a number, or a hash of 0x and 64 hex digits");
    case "address":
      return ADDRESS.test(ref) ? found(await addressPage(data, ref.toLowerCase(), page), "address") : bad("an address is 0x and 40 hex digits");
    case "batch":
    case "batch/":
      if (!NUMBER.test(ref) || (sub !== undefined && !NUMBER.test(sub))) return bad("a batch is its index, optionally /posting (1 for its first posting on L1)");
      return found(await batchPage(data, Number(ref), sub === undefined ? undefined : Number(sub), page), `batch ${ref}${sub ? ` posting ${sub}` : ""}`);
    default:
      return null;
  }
}
