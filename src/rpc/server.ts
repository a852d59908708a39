/**
 * JSON-RPC 2.0 over HTTP POST, single and batch requests, and over WebSocket (same port) with
 * eth_subscribe. Dispatch, parse errors and unknown methods are json-rpc-2.0's; this file adds
 * the transports, the limits of limits.ts — what one request, one client and one connection
 * may take — and error hygiene (an unexpected exception becomes -32603 and is logged, never a
 * crashed process).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCErrorResponse, type JSONRPCResponse } from "json-rpc-2.0";
import { randomBytes } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../shared/logger";
import type { L2Block } from "../chain/chainStore";
import { CairnError } from "../core/errors";
import { RpcCode, RpcLimitError } from "./errors";
import type { Method } from "./methods";
import { formatBlock } from "./format";
import { blockLogs, filterCriteria, parseLogFilter, type LogFilter } from "./logs";
import { Quota, clientKey, rpcLimits, type RequestContext, type RpcLimits } from "./limits";

export interface RpcServerOptions {
  host?: string;
  port?: number;
  logger: Logger;
  /** What a request, a client and a connection may take; DEFAULT_RPC_LIMITS for the rest. */
  limits?: Partial<RpcLimits>;
  /** Where new blocks come from, for eth_subscribe over WebSocket. */
  onBlock?: (listener: (block: L2Block) => void) => void;
  chainId?: bigint;
}

type Subscription = { kind: "newHeads" } | { kind: "logs"; filter: LogFilter; criteria: number };

/** One WebSocket connection: whose it is, its subscriptions, and whether it answered the last ping. */
interface Connection {
  /** The remote address's client key: filters and subscription criteria count against it. */
  client: string;
  /** The connection's own key: its subscription count is its own. */
  id: string;
  subs: Map<string, Subscription>;
  alive: boolean;
}

type Request = { id?: number | string | null; method?: unknown; params?: unknown };

/** Why a body was not read: too big, too slow, or the client left. */
class RequestBodyError extends CairnError {
  override readonly name = "RequestBodyError";
  readonly code = "REQUEST_BODY";
  constructor(readonly reason: "oversize" | "timeout" | "aborted") {
    super(`request body ${reason}`);
  }
}

export class RpcServer {
  private readonly rpc: JSONRPCServer<RequestContext>;
  private readonly http: http.Server;
  private readonly ws: WebSocketServer;
  private readonly limits: RpcLimits;
  /** TCP connections by client; sockets past the quota are answered 429 and closed. */
  private readonly connections: Quota;
  private readonly overQuota = new WeakSet<Socket>();
  private readonly webSockets: Quota;
  /** Subscriptions by connection id; their criteria (memory) by client. */
  private readonly subscriptions: Quota;
  private readonly subscriptionCriteria: Quota;
  private readonly sockets = new Map<WebSocket, Connection>();
  private readonly pinger: NodeJS.Timeout;
  private nextConnection = 0;

  constructor(
    methods: Record<string, Method>,
    private readonly options: RpcServerOptions,
  ) {
    const limits = (this.limits = rpcLimits(options.limits));
    this.connections = new Quota("connections", limits.maxConnectionsPerClient, limits.maxConnections);
    this.webSockets = new Quota("WebSocket connections", limits.maxWebSocketsPerClient, limits.maxWebSockets);
    this.subscriptions = new Quota("subscriptions", limits.maxSubscriptionsPerConnection, limits.maxSubscriptions);
    this.subscriptionCriteria = new Quota("subscription addresses and topics", limits.maxSubscriptionCriteriaPerClient, limits.maxSubscriptionCriteria);
    this.rpc = new JSONRPCServer<RequestContext>({
      errorListener: (message, error) => {
        if (!(error instanceof JSONRPCErrorException) && !(error instanceof RpcLimitError)) options.logger.error({ err: error }, message);
      },
    });
    this.rpc.mapErrorToJSONRPCErrorResponse = (id, error) => errorResponse(id, error);
    for (const [name, method] of Object.entries(methods)) {
      this.rpc.addMethod(name, (params: unknown, context: RequestContext) => method(Array.isArray(params) ? params : params === undefined ? [] : [params], context));
    }
    this.http = http.createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // Node checks both timeouts on this interval (30 s by default): check often enough to honour them.
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
      },
      (req, res) => void this.handle(req, res),
    );
    this.http.keepAliveTimeout = 60_000;
    this.http.maxConnections = limits.maxConnections;
    this.http.on("connection", (socket: Socket) => this.admit(socket));
    this.http.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.ws = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
    this.pinger = setInterval(() => this.pingSockets(), limits.webSocketPingMs).unref();
    options.onBlock?.((block) => this.publish(block));
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
    clearInterval(this.pinger);
    for (const socket of this.sockets.keys()) socket.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.ws.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // --- connections ---------------------------------------------------------------------

  /** Counts a new TCP connection against its client; one past the quota is only answered 429. */
  private admit(socket: Socket): void {
    const client = clientKey(socket.remoteAddress);
    if (!this.connections.allows(client)) {
      this.overQuota.add(socket);
      return;
    }
    this.connections.take(client);
    socket.once("close", () => this.connections.release(client));
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const client = clientKey(req.socket.remoteAddress);
    if (this.overQuota.has(req.socket)) return refuseUpgrade(socket, 429, this.connectionRefusal());
    const refusal = this.refusalOf(this.webSockets, client);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.message);
    this.ws.handleUpgrade(req, socket, head, (ws) => {
      // Taken only now: a handshake ws refuses never held a slot.
      if (!this.webSockets.allows(client)) return ws.close(1013, "too many WebSocket connections; try again later");
      this.webSockets.take(client);
      this.serveSocket(ws, client);
    });
  }

  /** Why a connection past its client's quota is refused (it was never counted). */
  private connectionRefusal(): string {
    return new RpcLimitError(`at most ${this.limits.maxConnectionsPerClient} connections per client; reuse a keep-alive connection`).message;
  }

  /** 429 when the client is at its quota, 503 when the node is at its cap; null when there is room. */
  private refusalOf(quota: Quota, client: string): { status: number; message: string } | null {
    try {
      quota.check(client);
      return null;
    } catch (e) {
      return { status: quota.heldBy(client) >= quota.perClient ? 429 : 503, message: (e as Error).message };
    }
  }

  // --- WebSocket -----------------------------------------------------------------------

  /** JSON-RPC over one WebSocket: the same methods, plus eth_subscribe / eth_unsubscribe. */
  private serveSocket(socket: WebSocket, client: string): void {
    const conn: Connection = { client, id: `ws#${++this.nextConnection}`, subs: new Map(), alive: true };
    this.sockets.set(socket, conn);
    socket.on("pong", () => (conn.alive = true));
    socket.once("close", () => this.forget(socket, conn));
    socket.on("error", () => socket.terminate());
    socket.on("message", (data) => {
      void this.onSocketMessage(socket, conn, data.toString()).catch((e: unknown) => this.options.logger.error({ err: e }, "WebSocket message failed"));
    });
  }

  /** Gives back everything a closed connection held. */
  private forget(socket: WebSocket, conn: Connection): void {
    if (!this.sockets.delete(socket)) return;
    for (const sub of conn.subs.values()) this.release(conn, sub);
    conn.subs.clear();
    this.webSockets.release(conn.client);
  }

  /** Closes connections that did not answer the last ping (gone without a FIN), pings the rest. */
  private pingSockets(): void {
    for (const [socket, conn] of this.sockets) {
      if (!conn.alive) {
        socket.terminate();
        continue;
      }
      conn.alive = false;
      socket.ping();
    }
  }

  private async onSocketMessage(socket: WebSocket, conn: Connection, text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.send(socket, createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error"));
    }
    const context: RequestContext = { client: conn.client };
    const one = async (r: unknown) => {
      const req = r as Request;
      if (req && typeof req === "object" && (req.method === "eth_subscribe" || req.method === "eth_unsubscribe")) {
        return this.subscription(conn, req);
      }
      return this.receiveOne(r, context);
    };
    if (Array.isArray(parsed)) {
      const refusal = this.batchRefusal(parsed);
      if (refusal) return this.send(socket, refusal);
      const out = (await Promise.all(parsed.map(one))).flatMap((x) => (x === null ? [] : Array.isArray(x) ? x : [x]));
      if (out.length) this.send(socket, out);
      return;
    }
    const response = await one(parsed);
    if (response) this.send(socket, response);
  }

  private subscription(conn: Connection, req: Request): JSONRPCResponse {
    const id = req.id ?? null;
    const params = Array.isArray(req.params) ? req.params : [];
    if (req.method === "eth_unsubscribe") {
      const sub = typeof params[0] === "string" ? conn.subs.get(params[0]) : undefined;
      if (sub) {
        conn.subs.delete(params[0] as string);
        this.release(conn, sub);
      }
      return { jsonrpc: "2.0", id, result: sub !== undefined } as JSONRPCResponse;
    }
    try {
      const sub = this.parseSubscription(params);
      this.subscriptionCriteria.check(conn.client, sub.kind === "logs" ? sub.criteria : 0);
      this.subscriptions.take(conn.id);
      if (sub.kind === "logs") this.subscriptionCriteria.take(conn.client, sub.criteria);
      const subId = "0x" + randomBytes(16).toString("hex");
      conn.subs.set(subId, sub);
      return { jsonrpc: "2.0", id, result: subId } as JSONRPCResponse;
    } catch (e) {
      return errorResponse(id, e);
    }
  }

  private parseSubscription(params: unknown[]): Subscription {
    if (params[0] === "newHeads") return { kind: "newHeads" };
    if (params[0] === "logs") {
      const filter = parseLogFilter(params[1], this.limits);
      return { kind: "logs", filter, criteria: filterCriteria(filter) };
    }
    throw new JSONRPCErrorException(`unsupported subscription ${JSON.stringify(params[0])}: Cairn offers newHeads and logs`, RpcCode.INVALID_PARAMS);
  }

  private release(conn: Connection, sub: Subscription): void {
    this.subscriptions.release(conn.id);
    if (sub.kind === "logs") this.subscriptionCriteria.release(conn.client, sub.criteria);
  }

  private publish(block: L2Block): void {
    if (this.sockets.size === 0) return;
    const { transactions: _t, ...header } = formatBlock(block, false, this.options.chainId ?? 0n);
    void _t;
    for (const [socket, conn] of this.sockets) {
      for (const [subscription, sub] of conn.subs) {
        const results = sub.kind === "newHeads" ? [header] : blockLogs(block, sub.filter);
        for (const result of results) this.sendRaw(socket, { jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result } });
      }
    }
  }

  private send(socket: WebSocket, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    this.sendRaw(socket, payload);
  }

  /** Sends, unless the client has stopped reading: what it leaves unread is the server's memory. */
  private sendRaw(socket: WebSocket, payload: unknown): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.limits.maxWebSocketBufferBytes) {
      this.options.logger.warn({ client: this.sockets.get(socket)?.client, buffered: socket.bufferedAmount }, "closing a WebSocket client that does not read");
      socket.terminate();
      return;
    }
    socket.send(toJson(payload));
  }

  // --- HTTP ----------------------------------------------------------------------------

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
    const client = clientKey(req.socket.remoteAddress);
    if (this.overQuota.has(req.socket)) {
      res.setHeader("Connection", "close");
      return this.reply(res, 429, createJSONRPCErrorResponse(null, RpcCode.LIMIT_EXCEEDED, this.connectionRefusal()));
    }
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    if (req.method !== "POST") return this.reply(res, 405, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "JSON-RPC takes POST requests"));
    let body: string;
    try {
      body = await this.readBody(req);
    } catch (e) {
      return this.refuseBody(req, res, e);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error"));
    }
    const context: RequestContext = { client };
    if (Array.isArray(parsed)) {
      const refusal = this.batchRefusal(parsed);
      if (refusal) return this.reply(res, 200, refusal);
      const responses = await Promise.all(parsed.map((r) => this.receiveOne(r, context)));
      const out = responses.flatMap((r) => (r === null ? [] : Array.isArray(r) ? r : [r]));
      return out.length ? this.reply(res, 200, out) : void res.writeHead(204).end();
    }
    const response = await this.receiveOne(parsed, context);
    return response ? this.reply(res, 200, response) : void res.writeHead(204).end();
  }

  /** An empty batch, or one past the size limit, is refused whole: none of its requests runs. */
  private batchRefusal(batch: unknown[]): JSONRPCResponse | null {
    if (batch.length === 0) return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "empty batch");
    if (batch.length > this.limits.maxBatchSize) {
      return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize batch: ${batch.length} requests, at most ${this.limits.maxBatchSize}; split it`);
    }
    return null;
  }

  /**
   * Answers a body that was too slow (408, then the connection is closed) or too big (413; the
   * rest is read and dropped, since closing a socket with unread data resets it before the
   * client reads the answer, until the body timeout cuts off a client that never stops).
   */
  private refuseBody(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
    if (!(e instanceof RequestBodyError) || e.reason === "aborted" || res.headersSent) return void req.destroy();
    if (e.reason === "timeout") {
      res.setHeader("Connection", "close");
      res.once("finish", () => req.destroy());
      return this.reply(res, 408, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `request body not received within ${this.limits.bodyTimeoutMs} ms`));
    }
    this.reply(res, 413, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize request: more than ${this.limits.maxBodyBytes} bytes`));
  }

  /** One request of a call or batch; anything that is not a request object is answered -32600. */
  private async receiveOne(request: unknown, context: RequestContext): Promise<JSONRPCResponse | JSONRPCResponse[] | null> {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "invalid request: expected a JSON-RPC request object");
    }
    try {
      return await this.rpc.receive(request as never, context);
    } catch (error) {
      this.options.logger.error({ err: error }, "JSON-RPC dispatch failed");
      return createJSONRPCErrorResponse((request as Request).id ?? null, RpcCode.INTERNAL, "internal error");
    }
  }

  private reply(res: http.ServerResponse, status: number, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    const json = toJson(payload);
    res.writeHead(status, { "content-type": "application/json" }).end(json);
  }

  /**
   * The body, if it is at most maxBodyBytes and arrives within bodyTimeoutMs. Past the size the
   * rest is read and dropped; a request still arriving at the timeout has its socket closed.
   */
  private readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error: RequestBodyError | null) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(Buffer.concat(chunks).toString("utf8"));
        chunks = [];
      };
      const timer = setTimeout(() => {
        if (settled) req.destroy();
        else settle(new RequestBodyError("timeout"));
      }, this.limits.bodyTimeoutMs);
      req.on("data", (c: Buffer) => {
        if (settled) return;
        size += c.length;
        if (size > this.limits.maxBodyBytes) settle(new RequestBodyError("oversize"));
        else chunks.push(c);
      });
      req.once("end", () => {
        clearTimeout(timer);
        settle(null);
      });
      req.once("close", () => {
        clearTimeout(timer);
        settle(new RequestBodyError("aborted"));
      });
    });
  }
}

/** A JSON-RPC error response for whatever a method threw: its own code, -32005 for a limit, else -32603. */
function errorResponse(id: number | string | null, error: unknown): JSONRPCErrorResponse {
  if (error instanceof JSONRPCErrorException) return createJSONRPCErrorResponse(id, error.code, error.message, error.data);
  if (error instanceof RpcLimitError) return createJSONRPCErrorResponse(id, error.rpcCode, error.message);
  return createJSONRPCErrorResponse(id, RpcCode.INTERNAL, "internal error");
}

/** Answers a WebSocket handshake with an HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = toJson(createJSONRPCErrorResponse(null, RpcCode.LIMIT_EXCEEDED, message));
  const reason = http.STATUS_CODES[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
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
