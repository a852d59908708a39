/**
 * Polled filters (eth_newFilter, eth_newBlockFilter, eth_getFilterChanges …): what ethers'
 * `contract.on` and `provider.on("block")` poll. A filter remembers the last block it reported
 * and expires after five idle minutes, as geth's do. The table is shared by every client, so
 * each client has a quota of filters and of the criteria (addresses and topics) they hold —
 * their memory — beside the node's caps: one client filling its quota leaves the rest to others.
 */
import { randomBytes } from "node:crypto";
import type { ChainStore, L2Block } from "../chain/chainStore";
import { blockLogs, filterCriteria, type LogFilter, type RpcLog } from "./logs";
import { rpcError, RpcCode } from "./errors";
import { DEFAULT_RPC_LIMITS, Quota, type RpcLimits } from "./limits";

type Filter = ({ kind: "logs"; filter: LogFilter } | { kind: "blocks" }) & {
  lastBlock: number;
  touched: number;
  /** Whose quotas it draws on, and how many criteria it holds there. */
  client: string;
  criteria: number;
};

export type FilterLimits = Pick<RpcLimits, "maxFilters" | "maxFiltersPerClient" | "maxFilterCriteria" | "maxFilterCriteriaPerClient" | "filterIdleMs">;

/** Idle filters are swept at most this often: a sweep walks the whole table. */
const SWEEP_EVERY_MS = 1_000;

export class FilterManager {
  private readonly filters = new Map<string, Filter>();
  private readonly count: Quota;
  private readonly criteria: Quota;
  private lastSweep = -Infinity;

  constructor(
    private readonly chain: ChainStore,
    private readonly limits: FilterLimits = DEFAULT_RPC_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.count = new Quota("filters", limits.maxFiltersPerClient, limits.maxFilters);
    this.criteria = new Quota("filter addresses and topics", limits.maxFilterCriteriaPerClient, limits.maxFilterCriteria);
  }

  newLogFilter(filter: LogFilter, client: string): string {
    return this.add({ kind: "logs", filter, lastBlock: this.chain.latest.number, touched: this.now(), client, criteria: filterCriteria(filter) });
  }

  newBlockFilter(client: string): string {
    return this.add({ kind: "blocks", lastBlock: this.chain.latest.number, touched: this.now(), client, criteria: 0 });
  }

  /** New block hashes, or new matching logs, since the last call. */
  changes(id: string): string[] | RpcLog[] {
    const f = this.get(id);
    const latest = this.chain.latest.number;
    const blocks: L2Block[] = [];
    for (let n = f.lastBlock + 1; n <= latest; n++) blocks.push(this.chain.block(n)!);
    f.lastBlock = latest;
    if (f.kind === "blocks") return blocks.map((b) => b.hash);
    return blocks.flatMap((b) => blockLogs(b, f.filter));
  }

  get(id: string): Filter {
    this.expire();
    const f = this.filters.get(id.toLowerCase());
    if (!f) throw rpcError(RpcCode.SERVER, "filter not found");
    f.touched = this.now();
    return f;
  }

  uninstall(id: string): boolean {
    const key = String(id).toLowerCase();
    const f = this.filters.get(key);
    if (!f) return false;
    this.remove(key, f);
    return true;
  }

  /** What `client` holds: its filters and their criteria. */
  usage(client: string): { filters: number; criteria: number } {
    return { filters: this.count.heldBy(client), criteria: this.criteria.heldBy(client) };
  }

  get size(): number {
    return this.filters.size;
  }

  private add(f: Filter): string {
    this.expire();
    // Both checked before either is taken, so a refusal holds nothing.
    this.criteria.check(f.client, f.criteria);
    this.count.take(f.client);
    this.criteria.take(f.client, f.criteria);
    const id = "0x" + randomBytes(16).toString("hex");
    this.filters.set(id, f);
    return id;
  }

  private remove(id: string, f: Filter): void {
    this.filters.delete(id);
    this.count.release(f.client);
    this.criteria.release(f.client, f.criteria);
  }

  private expire(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const cutoff = now - this.limits.filterIdleMs;
    for (const [id, f] of this.filters) if (f.touched < cutoff) this.remove(id, f);
  }
}
