/** Log filters as Ethereum nodes take them: block range or block hash, addresses, topic OR-lists. */
import type { ChainStore, L2Block } from "../chain/chainStore";
import { formatLogs } from "./format";
import { rpcError, RpcCode, RpcLimitError, invalidParams } from "./errors";
import { DEFAULT_RPC_LIMITS, type RpcLimits } from "./limits";
import * as p from "./params";

export interface LogFilter {
  fromBlock: p.BlockTag;
  toBlock: p.BlockTag;
  blockHash?: string;
  /** null matches any address. Sets: matching is one lookup however many are listed. */
  addresses: ReadonlySet<string> | null;
  /** Per position: null matches anything, else one of the listed topics. */
  topics: Array<ReadonlySet<string> | null>;
}

export type RpcLog = ReturnType<typeof formatLogs>[number];

/** Most blocks one eth_getLogs may scan. */
export const MAX_LOG_RANGE = 10_000;

/** Topic positions a log has at most (LOG0..LOG4): a filter on a fifth can never match. */
export const MAX_TOPIC_POSITIONS = 4;

/** How big a log filter may be (see RpcLimits). */
export type FilterSizeLimits = Pick<RpcLimits, "maxAddresses" | "maxTopicsPerPosition">;

/**
 * A log filter as eth_getLogs, eth_newFilter and eth_subscribe("logs") take it. Its size is
 * checked before its entries are: an oversized list is refused without validating it.
 */
export function parseLogFilter(v: unknown, limits: FilterSizeLimits = DEFAULT_RPC_LIMITS): LogFilter {
  if (v === undefined || v === null) v = {};
  if (typeof v !== "object" || Array.isArray(v)) throw invalidParams("filter must be an object");
  const o = v as Record<string, unknown>;
  const topic = (t: unknown, i: number): ReadonlySet<string> | null => {
    if (t === null || t === undefined) return null;
    if (!Array.isArray(t)) return new Set([p.hash32(t, `topics[${i}]`)]);
    if (t.length > limits.maxTopicsPerPosition) throw new RpcLimitError(`at most ${limits.maxTopicsPerPosition} topics at one position of a filter (topics[${i}] lists ${t.length})`);
    return t.length === 0 ? null : new Set(t.map((x) => p.hash32(x, `topics[${i}]`)));
  };
  if (o.topics !== undefined && o.topics !== null && !Array.isArray(o.topics)) throw invalidParams("topics must be an array");
  const rawTopics = (o.topics as unknown[] | undefined) ?? [];
  if (rawTopics.length > MAX_TOPIC_POSITIONS) throw invalidParams(`at most ${MAX_TOPIC_POSITIONS} topics`);
  const topics = rawTopics.map(topic);
  if (Array.isArray(o.address) && o.address.length > limits.maxAddresses) {
    throw new RpcLimitError(`at most ${limits.maxAddresses} addresses in a filter (asked ${o.address.length}); split the query`);
  }
  const addresses =
    o.address === undefined || o.address === null
      ? null
      : new Set(Array.isArray(o.address) ? o.address.map((a) => p.address(a, "address")) : [p.address(o.address, "address")]);
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined) throw invalidParams("blockHash excludes fromBlock and toBlock");
    return { fromBlock: "latest", toBlock: "latest", blockHash: p.hash32(o.blockHash, "blockHash"), addresses, topics };
  }
  return { fromBlock: p.blockTag(o.fromBlock, "fromBlock"), toBlock: p.blockTag(o.toBlock, "toBlock"), addresses, topics };
}

/** The addresses and topics a filter holds: what it costs to keep installed. */
export function filterCriteria(f: LogFilter): number {
  return (f.addresses?.size ?? 0) + f.topics.reduce((n, t) => n + (t?.size ?? 0), 0);
}

export function logMatches(log: { address: string; topics: string[] }, f: LogFilter): boolean {
  if (f.addresses && !f.addresses.has(log.address.toLowerCase())) return false;
  for (let i = 0; i < f.topics.length; i++) {
    const want = f.topics[i];
    if (want && !want.has(log.topics[i]?.toLowerCase())) return false;
  }
  return true;
}

/** The matching logs of one block, formatted. */
export function blockLogs(block: L2Block, f: LogFilter): RpcLog[] {
  const out: RpcLog[] = [];
  let logIndex = 0;
  block.transactions.forEach((t, i) => {
    for (const log of formatLogs(t, block, i, logIndex)) if (logMatches(log, f)) out.push(log);
    logIndex += t.logs.length;
  });
  return out;
}

/** eth_getLogs over `chain`, resolving tags with `resolve`. */
export function collectLogs(chain: ChainStore, f: LogFilter, resolve: (tag: p.BlockTag) => L2Block | undefined): RpcLog[] {
  if (f.blockHash) {
    const block = chain.blockByHash(f.blockHash);
    if (!block) throw rpcError(RpcCode.SERVER, `unknown block ${f.blockHash}`);
    return blockLogs(block, f);
  }
  const from = resolve(f.fromBlock)?.number ?? chain.latest.number + 1;
  const to = Math.min(resolve(f.toBlock)?.number ?? chain.latest.number, chain.latest.number);
  if (to < from) return [];
  if (to - from + 1 > MAX_LOG_RANGE) {
    throw rpcError(RpcCode.SERVER, `query returned more than ${MAX_LOG_RANGE} blocks: narrow fromBlock..toBlock (asked ${from}..${to})`);
  }
  const out: RpcLog[] = [];
  for (let n = from; n <= to; n++) out.push(...blockLogs(chain.block(n)!, f));
  return out;
}
