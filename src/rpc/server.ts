/**
 * JSON-RPC 2.0 over HTTP POST, single and batch requests, and over WebSocket (same port) with
 * eth_subscribe. Dispatch, parse errors and unknown methods are json-rpc-2.0's (dispatch.ts);
 * this file serves HTTP and composes the rest: the limits of limits.ts — what one request, one
 * client and one connection may take — per connection (connections.ts), per body (httpBody.ts)
 * and per WebSocket (webSockets.ts).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createJSONRPCErrorResponse, type JSONRPCResponse } from "json-rpc-2.0";
import type { Logger } from "../shared/logger";
import type { L2Block } from "../chain/chainStore";
import { ConnectionGate } from "./connections";
import { Dispatcher, toJson } from "./dispatch";
import { RpcCode } from "./errors";
import { RequestBodyError, readBody } from "./httpBody";
import { clientKey, rpcLimits, type RequestContext, type RpcLimits } from "./limits";
import type { Method } from "./methods";
import { WebSocketHub, refuseUpgrade } from "./webSockets";

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

export class RpcServer {
  private readonly dispatcher: Dispatcher;
  private readonly http: http.Server;
  private readonly limits: RpcLimits;
  private readonly connections: ConnectionGate;
  private readonly webSockets: WebSocketHub;

  constructor(
    methods: Record<string, Method>,
    private readonly options: RpcServerOptions,
  ) {
    const limits = (this.limits = rpcLimits(options.limits));
    this.dispatcher = new Dispatcher(methods, options.logger, limits.maxBatchSize);
    this.connections = new ConnectionGate(limits);
    this.webSockets = new WebSocketHub(this.dispatcher, limits, options.logger, options.chainId ?? 0n);
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
    this.http.on("connection", (socket: Socket) => this.connections.admit(socket));
    this.http.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    options.onBlock?.((block) => this.webSockets.publish(block));
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
    await this.webSockets.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.connections.refuses(req.socket)) return refuseUpgrade(socket, 429, this.connections.refusal());
    this.webSockets.upgrade(req, socket, head);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (error) {
      // The boundary: an HTTP request that failed unexpectedly is answered 500, never a crashed process.
      this.options.logger.error({ err: error }, "HTTP handler failed");
      if (!res.headersSent) this.reply(res, 500, createJSONRPCErrorResponse(null, RpcCode.INTERNAL, "internal error"));
    }
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    if (this.connections.refuses(req.socket)) {
      res.setHeader("Connection", "close");
      return this.reply(res, 429, createJSONRPCErrorResponse(null, RpcCode.LIMIT_EXCEEDED, this.connections.refusal()));
    }
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    if (req.method !== "POST") return this.reply(res, 405, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "JSON-RPC takes POST requests"));
    let body: string;
    try {
      body = await readBody(req, this.limits);
    } catch (e) {
      if (!(e instanceof RequestBodyError)) throw e;
      return this.refuseBody(req, res, e);
    }
    const context: RequestContext = { client: clientKey(req.socket.remoteAddress) };
    const answer = await this.dispatcher.answer(body, (request) => this.dispatcher.one(request, context));
    return answer ? this.reply(res, 200, answer) : void res.writeHead(204).end();
  }

  /**
   * Answers a body that was too slow (408, then the connection is closed) or too big (413; the
   * rest is read and dropped, since closing a socket with unread data resets it before the
   * client reads the answer, until the body timeout cuts off a client that never stops).
   */
  private refuseBody(req: http.IncomingMessage, res: http.ServerResponse, e: RequestBodyError): void {
    if (e.reason === "aborted" || res.headersSent) return void req.destroy();
    if (e.reason === "timeout") {
      res.setHeader("Connection", "close");
      res.once("finish", () => req.destroy());
      return this.reply(res, 408, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `request body not received within ${this.limits.bodyTimeoutMs} ms`));
    }
    this.reply(res, 413, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize request: more than ${this.limits.maxBodyBytes} bytes`));
  }

  private reply(res: http.ServerResponse, status: number, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    res.writeHead(status, { "content-type": "application/json" }).end(toJson(payload));
  }
}
