/**
 * JSON-RPC clients of the L2 node, each from a chosen local address: any 127.0.0.0/8 address
 * reaches a server on 127.0.0.1, and the node counts quotas per remote address, so each
 * address is a distinct client — honest users on 127.0.0.1, attackers elsewhere.
 */
import http from "node:http";
import WebSocket from "ws";

export interface RpcError {
  code: number;
  message: string;
}

export type RpcReply = { id?: number; result?: unknown; error?: RpcError };

/** A JSON-RPC error answered by the node (as opposed to the node being unreachable). */
export class RpcReplyError extends Error {
  constructor(readonly rpc: RpcError) {
    super(rpc.message);
  }
}

export class HttpRpc {
  private readonly agent: http.Agent;
  private nextId = 1;

  /**
   * `keepAlive`: reuse up to `maxSockets` connections (an honest client); otherwise one
   * connection per request, closed after it.
   */
  constructor(
    private readonly url: () => string,
    readonly localAddress: string,
    options: { keepAlive: boolean; maxSockets?: number } = { keepAlive: true, maxSockets: 8 },
  ) {
    this.agent = new http.Agent({ keepAlive: options.keepAlive, maxSockets: options.maxSockets ?? Infinity, localAddress });
  }

  /** The result of `method`; throws RpcReplyError for a JSON-RPC error, anything else if unreachable. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const reply = (await this.post({ jsonrpc: "2.0", id: this.nextId++, method, params })) as RpcReply;
    if (reply.error) throw new RpcReplyError(reply.error);
    return reply.result as T;
  }

  /** One batch request: the replies in request order (an error reply stays an error). */
  async batch(calls: Array<{ method: string; params?: unknown[] }>): Promise<RpcReply[]> {
    const first = this.nextId;
    this.nextId += calls.length;
    const replies = await this.post(calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params ?? [] })));
    if (!Array.isArray(replies)) return calls.map(() => replies as RpcReply);
    const byId = new Map(replies.map((r) => [r.id, r]));
    return calls.map((_, i) => byId.get(first + i) ?? { error: { code: 0, message: "no reply" } });
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: unknown): Promise<RpcReply | RpcReply[]> {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(this.url(), { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString();
          try {
            resolve(JSON.parse(raw) as RpcReply | RpcReply[]);
          } catch {
            // A refusal before JSON-RPC (429, 408, 413): an error reply carrying the HTTP status.
            resolve({ error: { code: -(res.statusCode ?? 0), message: `HTTP ${res.statusCode}: ${raw.slice(0, 200)}` } });
          }
        });
        res.on("error", reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error("request timed out")));
      req.on("error", reject);
      req.end(text);
    });
  }
}

/** A WebSocket to the node from `localAddress`: open, or refused with the HTTP status of the handshake. */
export function openWebSocket(url: string, localAddress: string): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), { localAddress });
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      socket.terminate();
    });
    // Unreachable, or reset later: an 'error' without a listener would throw, so listen for good.
    socket.on("error", () => resolve({ refused: 0 }));
    // Closed by the server right after the handshake (its cap was taken meanwhile).
    socket.once("close", (code) => resolve({ refused: code }));
  });
}

export interface WsRequest {
  jsonrpc: "2.0";
  id: number;
  method: string;
  params: unknown[];
}

/**
 * Sends `request` (one, or a batch) and waits up to 10 s for its reply: the array for a batch,
 * the object with its id for one — notifications of earlier subscriptions arrive in between.
 * A socket that closes first gets an error reply.
 */
export function wsExchange(socket: WebSocket, request: WsRequest | WsRequest[]): Promise<RpcReply[]> {
  return new Promise((resolve) => {
    const done = (replies: RpcReply[]) => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      socket.off("close", onClose);
      resolve(replies);
    };
    const onClose = () => done([{ error: { code: 0, message: "the connection closed" } }]);
    const timer = setTimeout(() => done([{ error: { code: 0, message: "no reply within 10 s" } }]), 10_000);
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString()) as RpcReply | RpcReply[];
      if (Array.isArray(request) && Array.isArray(parsed)) done(parsed);
      else if (!Array.isArray(request) && !Array.isArray(parsed) && parsed.id === request.id) done([parsed]);
    };
    socket.on("message", onMessage);
    socket.once("close", onClose);
    socket.send(JSON.stringify(request));
  });
}
