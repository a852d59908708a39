/**
 * The port between a node and what serves it: everything the JSON-RPC reads of the L2 (and, on
 * the sequencer, where a transaction goes in). Nodes implement it; the RPC depends on it only.
 */
import type { TxResult } from "../core/execute";
import type { EngineOptions } from "../core/evm/engine";
import type { L2State } from "../core/state";
import type { ChainStore, L2Block } from "./chainStore";
import type { TokenMetadata } from "./tokens";
import type { RollupStatus } from "./api";
import type { StateHistory } from "./history";

/** What the RPC reads. The sequencer provides all of it; a replica everything but sending. */
export interface L2Backend {
  readonly chainId: bigint;
  readonly baseFee: bigint;
  readonly state: L2State;
  readonly chain: ChainStore;
  /** The state of past blocks; without it, state is read at the latest block only. */
  readonly history?: StateHistory;
  nonce(address: string, tag: "latest" | "pending"): bigint;
  tokenMetadata(tokenId: number): TokenMetadata | undefined;
  pendingTransaction(hash: string): TxResult | undefined;
  /**
   * Resolves once the block being built, which holds pending transaction `hash`, is sealed — or
   * after about a block time if it is not (a node whose blocks are slow does not wait at all).
   */
  untilSealed?(hash: string): Promise<void>;
  sendRawTransaction?(raw: string): string | Promise<string>;
  /** Experimental EVM mode: contracts exist, and the RPC answers for them (rpc/methods/evm.ts). */
  readonly experimentalEvm?: boolean;
  /**
   * Experimental EVM mode: runs a simulation (eth_call, eth_estimateGas) of the live state in
   * its turn (chain/stateTurns.ts) — nothing changes the state meanwhile — handing it the
   * engine options that keep the node's thread free (a pause, precompiles on a worker). Throws
   * OverloadedError when too many wait.
   */
  simulate?<T>(run: (options: EngineOptions) => Promise<T>): Promise<T>;
  status(): RollupStatus;
  /** Calls `listener` with every new block (subscriptions). */
  onBlock(listener: (block: L2Block) => void): void;
}

/** A running server of a backend (the L2 JSON-RPC): where clients reach it, and how to stop it. */
export interface Endpoint {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts serving `backend`; a node calls it once it is in sync with L1. */
export type Serve = (backend: L2Backend) => Promise<Endpoint>;
