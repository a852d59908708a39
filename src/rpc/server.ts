/**
 * JSON-RPC 2.0 over HTTP POST, single and batch requests. Dispatch, parse errors and unknown
 * methods are json-rpc-2.0's; this file adds the transport, size limits and error hygiene
 * (an unexpected exception becomes -32603 and is logged, never a crashed process).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCResponse } from "json-rpc-2.0";
import { randomBytes } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../node/logger";
import type { L2Block } from "../node/chainStore";
import { RpcCode } from "./errors";
import type { Method } from "./methods";
import { formatBlock } from "./format";
import { blockLogs, parseLogFilter, type LogFilter } from "./logs";

export interface RpcServerOptions {
  host?: string;
  port?: number;
  logger: Logger;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Most requests in one batch. */
  maxBatchSize?: number;
  /** Where new blocks come from, for eth_subscribe over WebSocket. */
  onBlock?: (listener: (block: L2Block) => void) => void;
  chainId?: bigint;
}

type Subscription = { kind: "newHeads" } | { kind: "logs"; filter: LogFilter };

/** Most subscriptions one WebSocket connection may hold. */
const MAX_SUBSCRIPTIONS = 100;

export class RpcServer {
  private readonly rpc: JSONRPCServer;
  private readonly http: http.Server;
  private readonly maxBodyBytes: number;
  private readonly maxBatchSize: number;

  constructor(
    methods: Record<string, Method>,
    private readonly options: RpcServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.rpc = new JSONRPCServer({
      errorListener: (message, error) => {
        if (!(error instanceof JSONRPCErrorException)) options.logger.error({ err: error }, message);
      },
    });
    this.rpc.mapErrorToJSONRPCErrorResponse = (id, error) =>
      error instanceof JSONRPCErrorException
        ? createJSONRPCErrorResponse(id, error.code, error.message, error.data)
        : createJSONRPCErrorResponse(id, RpcCode.INTERNAL, "internal error");
    for (const [name, method] of Object.entries(methods)) {
      this.rpc.addMethod(name, (params: unknown) => method(Array.isArray(params) ? params : params === undefined ? [] : [params]));
    }
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 60_000;
    this.ws = new WebSocketServer({ server: this.http, maxPayload: this.maxBodyBytes });
    this.ws.on("connection", (socket) => this.serveSocket(socket));
    options.onBlock?.((block) => this.publish(block));
  }

  private readonly ws: WebSocketServer;
  private readonly sockets = new Map<WebSocket, Map<string, Subscription>>();

  /** JSON-RPC over one WebSocket: the same methods, plus eth_subscribe / eth_unsubscribe. */
  private serveSocket(socket: WebSocket): void {
    const subs = new Map<string, Subscription>();
    this.sockets.set(socket, subs);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => this.sockets.delete(socket));
    socket.on("message", (data) => {
      void this.onSocketMessage(socket, subs, data.toString()).catch((e: unknown) => this.options.logger.error({ err: e }, "WebSocket message failed"));
    });
  }

  private async onSocketMessage(socket: WebSocket, subs: Map<string, Subscription>, text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.send(socket, createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error"));
    }
    const one = async (r: unknown) => {
      const req = r as { id?: number | string | null; method?: unknown; params?: unknown };
      if (req && typeof req === "object" && (req.method === "eth_subscribe" || req.method === "eth_unsubscribe")) {
        return this.subscription(subs, req);
      }
      return this.receiveOne(r);
    };
    if (Array.isArray(parsed)) {
      const out = (await Promise.all(parsed.slice(0, this.maxBatchSize).map(one))).flatMap((x) => (x === null ? [] : Array.isArray(x) ? x : [x]));
      if (out.length) this.send(socket, out);
      return;
    }
    const response = await one(parsed);
    if (response) this.send(socket, response);
  }

  private subscription(subs: Map<string, Subscription>, req: { id?: number | string | null; method?: unknown; params?: unknown }): JSONRPCResponse {
    const id = req.id ?? null;
    const params = Array.isArray(req.params) ? req.params : [];
    if (req.method === "eth_unsubscribe") {
      return { jsonrpc: "2.0", id, result: typeof params[0] === "string" && subs.delete(params[0]) } as JSONRPCResponse;
    }
    if (subs.size >= MAX_SUBSCRIPTIONS) return createJSONRPCErrorResponse(id, RpcCode.SERVER, `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`);
    let sub: Subscription;
    if (params[0] === "newHeads") sub = { kind: "newHeads" };
    else if (params[0] === "logs") {
      try {
        sub = { kind: "logs", filter: parseLogFilter(params[1]) };
      } catch (e) {
        return createJSONRPCErrorResponse(id, RpcCode.INVALID_PARAMS, (e as Error).message);
      }
    } else {
      return createJSONRPCErrorResponse(id, RpcCode.INVALID_PARAMS, `unsupported subscription ${JSON.stringify(params[0])}: Cairn offers newHeads and logs`);
    }
    const subId = "0x" + randomBytes(16).toString("hex");
    subs.set(subId, sub);
    return { jsonrpc: "2.0", id, result: subId } as JSONRPCResponse;
  }

  private publish(block: L2Block): void {
    if (this.sockets.size === 0) return;
    const { transactions: _t, ...header } = formatBlock(block, false, this.options.chainId ?? 0n);
    void _t;
    for (const [socket, subs] of this.sockets) {
      for (const [subscription, sub] of subs) {
        const results = sub.kind === "newHeads" ? [header] : blockLogs(block, sub.filter);
        for (const result of results) this.sendRaw(socket, { jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result } });
      }
    }
  }

  private send(socket: WebSocket, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    this.sendRaw(socket, payload);
  }

  private sendRaw(socket: WebSocket, payload: unknown): void {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(toJson(payload));
  }

  /** Starts listening; resolves with the URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    const { address, port } = this.http.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets.keys()) socket.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.ws.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (error) {
      this.options.logger.error({ err: error }, "HTTP handler failed");
      if (!res.headersSent) this.reply(res, 500, createJSONRPCErrorResponse(null, RpcCode.INTERNAL, "internal error"));
    }
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    if (req.method !== "POST") return this.reply(res, 405, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "JSON-RPC takes POST requests"));
    let body: string;
    try {
      body = await this.readBody(req);
    } catch {
      return this.reply(res, 413, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize request: more than ${this.maxBodyBytes} bytes`));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error"));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "empty batch"));
      if (parsed.length > this.maxBatchSize) {
        return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize batch: more than ${this.maxBatchSize} requests`));
      }
      const responses = await Promise.all(parsed.map((r) => this.receiveOne(r)));
      const out = responses.flatMap((r) => (r === null ? [] : Array.isArray(r) ? r : [r]));
      return out.length ? this.reply(res, 200, out) : void res.writeHead(204).end();
    }
    const response = await this.receiveOne(parsed);
    return response ? this.reply(res, 200, response) : void res.writeHead(204).end();
  }

  /** One request of a call or batch; anything that is not a request object is answered -32600. */
  private async receiveOne(request: unknown): Promise<JSONRPCResponse | JSONRPCResponse[] | null> {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "invalid request: expected a JSON-RPC request object");
    }
    try {
      return await this.rpc.receive(request as never);
    } catch (error) {
      this.options.logger.error({ err: error }, "JSON-RPC dispatch failed");
      return createJSONRPCErrorResponse((request as { id?: number | string | null }).id ?? null, RpcCode.INTERNAL, "internal error");
    }
  }

  private reply(res: http.ServerResponse, status: number, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    const json = toJson(payload);
    res.writeHead(status, { "content-type": "application/json" }).end(json);
  }

  private readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > this.maxBodyBytes) {
          req.removeAllListeners("data");
          req.resume();
          reject(new Error("oversize"));
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  }
}

/**
 * JSON of a response. Results are formatted as hex strings already; a bigint that slipped
 * through is written as a quantity rather than failing the request. The replacer only runs
 * then: called for every value, it was a few percent of the sequencer's time.
 */
function toJson(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === "bigint" ? "0x" + v.toString(16) : v));
  }
}
