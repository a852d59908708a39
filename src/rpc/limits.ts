/**
 * What one JSON-RPC server lets a request, and one client, take. Every shared table (filters,
 * subscriptions, connections) has a per-client quota beside its global cap, so one client
 * cannot fill the table others need; every filter's size is capped, so the memory a client
 * can hold is bounded (bench/rpcMemory.ts measures it). A client is a remote address (an IPv6
 * /64, which one host usually holds whole); a WebSocket connection is also its own client for
 * the subscriptions it carries.
 */
import { RpcLimitError } from "./errors";

export interface RpcLimits {
  /** Largest HTTP body or WebSocket message, in bytes. */
  maxBodyBytes: number;
  /** Most requests in one JSON-RPC batch. */
  maxBatchSize: number;
  /** Most addresses in one log filter (eth_getLogs, eth_newFilter, a logs subscription). */
  maxAddresses: number;
  /** Most topics listed at one position of a log filter (there are at most 4 positions). */
  maxTopicsPerPosition: number;
  /** Polled filters installed on the node, and per client. */
  maxFilters: number;
  maxFiltersPerClient: number;
  /** Addresses and topics held by installed filters, on the node and per client: their memory. */
  maxFilterCriteria: number;
  maxFilterCriteriaPerClient: number;
  /** A filter not polled for this long is uninstalled (geth: 5 minutes). */
  filterIdleMs: number;
  /** eth_subscribe subscriptions on the node, and per WebSocket connection. */
  maxSubscriptions: number;
  maxSubscriptionsPerConnection: number;
  /** Addresses and topics held by logs subscriptions, on the node and per client (remote address). */
  maxSubscriptionCriteria: number;
  maxSubscriptionCriteriaPerClient: number;
  /** Open TCP connections (HTTP keep-alive or WebSocket), on the node and per client. */
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** Open WebSocket connections, on the node and per client. */
  maxWebSockets: number;
  maxWebSocketsPerClient: number;
  /** Bytes queued for a WebSocket client that does not read; past it the connection is closed. */
  maxWebSocketBufferBytes: number;
  /** Time to receive a request's headers (Node's server.headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive a request's body once its headers are in; then 408 and the socket closed. */
  bodyTimeoutMs: number;
  /** Time to receive a whole request (Node's server.requestTimeout): the backstop of the two above. */
  requestTimeoutMs: number;
  /** Interval of WebSocket pings; a connection that has not answered the last one is closed. */
  webSocketPingMs: number;
}

/**
 * The defaults and why:
 * - 1 MiB bodies: the largest honest request is a log filter at its caps (~300 kB) or a
 *   batch of raw transactions; 32 connections × 1 MiB bounds what one client has in flight.
 * - 1,000 requests a batch: geth's `BatchRequestLimit`, and viem's default `batchSize` (ethers
 *   batches at most 100); each request is bounded on its own, and the body cap bounds the whole.
 * - 1,000 addresses and 1,000 topics a position: geth's `maxSubTopics` (and its 4 positions),
 *   so a query that works against geth works here.
 * - 100 filters and 10,000 criteria a client, 10,000 filters and 500,000 criteria in all: a
 *   criterion (an address or topic string) costs ~90 bytes, so a client holds at most ~1 MB of
 *   filter criteria and the node ~45 MB; geth's 5-minute idle expiry.
 * - Subscriptions: the same criteria budgets, 100 a connection (as before), 10,000 in all.
 * - Connections: 32 a client (browsers open 6 per host; a NAT shares its address), 16 of them
 *   WebSockets; 2,000 in all, 1,000 WebSockets; a WebSocket reader 4 MiB behind is cut off.
 * - 10 s for headers, 10 s for a body, 30 s for a request: honest clients send both in one
 *   round trip; slowloris clients are cut off before they add up.
 */
export const DEFAULT_RPC_LIMITS: Readonly<RpcLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxBatchSize: 1_000,
  maxAddresses: 1_000,
  maxTopicsPerPosition: 1_000,
  maxFilters: 10_000,
  maxFiltersPerClient: 100,
  maxFilterCriteria: 500_000,
  maxFilterCriteriaPerClient: 10_000,
  filterIdleMs: 5 * 60_000,
  maxSubscriptions: 10_000,
  maxSubscriptionsPerConnection: 100,
  maxSubscriptionCriteria: 500_000,
  maxSubscriptionCriteriaPerClient: 10_000,
  maxConnections: 2_000,
  maxConnectionsPerClient: 32,
  maxWebSockets: 1_000,
  maxWebSocketsPerClient: 16,
  maxWebSocketBufferBytes: 4 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  webSocketPingMs: 30_000,
});

export function rpcLimits(overrides: Partial<RpcLimits> = {}): RpcLimits {
  return { ...DEFAULT_RPC_LIMITS, ...overrides };
}

/** What a method knows of who called it. */
export interface RequestContext {
  /** The client's key (see clientKey): whose quotas the request draws on. */
  client: string;
}

/**
 * The client a remote address belongs to: an IPv4 address (IPv4-mapped IPv6 included) as
 * itself, an IPv6 address by its /64 — one host or home is usually given a whole /64, so
 * counting single IPv6 addresses would let one client be millions.
 */
export function clientKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1];
  if (!remoteAddress.includes(":")) return remoteAddress;
  return ipv6Prefix64(remoteAddress.split("%")[0]);
}

/** The first four groups of an IPv6 address, "::" expanded, as "a:b:c:d::/64". */
function ipv6Prefix64(address: string): string {
  const [head, tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":") + "::/64";
}

/**
 * How much of one resource each client holds, against a per-client and a global limit. Taking
 * past either throws {@link RpcLimitError} naming the limit; releasing gives it back.
 */
export class Quota {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(
    /** What is counted, for messages: "filters", "WebSocket connections", ... */
    private readonly what: string,
    readonly perClient: number,
    readonly global: number,
  ) {}

  /** Whether `client` could take `amount` more now. */
  allows(client: string, amount = 1): boolean {
    return this.refusal(client, amount) === null;
  }

  /** Throws the refusal `take` would throw, taking nothing. */
  check(client: string, amount = 1): void {
    const refusal = this.refusal(client, amount);
    if (refusal) throw new RpcLimitError(refusal);
  }

  take(client: string, amount = 1): void {
    this.check(client, amount);
    this.held.set(client, (this.held.get(client) ?? 0) + amount);
    this.total += amount;
  }

  release(client: string, amount = 1): void {
    const mine = this.held.get(client) ?? 0;
    const back = Math.min(mine, amount);
    if (mine - back === 0) this.held.delete(client);
    else this.held.set(client, mine - back);
    this.total -= back;
  }

  heldBy(client: string): number {
    return this.held.get(client) ?? 0;
  }

  get used(): number {
    return this.total;
  }

  private refusal(client: string, amount: number): string | null {
    const mine = this.held.get(client) ?? 0;
    if (mine + amount > this.perClient) return `at most ${this.perClient} ${this.what} per client (this client holds ${mine}${amount > 1 ? `, asked ${amount} more` : ""})`;
    if (this.total + amount > this.global) return `at most ${this.global} ${this.what} on this node, all clients together; try again later`;
    return null;
  }
}
