import { expect } from "chai";
import type WebSocket from "ws";
import { FilterManager } from "../../src/rpc/filters";
import { parseLogFilter } from "../../src/rpc/logs";
import { DEFAULT_RPC_LIMITS, clientKey, rpcLimits } from "../../src/rpc/limits";
import { RpcLimitError } from "../../src/rpc/errors";
import { ChainStore } from "../../src/chain/chainStore";
import { L2State } from "../../src/core/state";
import { batchFrom, callFrom, openSocketFrom, postFrom, rawConnection, socketCall, startLimitedRpc, type RpcReply } from "../helpers/rpcClients";
import { until } from "../helpers/until";

const LIMIT_EXCEEDED = -32005;
const addresses = (n: number, salt = 0) => Array.from({ length: n }, (_, i) => "0x" + (salt * 1_000_000 + i + 1).toString(16).padStart(40, "0"));
const topics = (n: number) => Array.from({ length: n }, (_, i) => "0x" + (i + 1).toString(16).padStart(64, "0"));
const errors = (replies: RpcReply[]) => replies.filter((r) => r.error);
const results = (replies: RpcReply[]) => replies.filter((r) => r.result !== undefined);
/** Local addresses standing for distinct clients (the server listens on 127.0.0.1). */
const HONEST = "127.0.0.1";
const ATTACKER = "127.0.0.2";
const OTHER = "127.0.0.3";
const FOURTH = "127.0.0.4";

type Limited = Awaited<ReturnType<typeof startLimitedRpc>>;

/** Runs `body` against an RPC server with `limits`, stopping it and every socket opened after. */
async function withServer(limits: Parameters<typeof startLimitedRpc>[0], body: (s: Limited, sockets: WebSocket[]) => Promise<void>): Promise<void> {
  const s = await startLimitedRpc(limits);
  const sockets: WebSocket[] = [];
  try {
    await body(s, sockets);
  } finally {
    for (const socket of sockets) socket.terminate();
    await s.stop();
  }
}

async function open(from: string, url: string, sockets: WebSocket[]): Promise<WebSocket> {
  const r = await openSocketFrom(from, url);
  if (!("socket" in r)) throw new Error(`WebSocket refused with HTTP ${r.refused}`);
  sockets.push(r.socket);
  return r.socket;
}

describe("rpc limits: one client cannot take what the others need", function () {
  this.timeout(60_000);

  describe("inside one request", () => {
    it("refuses more than 1,000 addresses, or 1,000 topics at a position, with -32005 before reading them; a fifth position with -32602", async () => {
      await withServer({}, async ({ url }, sockets) => {
        for (const method of ["eth_newFilter", "eth_getLogs"]) {
          const tooMany = await callFrom(HONEST, url, method, [{ address: addresses(1_001) }]);
          expect(tooMany.error?.code, method).to.equal(LIMIT_EXCEEDED);
          expect(tooMany.error?.message).to.match(/^limit exceeded: at most 1000 addresses in a filter \(asked 1001\)/);
          expect((await callFrom(HONEST, url, method, [{ address: addresses(1_000) }])).error, method).to.equal(undefined);
          const wideTopic = await callFrom(HONEST, url, method, [{ topics: [null, topics(1_001)] }]);
          expect(wideTopic.error?.code).to.equal(LIMIT_EXCEEDED);
          expect(wideTopic.error?.message).to.match(/at most 1000 topics at one position/);
          expect((await callFrom(HONEST, url, method, [{ topics: [null, null, null, null, topics(1)] }])).error?.code).to.equal(-32602);
        }
        // Refused on its size alone: the entries of an oversized list are not even validated.
        expect((await callFrom(HONEST, url, "eth_getLogs", [{ address: Array(1_001).fill("junk") }])).error?.code).to.equal(LIMIT_EXCEEDED);
        const socket = await open(HONEST, url, sockets);
        expect((await socketCall(socket, "eth_subscribe", ["logs", { address: addresses(1_001) }])).error?.code).to.equal(LIMIT_EXCEEDED);
      });
    });

    it("refuses a batch over its cap whole with -32600, over HTTP and WebSocket, running none of them", async () => {
      expect(DEFAULT_RPC_LIMITS.maxBatchSize, "geth's and viem's batch size").to.equal(1_000);
      await withServer({ maxBatchSize: 100 }, async ({ url }, sockets) => {
        const refused = await batchFrom(ATTACKER, url, "eth_newBlockFilter", 101);
        expect(refused).to.have.length(1);
        expect(refused[0].error?.code).to.equal(-32600);
        expect(refused[0].error?.message).to.match(/oversize batch: 101 requests, at most 100/);
        const socket = await open(ATTACKER, url, sockets);
        const viaSocket = await new Promise<RpcReply>((resolve) => {
          socket.once("message", (d) => resolve(JSON.parse(d.toString()) as RpcReply));
          socket.send(JSON.stringify(Array.from({ length: 101 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_newBlockFilter" }))));
        });
        expect(viaSocket.error?.code).to.equal(-32600);
        // None ran: the client's whole quota of 100 filters is still free.
        expect(results(await batchFrom(ATTACKER, url, "eth_newBlockFilter", 100))).to.have.length(100);
      });
    });
  });

  describe("per-client quotas beside the global caps", () => {
    it("a client flooding eth_newBlockFilter in batches fills its own quota, not the table honest clients need", async () => {
      await withServer({ maxFiltersPerClient: 5, maxFilters: 12 }, async ({ url }) => {
        const flood = await batchFrom(ATTACKER, url, "eth_newBlockFilter", 20);
        expect(results(flood)).to.have.length(5);
        expect(errors(flood)).to.have.length(15);
        expect(errors(flood)[0].error).to.deep.equal({ code: LIMIT_EXCEEDED, message: "limit exceeded: at most 5 filters per client (this client holds 5)" });
        expect((await callFrom(HONEST, url, "eth_newBlockFilter")).result).to.match(/^0x[0-9a-f]{32}$/);

        // The global cap still holds when many clients fill their quotas, with its own message.
        expect(results(await batchFrom(OTHER, url, "eth_newBlockFilter", 5))).to.have.length(5);
        const last = await batchFrom(FOURTH, url, "eth_newBlockFilter", 2);
        expect(results(last)).to.have.length(1);
        expect(errors(last)[0].error?.message).to.match(/at most 12 filters on this node, all clients together/);

        // Uninstalling gives the quota back.
        expect((await callFrom(ATTACKER, url, "eth_uninstallFilter", [results(flood)[0].result])).result).to.equal(true);
        expect((await callFrom(ATTACKER, url, "eth_newBlockFilter")).error).to.equal(undefined);
      });
    });

    it("bounds the addresses and topics a client's filters hold, whatever their count", async () => {
      await withServer({ maxFilterCriteriaPerClient: 2_500 }, async ({ url }) => {
        expect((await callFrom(ATTACKER, url, "eth_newFilter", [{ address: addresses(1_000, 1) }])).error).to.equal(undefined);
        expect((await callFrom(ATTACKER, url, "eth_newFilter", [{ address: addresses(1_000, 2), topics: [topics(400)] }])).error).to.equal(undefined);
        const third = await callFrom(ATTACKER, url, "eth_newFilter", [{ address: addresses(101, 3) }]);
        expect(third.error?.code).to.equal(LIMIT_EXCEEDED);
        expect(third.error?.message).to.match(/at most 2500 filter addresses and topics per client \(this client holds 2400, asked 101 more\)/);
        // What is left is still usable, and block filters hold no criteria.
        expect((await callFrom(ATTACKER, url, "eth_newFilter", [{ address: addresses(100, 4) }])).error).to.equal(undefined);
        expect((await callFrom(ATTACKER, url, "eth_newBlockFilter")).error).to.equal(undefined);
        expect((await callFrom(HONEST, url, "eth_newFilter", [{ address: addresses(1_000, 5) }])).error).to.equal(undefined);
      });
    });

    it("uninstalls a filter its client stopped polling, giving its quota back", () => {
      let now = 0;
      const filters = new FilterManager(new ChainStore(L2State.genesis().root()), rpcLimits({ maxFiltersPerClient: 2, filterIdleMs: 1_000 }), () => now);
      const polled = filters.newBlockFilter("a");
      const forgotten = filters.newLogFilter(parseLogFilter({ address: addresses(3) }), "a");
      expect(() => filters.newBlockFilter("a")).to.throw(RpcLimitError, /at most 2 filters per client/);
      now = 900;
      filters.changes(polled);
      now = 1_500;
      expect(filters.newBlockFilter("a")).to.match(/^0x/);
      expect(() => filters.changes(forgotten)).to.throw(/filter not found/);
      expect(filters.changes(polled)).to.deep.equal([]);
      expect(filters.usage("a")).to.deep.equal({ filters: 2, criteria: 0 });
    });

    it("caps subscriptions per WebSocket connection and the addresses and topics a client's subscriptions hold", async () => {
      await withServer({ maxSubscriptionsPerConnection: 3, maxSubscriptionCriteriaPerClient: 1_500 }, async ({ url }, sockets) => {
        const socket = await open(ATTACKER, url, sockets);
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await socketCall(socket, "eth_subscribe", ["newHeads"])).result as string);
        const fourth = await socketCall(socket, "eth_subscribe", ["newHeads"]);
        expect(fourth.error).to.deep.equal({ code: LIMIT_EXCEEDED, message: "limit exceeded: at most 3 subscriptions per client (this client holds 3)" });
        expect((await socketCall(socket, "eth_unsubscribe", [ids[0]])).result).to.equal(true);
        expect((await socketCall(socket, "eth_subscribe", ["newHeads"])).error).to.equal(undefined);

        // A second connection has its own subscription count, but shares the client's criteria budget.
        const second = await open(ATTACKER, url, sockets);
        expect((await socketCall(second, "eth_subscribe", ["logs", { address: addresses(1_000) }])).error).to.equal(undefined);
        expect((await socketCall(second, "eth_subscribe", ["logs", { address: addresses(501) }])).error?.message).to.match(/at most 1500 subscription addresses and topics per client/);
        const other = await open(OTHER, url, sockets);
        expect((await socketCall(other, "eth_subscribe", ["logs", { address: addresses(1_000) }])).error).to.equal(undefined);

        // Closing a connection gives its criteria back.
        const third = await open(ATTACKER, url, sockets);
        second.close();
        await until("the closed connection's subscriptions to be released", async () => (await socketCall(third, "eth_subscribe", ["logs", { address: addresses(1_000) }])).error === undefined);
      });
    });
  });

  describe("connections and slow clients", () => {
    it("caps WebSocket connections per client (429) and on the node (503), and frees the slot when one closes", async () => {
      await withServer({ maxWebSocketsPerClient: 2, maxWebSockets: 3 }, async ({ url }, sockets) => {
        const first = await open(ATTACKER, url, sockets);
        await open(ATTACKER, url, sockets);
        expect(await openSocketFrom(ATTACKER, url)).to.deep.equal({ refused: 429 });
        await open(HONEST, url, sockets);
        expect(await openSocketFrom(OTHER, url)).to.deep.equal({ refused: 503 });
        first.close();
        await until("the closed slot to be free", async () => {
          const r = await openSocketFrom(OTHER, url);
          if ("socket" in r) sockets.push(r.socket);
          return "socket" in r;
        });
      });
    });

    it("answers a client's connections past its quota with 429 and -32005, HTTP or WebSocket, and serves other clients", async () => {
      await withServer({ maxConnectionsPerClient: 2 }, async ({ url }) => {
        const held = [await rawConnection(ATTACKER, url), await rawConnection(ATTACKER, url)];
        try {
          const refused = await postFrom(ATTACKER, url, { jsonrpc: "2.0", id: 1, method: "eth_chainId" });
          expect(refused.status).to.equal(429);
          expect((refused.json as RpcReply).error?.code).to.equal(LIMIT_EXCEEDED);
          expect((refused.json as RpcReply).error?.message).to.match(/at most 2 connections per client/);
          expect(await openSocketFrom(ATTACKER, url)).to.deep.equal({ refused: 429 });
          expect((await callFrom(HONEST, url, "eth_chainId")).result).to.equal("0xca12");
        } finally {
          for (const c of held) c.socket.destroy();
        }
        await until("the client's connections to be released", async () => (await postFrom(ATTACKER, url, { jsonrpc: "2.0", id: 1, method: "eth_chainId" })).status === 200);
      });
    });

    it("answers a body that stops arriving with 408 and closes the connection", async () => {
      await withServer({ bodyTimeoutMs: 300 }, async ({ url }) => {
        const { socket, closed } = await rawConnection(ATTACKER, url);
        const started = Date.now();
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc":');
        const answer = await closed;
        expect(answer).to.match(/^HTTP\/1\.1 408/);
        expect(answer).to.include('"code":-32600');
        expect(Date.now() - started).to.be.lessThan(3_000);
        expect((await callFrom(HONEST, url, "eth_chainId")).result).to.equal("0xca12");
      });
    });

    it("closes a connection whose headers never finish", async () => {
      await withServer({ headersTimeoutMs: 300, requestTimeoutMs: 600 }, async ({ url }) => {
        const { socket, closed } = await rawConnection(ATTACKER, url);
        const started = Date.now();
        socket.write("POST / HTTP/1.1\r\nHost: x\r\n");
        const trickle = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 100);
        try {
          await closed;
        } finally {
          clearInterval(trickle);
        }
        expect(Date.now() - started).to.be.lessThan(3_000);
      });
    });

    it("answers an oversize body 413, and cuts off a client that keeps sending it at the body timeout", async () => {
      await withServer({ maxBodyBytes: 1_000, bodyTimeoutMs: 500 }, async ({ url }) => {
        // Half-open: the client ignores the server's end of the connection and keeps streaming.
        const { socket, closed } = await rawConnection(ATTACKER, url, { allowHalfOpen: true });
        const started = Date.now();
        socket.on("error", () => undefined);
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n");
        const stream = setInterval(() => socket.writable && socket.write(Buffer.alloc(16 * 1024, 0x20)), 10);
        try {
          const answer = await closed;
          expect(answer).to.match(/^HTTP\/1\.1 413/);
        } finally {
          clearInterval(stream);
        }
        expect(Date.now() - started).to.be.within(400, 3_000);
      });
    });

    it("closes a WebSocket client that stops reading once 256 kB are queued for it", async () => {
      await withServer({ maxWebSocketBufferBytes: 256 * 1024 }, async ({ url, backend }, sockets) => {
        const reader = await open(ATTACKER, url, sockets);
        for (let i = 0; i < 100; i++) await socketCall(reader, "eth_subscribe", ["newHeads"]);
        const honest = await open(HONEST, url, sockets);
        await socketCall(honest, "eth_subscribe", ["newHeads"]);
        let honestHeads = 0;
        honest.on("message", () => honestHeads++);
        const closed = new Promise<void>((resolve) => reader.once("close", () => resolve()));
        reader.pause();
        for (let i = 0; i < 400; i++) {
          backend.emit();
          await new Promise((r) => setImmediate(r));
        }
        reader.resume();
        await closed;
        await until("the honest client to have every head", () => honestHeads === 400);
      });
    });
  });

  it("keys clients by IPv4 address, and IPv6 by /64", () => {
    expect(clientKey("127.0.0.2")).to.equal("127.0.0.2");
    expect(clientKey("::ffff:10.1.2.3")).to.equal("10.1.2.3");
    expect(clientKey("2001:db8:1:2:aaaa::1")).to.equal(clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"));
    expect(clientKey("2001:db8:1:2::1")).not.to.equal(clientKey("2001:db8:1:3::1"));
    expect(clientKey("::1")).to.equal("0:0:0:0::/64");
    expect(clientKey(undefined)).to.equal("unknown");
  });
});
