/**
 * The explorer's HTTP server: the page (static files: HTML, CSS and the page's ES modules), the
 * page again for every address of a page of its own (/tx/…, /block/…, /address/…, /batch/…,
 * /search), so that a link shared or reloaded opens where it pointed, and the JSON API:
 * `GET /api/snapshot`, which the dashboard polls — shared between clients for a short while,
 * one built at a time — and the pages' answers (routes.ts).
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Logger } from "../shared/logger";
import { PACKAGE_ROOT } from "../shared/packageRoot";
import type { ExplorerData } from "./data";
import { answerApi } from "./routes";
import { buildSnapshot } from "./snapshot";

const PUBLIC = path.join(PACKAGE_ROOT, "src", "explorer", "public");
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
/** The page's own addresses: the client routes them (public/router.js). */
const PAGE_PATHS = /^\/(?:(?:tx|block|address)\/[^/]+|batch\/\d+(?:\/\d+)?|search)\/?$/;

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

/** The static files served, by URL path: what public/ holds, read once (nothing outside it is reachable). */
function staticFiles(): Map<string, { file: string; type: string }> {
  const files = new Map<string, { file: string; type: string }>();
  for (const name of fs.readdirSync(PUBLIC)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(`/${name}`, { file: path.join(PUBLIC, name), type });
  }
  files.set("/", files.get("/index.html")!);
  return files;
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

export async function startExplorer(options: { host: string; port: number; data: ExplorerData; logger: Logger; maxAgeMs?: number }): Promise<ExplorerServer> {
  const maxAge = options.maxAgeMs ?? 400;
  const files = staticFiles();
  let cached: { at: number; body: string } | null = null;
  let building: Promise<string> | null = null;

  const snapshot = (): Promise<string> => {
    if (cached && Date.now() - cached.at < maxAge) return Promise.resolve(cached.body);
    building ??= buildSnapshot(options.data)
      .then((s) => {
        cached = { at: Date.now(), body: JSON.stringify(s) };
        return cached.body;
      })
      .finally(() => {
        building = null;
      });
    return building;
  };

  const json = (res: http.ServerResponse, status: number, body: string) => res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(body);
  // The node or L1 did not answer: the page says so and retries.
  const unavailable = (res: http.ServerResponse, e: unknown) => {
    options.logger.warn({ err: firstLine(e) }, "explorer read failed");
    json(res, 503, JSON.stringify({ error: firstLine(e) }));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://explorer");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (url.pathname === "/api/snapshot") {
      snapshot().then((body) => json(res, 200, body), (e: unknown) => unavailable(res, e));
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      answerApi(options.data, url).then(
        (answer) => json(res, answer?.status ?? 404, JSON.stringify(answer?.body ?? { error: "no such API path" })),
        (e: unknown) => unavailable(res, e),
      );
      return;
    }
    const file = files.get(url.pathname) ?? (PAGE_PATHS.test(url.pathname) ? files.get("/") : undefined);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-cache" });
    fs.createReadStream(file.file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
