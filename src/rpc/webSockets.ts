/**
 * JSON-RPC over WebSocket, on the HTTP server's port: the same methods plus eth_subscribe,
 * within the limits — WebSocket connections per client and on the node, pings that close a
 * connection gone without a FIN, and a client that stops reading cut off before its unread
 * notifications fill the server's memory.
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import { createJSONRPCErrorResponse } from "json-rpc-2.0";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../shared/logger";
import type { L2Block } from "../chain/chainStore";
import { refusal, toJson, type Answer, type Dispatcher } from "./dispatch";
import { RpcCode, RpcLimitError } from "./errors";
import { formatBlock } from "./format";
import { Quota, clientKey, type RequestContext, type RpcLimits } from "./limits";
import { Subscriptions, isSubscriptionRequest, type Subscriber } from "./subscriptions";

/** One WebSocket connection: its subscriptions, and whether it answered the last ping. */
interface Connection extends Subscriber {
  alive: boolean;
}

export class WebSocketHub {
  private readonly server: WebSocketServer;
  private readonly sockets = new Map<WebSocket, Connection>();
  private readonly quota: Quota;
  private readonly subscriptions: Subscriptions;
  private readonly pinger: NodeJS.Timeout;
  private nextConnection = 0;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly limits: RpcLimits,
    private readonly logger: Logger,
    /** The chain id newHeads notifications format blocks with. */
    private readonly chainId: bigint,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
    this.quota = new Quota("WebSocket connections", limits.maxWebSocketsPerClient, limits.maxWebSockets);
    this.subscriptions = new Subscriptions(limits);
    this.pinger = setInterval(() => this.pingSockets(), limits.webSocketPingMs).unref();
  }

  /** Takes over an HTTP upgrade request, unless its client or the node is at its quota. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const client = clientKey(req.socket.remoteAddress);
    const refusal = refusalOf(this.quota, client);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.message);
    this.server.handleUpgrade(req, socket, head, (ws) => {
      // Taken only now: a handshake ws refuses never held a slot.
      if (!this.quota.allows(client)) return ws.close(1013, "too many WebSocket connections; try again later");
      this.quota.take(client);
      this.serve(ws, client);
    });
  }

  /** Sends `block` to every subscription it concerns. */
  publish(block: L2Block): void {
    if (this.sockets.size === 0) return;
    const { transactions: _t, ...header } = formatBlock(block, false, this.chainId);
    void _t;
    for (const [socket, conn] of this.sockets) {
      for (const params of this.subscriptions.notifications(conn, block, header)) this.send(socket, { jsonrpc: "2.0", method: "eth_subscription", params });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const socket of this.sockets.keys()) socket.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: WebSocket, client: string): void {
    const conn: Connection = { client, id: `ws#${++this.nextConnection}`, subs: new Map(), alive: true };
    this.sockets.set(socket, conn);
    socket.on("pong", () => (conn.alive = true));
    socket.once("close", () => this.forget(socket, conn));
    socket.on("error", () => socket.terminate());
    socket.on("message", (data) => {
      void this.onMessage(socket, conn, data.toString()).catch((e: unknown) => this.logger.error({ err: e }, "WebSocket message failed"));
    });
  }

  private async onMessage(socket: WebSocket, conn: Connection, text: string): Promise<void> {
    const context: RequestContext = { client: conn.client };
    const answer = await this.dispatcher.answer(text, (request): Answer | Promise<Answer> => {
      if (!isSubscriptionRequest(request) || refusal(request)) return this.dispatcher.one(request, context);
      return this.dispatcher.guarded(request.id ?? null, () => this.subscriptions.answer(conn, request));
    });
    if (answer) this.send(socket, answer);
  }

  /** Gives back everything a closed connection held. */
  private forget(socket: WebSocket, conn: Connection): void {
    if (!this.sockets.delete(socket)) return;
    this.subscriptions.releaseAll(conn);
    this.quota.release(conn.client);
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

  /** Sends, unless the client has stopped reading: what it leaves unread is the server's memory. */
  private send(socket: WebSocket, payload: unknown): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.limits.maxWebSocketBufferBytes) {
      this.logger.warn({ client: this.sockets.get(socket)?.client, buffered: socket.bufferedAmount }, "closing a WebSocket client that does not read");
      socket.terminate();
      return;
    }
    socket.send(toJson(payload));
  }
}

/** 429 when the client is at its quota, 503 when the node is at its cap; null when there is room. */
function refusalOf(quota: Quota, client: string): { status: number; message: string } | null {
  try {
    quota.check(client);
    return null;
  } catch (e) {
    if (!(e instanceof RpcLimitError)) throw e;
    return { status: quota.heldBy(client) >= quota.perClient ? 429 : 503, message: e.message };
  }
}

/** Answers a WebSocket handshake with an HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = toJson(createJSONRPCErrorResponse(null, RpcCode.LIMIT_EXCEEDED, message));
  const reason = http.STATUS_CODES[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
