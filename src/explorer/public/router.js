// The page's addresses: each page has a path of its own (the server answers every one with this
// page), so a link can be shared and a reload stays put. Links within the explorer are followed
// without a reload; back and forward work through the history API.

/** What `location` shows: the dashboard, a page read from `api`, or an address no page has. */
export function routeOf(loc) {
  const path = loc.pathname.replace(/\/+$/, "") || "/";
  const params = new URLSearchParams(loc.search);
  const page = /^\d+$/.test(params.get("page") ?? "") ? params.get("page") : "1";
  let m;
  if (path === "/") return { kind: "home" };
  if ((m = /^\/tx\/([^/]+)$/.exec(path))) return { kind: "tx", api: `/api/tx/${m[1]}` };
  if ((m = /^\/block\/([^/]+)$/.exec(path))) return { kind: "block", api: `/api/block/${m[1]}` };
  if ((m = /^\/address\/([^/]+)$/.exec(path))) return { kind: "address", api: `/api/address/${m[1]}?page=${page}` };
  if ((m = /^\/batch\/(\d+)(?:\/(\d+))?$/.exec(path))) return { kind: "batch", api: `/api/batch/${m[1]}${m[2] ? "/" + m[2] : ""}?page=${page}` };
  if (path === "/search") return { kind: "search", api: `/api/search?q=${encodeURIComponent(params.get("q") ?? "")}` };
  return { kind: "unknown" };
}

/** Starts following in-page links; `show` renders the current location. Returns `navigate(path)`. */
export function startRouter(show) {
  const navigate = (path) => {
    if (path !== location.pathname + location.search) history.pushState(null, "", path);
    show(true);
  };
  document.addEventListener("click", (e) => {
    const a = e.target instanceof Element ? e.target.closest("a[href^='/']") : null;
    // A modified click opens a tab, as on any page.
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
    e.preventDefault();
    navigate(a.getAttribute("href"));
  });
  addEventListener("popstate", () => show(true));
  return navigate;
}
