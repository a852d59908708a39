/**
 * The explorer's HTTP server: the page (static files) and `GET /api/snapshot`, which the page
 * polls. Snapshots are shared between clients for a short while, and one is built at a time.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Logger } from "../shared/logger";
import type { ExplorerData, ExplorerSnapshot } from "./snapshot";
import { PACKAGE_ROOT } from "../shared/packageRoot";

const PUBLIC = path.join(PACKAGE_ROOT, "src", "explorer", "public");
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

export async function startExplorer(options: { host: string; port: number; data: ExplorerData; logger: Logger; maxAgeMs?: number }): Promise<ExplorerServer> {
  const maxAge = options.maxAgeMs ?? 400;
  let cached: { at: number; body: string } | null = null;
  let building: Promise<string> | null = null;

  const snapshot = (): Promise<string> => {
    if (cached && Date.now() - cached.at < maxAge) return Promise.resolve(cached.body);
    building ??= options.data
      .snapshot()
      .then((s: ExplorerSnapshot) => {
        cached = { at: Date.now(), body: JSON.stringify(s) };
        return cached.body;
      })
      .finally(() => {
        building = null;
      });
    return building;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://explorer");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (url.pathname === "/api/snapshot") {
      snapshot().then(
        (body) => res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(body),
        (e: unknown) => {
          options.logger.warn({ err: (e as Error).message }, "explorer snapshot failed");
          res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: (e as Error).message.split("\n")[0] }));
        },
      );
      return;
    }
    const file = FILES[url.pathname];
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-cache" });
    fs.createReadStream(path.join(PUBLIC, file.file)).pipe(res);
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
