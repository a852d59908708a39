/**
 * The attackers of attack 5, each from its own local address or addresses: a client taking
 * all it can of the filter table, WebSocket connections and subscriptions (subscribed, then
 * never reading); slow clients that never finish their request; and Sybil clients — many
 * addresses — that together try to fill the node's global caps.
 */
import net from "node:net";
import type WebSocket from "ws";
import { DEFAULT_RPC_LIMITS } from "../../src/rpc/limits";
import type { Figure } from "./context";
import { HttpRpc, openWebSocket, wsExchange, type RpcReply, type WsRequest } from "./rpcClient";
import { sleep } from "./rng";

const LIMITS = DEFAULT_RPC_LIMITS;

/** Refusals by message, digits and hex left out, so that alike refusals count together. */
export class Tally {
  readonly counts: Record<string, number> = {};
  ok = 0;

  note(reply: RpcReply): void {
    if (!reply.error) {
      this.ok++;
      return;
    }
    const key = `${reply.error.code}: ${reply.error.message.replace(/0x[0-9a-f]+|\b\d+\b/gi, "N").slice(0, 120)}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  get refused(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  figures(): { [k: string]: Figure } {
    return { accepted: this.ok, refused: this.refused, refusals: this.counts };
  }
}

/** `n` distinct addresses for a log filter: the criteria that cost a filter's memory. */
function addresses(n: number, salt: number): string[] {
  return Array.from({ length: n }, (_, i) => "0x" + (salt * 1_000_003 + i).toString(16).padStart(40, "0"));
}

const newBigFilter = (salt: number) => ({ method: "eth_newFilter", params: [{ address: addresses(LIMITS.maxAddresses, salt), fromBlock: "latest" }] });

/** One client: filters up to and past its quotas, one filter past the per-request cap, a body past the size cap. */
export async function filterHog(url: () => string): Promise<{ [k: string]: Figure }> {
  const rpc = new HttpRpc(url, "127.0.0.2", { keepAlive: false });
  try {
    const overCap = await rpc.batch([{ method: "eth_newFilter", params: [{ address: addresses(LIMITS.maxAddresses + 1, 7) }] }]);
    const big = new Tally();
    for (let i = 0; i < 2 * (LIMITS.maxFilterCriteriaPerClient / LIMITS.maxAddresses); i++) big.note((await rpc.batch([newBigFilter(i)]))[0]);
    const blocks = new Tally();
    for (let i = 0; i < 3; i++) for (const r of await rpc.batch(Array.from({ length: LIMITS.maxBatchSize }, () => ({ method: "eth_newBlockFilter" })))) blocks.note(r);
    const oversize = await rpc.batch([{ method: "eth_newFilter", params: [{ address: addresses(1, 1), padding: "x".repeat(LIMITS.maxBodyBytes + 1) }] }]);
    return {
      filterOverAddressCap: describe(overCap[0]),
      bigLogFilters: big.figures(),
      blockFilters: blocks.figures(),
      oversizeBody: describe(oversize[0]),
    };
  } finally {
    rpc.close();
  }
}

function describe(reply: RpcReply): string {
  return reply.error ? `refused ${reply.error.code}: ${reply.error.message.slice(0, 120)}` : "accepted";
}

/** WebSockets that an attacker opened, subscribed and stopped reading. */
export class SocketHoard {
  readonly sockets: WebSocket[] = [];
  readonly opened = new Tally();
  readonly subscriptions = new Tally();
  /** Sockets subscribed and no longer read. */
  stalled = 0;

  /** Opens `count` WebSockets from `from`, counting refusals by HTTP status. */
  async open(url: string, from: string, count: number): Promise<WebSocket[]> {
    const mine: WebSocket[] = [];
    await Promise.all(
      Array.from({ length: count }, async () => {
        const r = await openWebSocket(url, from);
        if ("socket" in r) {
          mine.push(r.socket);
          this.opened.note({});
        } else this.opened.note({ error: { code: r.refused, message: r.refused >= 1000 ? "closed after the handshake" : `HTTP ${r.refused}` } });
      }),
    );
    this.sockets.push(...mine);
    return mine;
  }

  /**
   * Subscribes `socket` to newHeads as many times as the node lets one connection, and once
   * more (a full batch, then one), then stops reading: everything the node sends it from then on
   * is the node's memory until it gives up on the connection. Returns whether any was refused.
   */
  async subscribeAndStall(socket: WebSocket): Promise<boolean> {
    const subscribe = (id: number): WsRequest => ({ jsonrpc: "2.0", id, method: "eth_subscribe", params: ["newHeads"] });
    const full = await wsExchange(socket, Array.from({ length: LIMITS.maxSubscriptionsPerConnection }, (_, id) => subscribe(id)));
    const more = await wsExchange(socket, subscribe(LIMITS.maxSubscriptionsPerConnection));
    const replies = [...full, ...more];
    for (const r of replies) this.subscriptions.note(r);
    socket.pause();
    this.stalled++;
    return replies.some((r) => r.error);
  }

  close(): void {
    for (const s of this.sockets) s.terminate();
  }
}

/**
 * Slow clients: connections from `from` that send a request's headers and a byte of its body,
 * then nothing. Returns how many the node closed and the longest it took.
 */
export async function slowClients(port: number, from: string, count: number, waitMs: number): Promise<{ [k: string]: Figure }> {
  const started = Date.now();
  const closedAfter: number[] = [];
  const answered: Record<string, number> = {};
  const sockets = Array.from({ length: count }, () => {
    const s = net.connect({ host: "127.0.0.1", port, localAddress: from });
    s.on("error", () => undefined);
    s.once("data", (d: Buffer) => {
      const status = d.toString().split(" ")[1] ?? "?";
      answered[status] = (answered[status] ?? 0) + 1;
    });
    s.once("close", () => closedAfter.push(Date.now() - started));
    s.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
    return s;
  });
  const deadline = Date.now() + waitMs;
  while (closedAfter.length < count && Date.now() < deadline) await sleep(100);
  for (const s of sockets) s.destroy();
  return { connections: count, closedByNode: closedAfter.length, longestOpenMs: closedAfter.length ? Math.max(...closedAfter) : null, answeredWithStatus: answered };
}

/** Local addresses 127.0.<subnet>.1 … : one Sybil client each. */
export function sybilAddresses(subnet: number, count: number): string[] {
  if (count > 254) throw new Error("at most 254 Sybil clients per subnet");
  return Array.from({ length: count }, (_, i) => `127.0.${subnet}.${i + 1}`);
}

/**
 * Sybil clients filling the filter table: each takes its whole quota of filters (block filters)
 * and, `withCriteria`, of criteria first (1,000-address log filters), a few clients at a time.
 */
export async function sybilFilters(url: () => string, clients: string[], withCriteria: boolean): Promise<{ [k: string]: Figure }> {
  const tally = new Tally();
  const perClientBig = withCriteria ? LIMITS.maxFilterCriteriaPerClient / LIMITS.maxAddresses : 0;
  const perClientBlocks = LIMITS.maxFiltersPerClient - perClientBig;
  for (let i = 0; i < clients.length; i += 4) {
    await Promise.all(
      clients.slice(i, i + 4).map(async (from, k) => {
        const rpc = new HttpRpc(url, from, { keepAlive: false });
        try {
          if (perClientBig > 0) for (const r of await rpc.batch(Array.from({ length: perClientBig }, (_, j) => newBigFilter(1_000 + (i + k) * 100 + j)))) tally.note(r);
          for (const r of await rpc.batch(Array.from({ length: perClientBlocks }, () => ({ method: "eth_newBlockFilter" })))) tally.note(r);
        } finally {
          rpc.close();
        }
      }),
    );
  }
  return { clients: clients.length, withCriteria, ...tally.figures() };
}
