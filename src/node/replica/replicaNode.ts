/**
 * A read-only replica: rebuilds the L2 from L1 alone — queue events and the batches' calldata —
 * then follows L1 and serves the same JSON-RPC as the sequencer, minus sending. It trusts
 * nothing the sequencer says: every batch still in its challenge window is replayed and checked
 * commitment by commitment, final ones at their end. A batch that does not replay is not
 * applied; the replica waits at it until a fraud proof reverts it (and rebuilds when one does).
 */
import type { Provider } from "ethers";
import { yieldingPause } from "../../shared/eventLoop";
import { Simulations } from "../simulations";
import type { EngineOptions } from "../../core/evm/engine";
import type { L2State } from "../../core/state";
import type { TxResult } from "../../core/execute";
import { ChainState } from "../../chain/chainState";
import type { ChainStore, L2Block } from "../../chain/chainStore";
import type { TokenMetadata } from "../../chain/tokens";
import type { Endpoint, L2Backend, Serve } from "../../chain/backend";
import type { StateHistory } from "../../chain/history";
import type { RollupStatus } from "../../chain/api";
import { L1Contracts, blobSourceFor } from "../l1/contracts";
import { L1Follower, type FollowerRole, type L1Span } from "../l1/follower";
import { explainStoppedFollowing, readBatch, type BatchClaim, type PostedBatch } from "../l1/batchReader";
import { blobBlocksOf } from "../l1/batchClaim";
import { BatchReplayer } from "./batchReplayer";
import { MissingBatchError } from "./missingBatch";
import { requireLocalL1ForEvm } from "../experimentalEvm";
import { RecoveryWorker } from "../recoveryWorker";
import type { Logger } from "../../shared/logger";
import { freshRuns, repeat, type Repeating } from "../../shared/schedule";

export interface ReplicaConfig {
  l1Provider: Provider;
  addresses: { bridge: string; rollup: string };
  startBlock: number;
  confirmations: number;
  chainId: bigint;
  pollMs: number;
  /** A consensus-layer node's Beacon API: where blob batches' blobs come from. */
  l1Beacon?: string;
  /** How the replica is served to clients once in sync (read-only JSON-RPC: see app/jsonRpc). */
  serve?: Serve;
  logger: Logger;
  /** Called during a sync with batches applied so far and the number L1 holds. */
  onProgress?: (p: { batch: number; batches: number; l2Block: number; txs: number }) => void;
  /** `--experimental-evm`: replay EVM blocks in the engine (refused unless L1 is local). */
  experimentalEvm?: boolean;
}

/** Batches read from L1 ahead of one write turn that applies them all. */
const READ_AHEAD = 16;

export class ReplicaNode implements L2Backend, FollowerRole {
  readonly followsBatches = true;
  readonly l1: L1Contracts;
  private readonly follower: L1Follower;
  private readonly replayer: BatchReplayer;
  private readonly recovery: RecoveryWorker | null;
  /** The chain served. After a fraud proof reverts batches it applied, a new one is built from L1 beside it and then taken over. */
  private readonly local: ChainState;
  private building: ChainState | null = null;
  private readonly simulations = new Simulations();
  /**
   * Batches L1 holds that are not applied yet, as their events claim them, in index order. Each
   * is read and authenticated just before it is applied: one reverted meanwhile is never read.
   */
  private pending: BatchClaim[] = [];
  private l1ChainId = 0;
  private endpoint: Endpoint | null = null;
  private loop: Repeating | null = null;
  private readonly syncing = freshRuns(() => this.syncOnce());
  private readonly blockListeners: Array<(b: L2Block) => void> = [];
  /** A batch on L1 that does not replay: nothing is applied past it until it is reverted. */
  stuckAt: number | null = null;
  rpcUrl: string | null = null;

  constructor(private readonly config: ReplicaConfig) {
    this.l1 = new L1Contracts(config.l1Provider, config.addresses, undefined, blobSourceFor(config.l1Beacon));
    this.follower = new L1Follower(this.l1, { startBlock: config.startBlock, confirmations: config.confirmations });
    this.recovery = RecoveryWorker.start();
    this.replayer = new BatchReplayer(this.recovery);
    this.local = this.freshChain();
  }

  // --- L2Backend (read-only) -----------------------------------------------------------------
  get chainId(): bigint {
    return this.config.chainId;
  }
  /** The latest block's: a replica quotes what the chain charged last. */
  get baseFee(): bigint {
    return this.chain.latest.baseFee;
  }
  get state(): L2State {
    return this.local.state;
  }
  get chain(): ChainStore {
    return this.local.chain;
  }
  get history(): StateHistory {
    return this.local.history;
  }
  tokenMetadata(tokenId: number): TokenMetadata | undefined {
    return this.local.tokenMetadata(tokenId);
  }
  nonce(address: string): bigint {
    return this.state.accountOf(address.toLowerCase())?.nonce ?? 0n;
  }
  pendingTransaction(): TxResult | undefined {
    return undefined;
  }
  onBlock(listener: (block: L2Block) => void): void {
    this.blockListeners.push(listener);
  }
  get experimentalEvm(): boolean {
    return this.config.experimentalEvm === true;
  }
  simulate<T>(run: (options: EngineOptions) => Promise<T>): Promise<T> {
    return this.simulations.run(run);
  }

  status(): RollupStatus {
    return this.local.status(this.follower.counts, { bridge: this.config.addresses.bridge, rollup: this.config.addresses.rollup, chainId: this.l1ChainId });
  }

  // --- lifecycle ------------------------------------------------------------------------------
  /** Rebuilds the L2 from L1, starts serving it (if configured), and follows L1. */
  async start(): Promise<void> {
    if (this.config.experimentalEvm) await requireLocalL1ForEvm(this.config.l1Provider);
    this.l1ChainId = Number((await this.config.l1Provider.getNetwork()).chainId);
    await this.sync();
    if (this.config.serve) {
      this.endpoint = await this.config.serve(this);
      this.rpcUrl = this.endpoint.url;
    }
    this.loop = repeat(this.config.pollMs, () => this.sync(), { logger: this.config.logger, what: "replica sync", unref: true, explain: explainStoppedFollowing });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    await this.syncing.settled();
    await this.endpoint?.stop();
    await this.recovery?.stop();
    await this.simulations.close();
  }

  /**
   * Reads L1 up to its confirmed head and applies every new batch. A call during one gets the
   * next (see freshRuns). A batch that cannot be authenticated fails the whole call before
   * anything read with it is taken in: the next call reads the same L1 blocks again.
   */
  sync(): Promise<void> {
    return this.syncing();
  }

  private async syncOnce(): Promise<void> {
    await this.follower.poll(this);
    await this.applyPending();
    const rebuilt = this.building;
    if (rebuilt) await this.simulations.turns.write(async () => this.serveRebuilt(rebuilt));
  }

  /**
   * Serves a chain rebuilt from L1 in place of the one served so far — in the same ChainState
   * and ChainStore, which the RPC's filters hold on to — and announces its blocks from the first
   * that differs: subscribers hear only of blocks the replica serves.
   */
  private serveRebuilt(rebuilt: ChainState): void {
    const before = this.local.chain.blocks.map((b) => b.hash);
    this.local.takeOver(rebuilt);
    this.building = null;
    const blocks = this.local.chain.blocks;
    let n = 1;
    while (n < blocks.length && before[n] === blocks[n].hash) n++;
    for (; n < blocks.length; n++) this.announce(blocks[n]);
  }

  private announce(block: L2Block): void {
    for (const l of this.blockListeners) l(block);
  }

  /** The replica's part of following L1: learn the queue and tokens, note batches, and heed fraud proofs. */
  async take(span: L1Span): Promise<number> {
    const target = this.building ?? this.local;
    target.queue.learn(span.queue);
    target.addTokenMetadata(span.tokens);
    for (const e of span.events) {
      if (e.type === "batch") {
        this.pending.push(e.claim);
      } else if (e.index < target.chain.batches.length) {
        // Batches it applied were reverted: rebuild from genesis on L1 (rare; simpler than unwinding).
        this.config.logger.warn({ batch: e.index }, "batches were reverted on L1; the replica rebuilds from L1");
        this.building = this.freshChain();
        this.pending = [];
        this.stuckAt = null;
        return this.follower.startBlock;
      } else {
        this.pending = this.pending.filter((b) => b.index < e.index);
        if (this.stuckAt !== null && this.stuckAt >= e.index) this.stuckAt = null;
      }
    }
    return span.to + 1;
  }

  /**
   * Applies pending batches in index order, each final or checked commitment by commitment: up to
   * {@link READ_AHEAD} read from L1 first, then applied in one write turn if the chain is served.
   */
  private async applyPending(): Promise<void> {
    const chain = this.building ?? this.local;
    const total = this.pending.length;
    let txs = 0;
    for (;;) {
      const claims = this.nextClaims(chain);
      if (claims.length === 0) return;
      // Authenticated here, before they are applied: one that is not fails the sync (those read
      // before it are applied first) and is read again at the next.
      const batches: PostedBatch[] = [];
      const unread = await (async () => { for (const claim of claims) batches.push(await readBatch(this.l1, claim)); })().then(() => null, (e: unknown) => e);
      const applyAll = async (): Promise<boolean> => {
        for (const batch of batches) {
          const applied = await this.applyBatch(chain, batch, BigInt(batch.index) < this.follower.counts.finalBatchCount);
          if (applied === false) {
            this.stuckAt = batch.index;
            this.config.logger.warn({ batch: batch.index }, "batch on L1 does not replay; waiting for a fraud proof to revert it");
            return false;
          }
          this.pending.shift();
          txs += applied;
          this.config.onProgress?.({ batch: total - this.pending.length, batches: total, l2Block: chain.chain.latest.number, txs });
        }
        return true;
      };
      if (!(chain === this.local ? await this.simulations.turns.write(applyAll) : await applyAll())) return;
      if (unread !== null) throw unread;
    }
  }

  /**
   * The next pending claims to apply, consecutive from the batch `chain` expects (claims for
   * batches it holds are dropped: re-posted after a revert), none past the one stuck. Throws
   * MissingBatchError when the next pending claim is past the one expected.
   */
  private nextClaims(chain: ChainState): BatchClaim[] {
    const expected = chain.chain.batches.length;
    while (this.pending.length > 0 && this.pending[0].index < expected) this.pending.shift();
    if (this.pending.length > 0 && this.pending[0].index > expected) throw new MissingBatchError(expected, this.pending[0].index);
    const claims: BatchClaim[] = [];
    for (const claim of this.pending) {
      if (claim.index !== expected + claims.length || claim.index === this.stuckAt || claims.length === READ_AHEAD) break;
      claims.push(claim);
    }
    return claims;
  }

  /** Replays one batch; returns the transactions it applied, or false with the state untouched if it is not honest. */
  private async applyBatch(local: ChainState, batch: PostedBatch, final: boolean): Promise<number | false> {
    const state = local.state;
    const cp = state.checkpoint();
    const queueStart = state.queueIndex;
    const preRoot = local.chain.latest.stateRoot;
    const [results] = await this.replayer.replayBatches(state, [{ bodies: batch.bodies, queueLimit: batch.queueCount, final }], {
      chainId: this.config.chainId,
      queueEntry: (i) => local.queue.entry(i),
      // Each commitment's changes are its block's: kept as it replays (the tree where the replay
      // computed it), dropped again if the batch is not honest.
      afterCommitment: (rootComputed) => local.history.capture(rootComputed),
      ...(this.config.experimentalEvm ? { evm: { firstBlock: local.chain.latest.number + 1, pause: yieldingPause() } } : {}),
    });
    const honest = results.length === batch.bodies.length && results.every((r) => r.verdict.ok) && "0x" + state.root().toString("hex") === batch.postStateRoot && preRoot === batch.preStateRoot;
    if (!honest) {
      state.rollback(cp);
      local.history.dropAfter(local.chain.latest.number);
      return false;
    }
    state.release(cp);
    let queueIndex = queueStart;
    let pre: Buffer = Buffer.from(preRoot.slice(2), "hex");
    let txs = 0;
    const first = local.chain.latest.number + 1;
    results.forEach((r, i) => {
      queueIndex += BigInt(r.results.filter((x) => x.type === "queue").length);
      txs += r.results.filter((x) => x.type === "tx").length;
      local.appendReplayed(r, batch.bodies[i], pre, queueIndex);
      // An empty run changes nothing: the next body starts from the same root.
      if (r.commitment) pre = r.commitment.postStateRoot;
    });
    local.chain.recordBatch({ index: batch.index, firstBlock: first, lastBlock: local.chain.latest.number, l1TxHash: batch.l1TxHash, l1Block: batch.l1Block, blobBlocks: blobBlocksOf(batch) });
    return txs;
  }

  private freshChain(): ChainState {
    const chain = new ChainState(this.config.chainId);
    // A chain being rebuilt is announced when it is served (see serveRebuilt), not block by block.
    chain.onBlock((block) => {
      if (chain === this.local) this.announce(block);
    });
    return chain;
  }
}
