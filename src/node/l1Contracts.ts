/**
 * The node's view of the L1 contracts: reading the queue and token registrations from events,
 * the batch chain from views, and posting batches. Everything goes through an ethers provider,
 * so the node runs against any L1 by URL or in-process against Hardhat.
 */
import type { Provider, Signer } from "ethers";
import { Bridge__factory, Rollup__factory, type Bridge, type Rollup } from "../../typechain-types";
import type { QueueEntry } from "../core/execute";
import type { QueueKind } from "../core/constants";
import { abiStringAt, displayText, wordAt } from "./untrustedText";

export interface L1Addresses {
  bridge: string;
  rollup: string;
}

/** How a node reaches L1 and follows Cairn there: shared by every node role. */
export interface L1NodeConfig {
  l1Provider: Provider;
  /** The node's L1 account: posts batches (sequencer) or fraud proofs (challenger). */
  l1Signer: Signer;
  addresses: L1Addresses;
  /** L1 block the contracts were deployed in: where following starts. */
  startBlock: number;
  /** Blocks an L1 event must be buried under before the node acts on it. */
  confirmations: number;
  /** The L2 chain id. */
  chainId: bigint;
}

/** A queue entry with what the L1 event adds. */
export interface L1QueueEntry extends QueueEntry {
  l1Sender: string;
  accumulator: string;
  l1Block: number;
}

/**
 * A token as its L1 registration described it. The name and symbol are whatever the token
 * answered (the Bridge bounds them, nothing checks them): kept as the bytes the event carried,
 * and served for display as {@link displayText} makes them.
 */
export interface TokenMetadata {
  tokenId: number;
  l1Token: string;
  l2Token: string;
  /** Display form of the name: valid UTF-8, no control characters, at most 64 bytes' worth. */
  name: string;
  symbol: string;
  /** The name's bytes as the event carried them (0x hex, at most 65 bytes: see abiStringAt). */
  nameBytes: string;
  symbolBytes: string;
  decimals: number;
}

export interface RollupCounts {
  queueLength: bigint;
  batchCount: bigint;
  finalBatchCount: bigint;
  revertedBatchCount: bigint;
}

export class L1Contracts {
  readonly bridge: Bridge;
  readonly rollup: Rollup;

  constructor(
    readonly provider: Provider,
    readonly addresses: L1Addresses,
    /** Connects the contracts for writes (tests and tasks send through them); the node's own
     *  L1 transactions go through its L1TxManager. */
    signer?: Signer,
  ) {
    const runner = signer ?? provider;
    this.bridge = Bridge__factory.connect(addresses.bridge, runner);
    this.rollup = Rollup__factory.connect(addresses.rollup, runner);
  }

  /** Queue entries added in L1 blocks [from, to]. */
  async queueEntries(fromBlock: number, toBlock: number): Promise<L1QueueEntry[]> {
    const events = await inSlices(fromBlock, toBlock, (from, to) => this.bridge.queryFilter(this.bridge.filters.QueueEntryAdded(), from, to));
    return events.map((e) => ({
      index: e.args.index,
      kind: Number(e.args.kind) as QueueKind,
      account: e.args.account.toLowerCase(),
      tokenId: Number(e.args.tokenId),
      amount: e.args.amount,
      l1Sender: e.args.l1Sender.toLowerCase(),
      accumulator: e.args.accumulator,
      l1Block: e.blockNumber,
    }));
  }

  /**
   * Token registrations in L1 blocks [from, to], with the metadata the L2 views serve. The logs
   * are decoded here, not by ethers, whose lazily decoded strings throw on invalid UTF-8 when
   * read: one token's name must not stop every follower.
   */
  async tokenRegistrations(fromBlock: number, toBlock: number): Promise<TokenMetadata[]> {
    const logs = await inSlices(fromBlock, toBlock, (from, to) => this.provider.getLogs({ address: this.addresses.bridge, topics: [TOKEN_REGISTERED], fromBlock: from, toBlock: to }));
    return logs.flatMap((log) => decodeTokenRegistered(log) ?? []);
  }

  async counts(): Promise<RollupCounts> {
    const [queueLength, batchCount, finalBatchCount, revertedBatchCount] = await Promise.all([
      this.bridge.queueLength(),
      this.rollup.batchCount(),
      this.rollup.finalBatchCount(),
      this.rollup.revertedBatchCount(),
    ]);
    return { queueLength, batchCount, finalBatchCount, revertedBatchCount };
  }
}

const TOKEN_REGISTERED = Bridge__factory.createInterface().getEvent("TokenRegistered").topicHash;

/**
 * A `TokenRegistered(address indexed l1Token, uint24 indexed tokenId, address l2Token, string
 * name, string symbol, uint8 decimals)` log, decoded without trusting it: name and symbol as
 * bounded bytes and their display form, decimals 18 if out of range (as the Bridge records it).
 * Null for a log that is not one (wrong topics, or data too short to hold the fixed fields);
 * a string that does not decode is "" — a registration is never dropped for its metadata.
 */
export function decodeTokenRegistered(log: { topics: readonly string[]; data: string }): TokenMetadata | null {
  if (log.topics.length !== 3 || !log.topics.every((t) => /^0x[0-9a-fA-F]{64}$/.test(t)) || log.topics[0].toLowerCase() !== TOKEN_REGISTERED) return null;
  if (!/^0x([0-9a-fA-F]{2})*$/.test(log.data)) return null;
  const data = Buffer.from(log.data.slice(2), "hex");
  const l2Token = wordAt(data, 0);
  const decimals = wordAt(data, 96);
  if (l2Token === null || decimals === null) return null;
  const name = abiStringAt(data, 32) ?? new Uint8Array(0);
  const symbol = abiStringAt(data, 64) ?? new Uint8Array(0);
  return {
    tokenId: Number(BigInt(log.topics[2]) & 0xffffffn),
    l1Token: addressOfWord(BigInt(log.topics[1])),
    l2Token: addressOfWord(l2Token),
    name: displayText(name),
    symbol: displayText(symbol),
    nameBytes: "0x" + Buffer.from(name).toString("hex"),
    symbolBytes: "0x" + Buffer.from(symbol).toString("hex"),
    decimals: decimals > 255n ? DEFAULT_DECIMALS : Number(decimals),
  };
}

/** Decimals the Bridge records for a token whose decimals() reverts or answers above 255. */
export const DEFAULT_DECIMALS = 18;

const addressOfWord = (word: bigint) => "0x" + (word & ((1n << 160n) - 1n)).toString(16).padStart(40, "0");

/** L1 blocks one log query covers: public L1 nodes cap the range of eth_getLogs. */
export const MAX_LOG_RANGE = 5_000;

/** Runs a log query over [fromBlock, toBlock] in slices of {@link MAX_LOG_RANGE} blocks, in order. */
export async function inSlices<T>(fromBlock: number, toBlock: number, query: (from: number, to: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let from = fromBlock; from <= toBlock; from += MAX_LOG_RANGE) out.push(...(await query(from, Math.min(toBlock, from + MAX_LOG_RANGE - 1))));
  return out;
}

const SUBMIT_BATCH = Rollup__factory.createInterface().getFunction("submitBatch").selector.slice(2);
const uintWord = (v: bigint | number) => BigInt(v).toString(16).padStart(64, "0");

/** ABI calldata of `submitBatch(uint256, bytes32, uint64, bytes)`. */
export function submitBatchCalldata(batchIndex: number, preStateRoot: string, queueCount: bigint, commitments: Buffer): string {
  const padding = "00".repeat((32 - (commitments.length % 32)) % 32);
  return "0x" + SUBMIT_BATCH + uintWord(batchIndex) + preStateRoot.slice(2).padStart(64, "0") + uintWord(queueCount) + uintWord(128) + uintWord(commitments.length) + commitments.toString("hex") + padding;
}
