/**
 * Polled filters (eth_newFilter, eth_newBlockFilter, eth_getFilterChanges …): what ethers'
 * `contract.on` and `provider.on("block")` poll. A filter remembers the last block it reported
 * and expires after five idle minutes, as geth's do.
 */
import { randomBytes } from "node:crypto";
import type { ChainStore, L2Block } from "../node/chainStore";
import { blockLogs, type LogFilter, type RpcLog } from "./logs";
import { rpcError, RpcCode } from "./errors";

type Filter = { kind: "logs"; filter: LogFilter; lastBlock: number; touched: number } | { kind: "blocks"; lastBlock: number; touched: number };

const IDLE_MS = 5 * 60_000;
const MAX_FILTERS = 10_000;

export class FilterManager {
  private readonly filters = new Map<string, Filter>();

  constructor(
    private readonly chain: ChainStore,
    private readonly now: () => number = Date.now,
  ) {}

  newLogFilter(filter: LogFilter): string {
    return this.add({ kind: "logs", filter, lastBlock: this.chain.latest.number, touched: this.now() });
  }

  newBlockFilter(): string {
    return this.add({ kind: "blocks", lastBlock: this.chain.latest.number, touched: this.now() });
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
    return this.filters.delete(String(id).toLowerCase());
  }

  private add(f: Filter): string {
    this.expire();
    if (this.filters.size >= MAX_FILTERS) throw rpcError(RpcCode.SERVER, "too many filters installed");
    const id = "0x" + randomBytes(16).toString("hex");
    this.filters.set(id, f);
    return id;
  }

  private expire(): void {
    const cutoff = this.now() - IDLE_MS;
    for (const [id, f] of this.filters) if (f.touched < cutoff) this.filters.delete(id);
  }
}
