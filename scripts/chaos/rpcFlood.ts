/**
 * Attack 5, filter and connection floods against the L2 RPC, while honest clients (127.0.0.1)
 * keep polling the filters they installed and an honest WebSocket client keeps its newHeads
 * subscription. The attackers' filters and subscriptions stay in place afterwards (they never
 * uninstall), and the honest clients keep polling through the attacks that follow, until the
 * sequencer goes silent. Holds when no honest poll fails, honest clients keep seeing new blocks,
 * and no one client gets past its quotas.
 */
import type WebSocket from "ws";
import { DEFAULT_RPC_LIMITS } from "../../src/rpc/limits";
import { outcome, type AttackOutcome, type ChaosContext, type Figure } from "./context";
import { HttpRpc, RpcReplyError, openWebSocket, wsExchange } from "./rpcClient";
import { SocketHoard, filterHog, slowClients, sybilAddresses, sybilFilters, Tally } from "./rpcAttackers";
import { sleep } from "./rng";

const LIMITS = DEFAULT_RPC_LIMITS;
/** Sybil clients enough to pass the node's global caps, however each one is capped. */
const SYBIL_FILTER_CLIENTS = Math.ceil(LIMITS.maxFilters / LIMITS.maxFiltersPerClient) + 5;
const SYBIL_WS_CLIENTS = Math.ceil(LIMITS.maxWebSockets / LIMITS.maxWebSocketsPerClient) + 3;

/** An honest dapp: a block filter and a log filter of its token, polled every 250 ms. */
class HonestPoller {
  polls = 0;
  newBlocks = 0;
  readonly failures: Record<string, number> = {};
  private running = true;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly rpc: HttpRpc,
    private readonly token: string,
  ) {}

  async start(): Promise<void> {
    const blocks = await this.rpc.call<string>("eth_newBlockFilter");
    const logs = await this.rpc.call<string>("eth_newFilter", [{ address: this.token }]);
    this.loop = this.poll(blocks, logs);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(blocks: string, logs: string): Promise<void> {
    while (this.running) {
      try {
        const [hashes] = await Promise.all([this.rpc.call<string[]>("eth_getFilterChanges", [blocks]), this.rpc.call<unknown[]>("eth_getFilterChanges", [logs])]);
        this.newBlocks += hashes.length;
        this.polls++;
      } catch (e) {
        const key = e instanceof RpcReplyError ? `${e.rpc.code}: ${e.rpc.message.slice(0, 100)}` : `unreachable: ${(e as Error).message.slice(0, 100)}`;
        this.failures[key] = (this.failures[key] ?? 0) + 1;
      }
      await sleep(250);
    }
  }
}

/** An honest WebSocket client counting the new heads it is sent. */
class HonestSubscriber {
  heads = 0;
  private socket: WebSocket | null = null;

  async start(url: string): Promise<boolean> {
    const r = await openWebSocket(url, "127.0.0.1");
    if (!("socket" in r)) return false;
    this.socket = r.socket;
    const [reply] = await wsExchange(r.socket, { jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] });
    r.socket.on("message", (data) => {
      if (data.toString().includes('"eth_subscription"')) this.heads++;
    });
    return !reply.error;
  }

  get open(): boolean {
    return this.socket?.readyState === this.socket?.OPEN;
  }

  stop(): void {
    this.socket?.terminate();
  }
}

export class RpcFlood {
  private readonly pollerRpc: HttpRpc;
  private readonly pollers: HonestPoller[];
  private readonly subscriber = new HonestSubscriber();
  private readonly hoard = new SocketHoard();
  private readonly sybilHoard = new SocketHoard();
  private readonly figures: { [k: string]: Figure } = {};
  private readonly problems: string[] = [];
  private slow: Promise<{ [k: string]: Figure }> | null = null;
  private readonly stepMs: { [step: string]: Figure } = {};

  constructor(private readonly ctx: ChaosContext) {
    this.pollerRpc = new HttpRpc(() => ctx.devnet.rpcUrl, "127.0.0.1", { keepAlive: true, maxSockets: 4 });
    this.pollers = Array.from({ length: 3 }, () => new HonestPoller(this.pollerRpc, ctx.devnet.testTokenL2));
  }

  /**
   * Starts the honest clients, then floods: returns once every attacker holds what it could
   * take. `floodMs` is how long the flood is measured against the honest senders' throughput.
   */
  async attack(floodMs: number): Promise<void> {
    const url = this.ctx.devnet.rpcUrl;
    for (const p of this.pollers) await p.start();
    if (!(await this.subscriber.start(url))) this.problems.push("the honest WebSocket client could not subscribe before the flood");
    const started = Date.now();
    const baseline = this.honestTxPerSecond(Math.max(started - 5_000, this.ctx.senders.startedAt), started);
    const rssBefore = process.memoryUsage().rss;

    await this.step("oneClientFilters", async () => void (this.figures.oneClientFilters = await filterHog(() => url)));
    await this.step("oneClientWebSockets", () => this.hoardSockets(url));
    // Slow clients take the body timeout to be cut off: they are told apart in finish().
    this.slow = slowClients(Number(new URL(url).port), "127.0.0.4", LIMITS.maxConnectionsPerClient + 8, LIMITS.bodyTimeoutMs + LIMITS.headersTimeoutMs + 5_000);
    await this.step("sybilFilters", async () => void (this.figures.sybilFilters = await sybilFilters(() => url, sybilAddresses(1, SYBIL_FILTER_CLIENTS), this.ctx.options.sybilCriteria)));
    this.figures.honestNewFilterWhileTableFull = await this.pollerRpc.call("eth_newBlockFilter").then(
      () => "accepted",
      (e: unknown) => `refused: ${(e as Error).message.slice(0, 160)}`,
    );
    await this.step("sybilWebSockets", () => this.sybilSockets(url));
    const newWs = await openWebSocket(url, "127.0.0.1");
    this.figures.honestNewWebSocketWhileFull = "socket" in newWs ? "accepted" : `refused (${newWs.refused})`;
    if ("socket" in newWs) newWs.socket.terminate();

    const left = floodMs - (Date.now() - started);
    if (left > 0) await sleep(left);
    const ended = Date.now();
    this.figures.floodMs = ended - started;
    this.figures.stepMs = this.stepMs;
    this.figures.honestTxPerSecond = { before: baseline, during: this.honestTxPerSecond(started, ended) };
    this.figures.rssGrowthMb = Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20);
  }

  /** Runs one attacker and notes how long it took. */
  private async step(name: string, attacker: () => Promise<void>): Promise<void> {
    const t = Date.now();
    await attacker();
    this.stepMs[name] = Date.now() - t;
  }

  /** Transactions acknowledged to the honest senders per second in [from, to). */
  private honestTxPerSecond(from: number, to: number): number {
    let n = 0;
    for (const at of this.ctx.senders.stats.acknowledged.values()) if (at >= from && at < to) n++;
    return Math.round((n / Math.max(1, to - from)) * 1000);
  }

  /** One client opens more WebSockets than its quota, and subscribes each as far as it may. */
  private async hoardSockets(url: string): Promise<void> {
    const mine = await this.hoard.open(url, "127.0.0.3", LIMITS.maxWebSocketsPerClient + 24);
    for (const s of mine) await this.hoard.subscribeAndStall(s);
    this.figures.oneClientWebSockets = { ...this.hoard.opened.figures(), subscriptions: this.hoard.subscriptions.figures() };
  }

  /** Sybil clients open their quota of WebSockets each; some subscribe until the node's cap refuses. */
  private async sybilSockets(url: string): Promise<void> {
    let subscriptionCapHit = false;
    for (const from of sybilAddresses(2, SYBIL_WS_CLIENTS)) {
      const mine = await this.sybilHoard.open(url, from, LIMITS.maxWebSocketsPerClient);
      for (const s of mine) if (!subscriptionCapHit) subscriptionCapHit = await this.sybilHoard.subscribeAndStall(s);
    }
    this.figures.sybilWebSockets = { clients: SYBIL_WS_CLIENTS, ...this.sybilHoard.opened.figures(), subscriptions: this.sybilHoard.subscriptions.figures() };
  }

  /** Stops the honest clients and the attackers; the outcome covers everything since attack(). */
  async finish(): Promise<AttackOutcome> {
    if (this.slow) this.figures.slowClients = await this.slow;
    for (const p of this.pollers) await p.stop();
    const headsSeen = this.subscriber.heads;
    const subscriberOpen = this.subscriber.open;
    this.subscriber.stop();
    // A stalled client does not read, so it never sees its socket closed: the node's log says so.
    const stalled = this.hoard.stalled + this.sybilHoard.stalled;
    const cut = this.ctx.nodeLog.counts()["warn: closing a WebSocket client that does not read"] ?? 0;
    this.figures.stalledWebSockets = { stalled, closedByNode: cut };
    this.hoard.close();
    this.sybilHoard.close();
    this.pollerRpc.close();

    const polls = this.pollers.reduce((n, p) => n + p.polls, 0);
    const newBlocks = this.pollers.reduce((n, p) => n + p.newBlocks, 0);
    const failures = new Tally();
    for (const p of this.pollers) for (const [k, v] of Object.entries(p.failures)) failures.counts[k] = (failures.counts[k] ?? 0) + v;
    this.figures.honestPolls = { polls, failed: failures.refused, failures: failures.counts, newBlocksSeen: newBlocks };
    this.figures.honestSubscription = { headsReceived: headsSeen, stillOpen: subscriberOpen };
    this.checkQuotas();
    if (failures.refused > 0) this.problems.push(`${failures.refused} honest filter polls failed`);
    if (newBlocks === 0) this.problems.push("the honest block filters saw no new block");
    if (headsSeen === 0 || !subscriberOpen) this.problems.push("the honest WebSocket subscription stopped receiving new heads");
    return outcome(this.problems, this.figures);
  }

  /** No single client got more than its quotas. */
  private checkQuotas(): void {
    const one = this.figures.oneClientFilters as { bigLogFilters: { accepted: number }; blockFilters: { accepted: number } } | undefined;
    if (one) {
      const filters = one.bigLogFilters.accepted + one.blockFilters.accepted;
      if (filters > LIMITS.maxFiltersPerClient) this.problems.push(`one client installed ${filters} filters (quota ${LIMITS.maxFiltersPerClient})`);
      if (one.bigLogFilters.accepted * LIMITS.maxAddresses > LIMITS.maxFilterCriteriaPerClient) this.problems.push("one client held more filter criteria than its quota");
    }
    if (this.hoard.opened.ok > LIMITS.maxWebSocketsPerClient) this.problems.push(`one client opened ${this.hoard.opened.ok} WebSockets (quota ${LIMITS.maxWebSocketsPerClient})`);
    const slow = this.figures.slowClients as { closedByNode: number; connections: number } | undefined;
    if (slow && slow.closedByNode < slow.connections) this.problems.push(`${slow.connections - slow.closedByNode} slow connections were still open past the body and header timeouts`);
  }
}
