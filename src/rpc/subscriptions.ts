/**
 * eth_subscribe and eth_unsubscribe over a WebSocket: newHeads and logs. A connection's
 * subscriptions count against the connection, their criteria (addresses and topics: memory)
 * against its client, each beside the node's cap.
 */
import { randomBytes } from "node:crypto";
import { JSONRPCErrorException, type JSONRPCResponse } from "json-rpc-2.0";
import type { L2Block } from "../chain/chainStore";
import type { Request } from "./dispatch";
import { errorResponse } from "./dispatch";
import { RpcCode, RpcLimitError } from "./errors";
import { Quota, type RpcLimits } from "./limits";
import { blockLogs, filterCriteria, parseLogFilter, type LogFilter } from "./logs";

type Subscription = { kind: "newHeads" } | { kind: "logs"; filter: LogFilter; criteria: number };

/** Whose subscriptions these are, and the subscriptions by id. */
export interface Subscriber {
  /** The remote address's client key: subscription criteria count against it. */
  client: string;
  /** The connection's own key: its subscription count is its own. */
  id: string;
  subs: Map<string, Subscription>;
}

/** Whether `request` is one of the methods only a WebSocket connection answers. */
export function isSubscriptionRequest(request: unknown): request is Request {
  const method = typeof request === "object" && request !== null ? (request as Request).method : undefined;
  return method === "eth_subscribe" || method === "eth_unsubscribe";
}

export class Subscriptions {
  private readonly count: Quota;
  private readonly criteria: Quota;

  constructor(private readonly limits: RpcLimits) {
    this.count = new Quota("subscriptions", limits.maxSubscriptionsPerConnection, limits.maxSubscriptions);
    this.criteria = new Quota("subscription addresses and topics", limits.maxSubscriptionCriteriaPerClient, limits.maxSubscriptionCriteria);
  }

  /** Answers eth_subscribe (a new subscription id) or eth_unsubscribe (whether there was one) from `conn`. */
  answer(conn: Subscriber, req: Request): JSONRPCResponse {
    const id = req.id ?? null;
    const params = Array.isArray(req.params) ? req.params : [];
    if (req.method === "eth_unsubscribe") return { jsonrpc: "2.0", id, result: this.unsubscribe(conn, params[0]) } as JSONRPCResponse;
    try {
      return { jsonrpc: "2.0", id, result: this.subscribe(conn, params) } as JSONRPCResponse;
    } catch (e) {
      if (!(e instanceof JSONRPCErrorException || e instanceof RpcLimitError)) throw e;
      return errorResponse(id, e);
    }
  }

  /** Gives back everything `conn` held: its connection closed. */
  releaseAll(conn: Subscriber): void {
    for (const sub of conn.subs.values()) this.release(conn, sub);
    conn.subs.clear();
  }

  /** What `block` sends each of `conn`'s subscriptions; `header` is the block as newHeads sends it. */
  notifications(conn: Subscriber, block: L2Block, header: unknown): Array<{ subscription: string; result: unknown }> {
    const out: Array<{ subscription: string; result: unknown }> = [];
    for (const [subscription, sub] of conn.subs) {
      const results = sub.kind === "newHeads" ? [header] : blockLogs(block, sub.filter);
      for (const result of results) out.push({ subscription, result });
    }
    return out;
  }

  private subscribe(conn: Subscriber, params: unknown[]): string {
    const sub = this.parse(params);
    // Both checked before either is taken, so a refusal holds nothing.
    this.criteria.check(conn.client, sub.kind === "logs" ? sub.criteria : 0);
    this.count.take(conn.id);
    if (sub.kind === "logs") this.criteria.take(conn.client, sub.criteria);
    const subId = "0x" + randomBytes(16).toString("hex");
    conn.subs.set(subId, sub);
    return subId;
  }

  private unsubscribe(conn: Subscriber, subId: unknown): boolean {
    const sub = typeof subId === "string" ? conn.subs.get(subId) : undefined;
    if (!sub) return false;
    conn.subs.delete(subId as string);
    this.release(conn, sub);
    return true;
  }

  private parse(params: unknown[]): Subscription {
    if (params[0] === "newHeads") return { kind: "newHeads" };
    if (params[0] === "logs") {
      const filter = parseLogFilter(params[1], this.limits);
      return { kind: "logs", filter, criteria: filterCriteria(filter) };
    }
    // An object or array is named by its type: one nested thousands deep overflows JSON.stringify's stack.
    const kind = typeof params[0] === "object" && params[0] !== null ? typeof params[0] : JSON.stringify(params[0]);
    throw new JSONRPCErrorException(`unsupported subscription ${kind}: Cairn offers newHeads and logs`, RpcCode.INVALID_PARAMS);
  }

  private release(conn: Subscriber, sub: Subscription): void {
    this.count.release(conn.id);
    if (sub.kind === "logs") this.criteria.release(conn.client, sub.criteria);
  }
}
