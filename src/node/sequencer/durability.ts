/**
 * What a sequencer with a data directory keeps across restarts: the chain and state in the node
 * store (mirrored block by block and batch record by batch record), and the journal of the
 * transactions it acknowledged that are not in a batch on L1 yet.
 */
import path from "node:path";
import { RestoredChainError } from "../../chain/chainStore";
import type { NodeStore } from "../store/nodeStore";
import { openStoreForChain } from "../store/openForChain";
import { TxJournal } from "../store/txJournal";
import type { L1Contracts } from "../l1/contracts";
import type { Logger } from "../../shared/logger";
import type { Sequencer } from "./sequencer";

export class SequencerDurability {
  private store: NodeStore | null = null;
  private journal: TxJournal | null = null;

  constructor(
    private readonly sequencer: Sequencer,
    private readonly logger: Logger,
  ) {}

  /**
   * Opens the store in `dataDir` and loads the chain and state it holds into the sequencer, so
   * that syncing from L1 only has to cover what was posted since; returns the blocks loaded.
   * From then on every block and batch record is mirrored to it.
   */
  async openStore(dataDir: string, l1: L1Contracts, identity: { chainId: bigint; rollup: string }): Promise<number> {
    const { store, restored } = await openStoreForChain(dataDir, "chain", identity, l1, this.logger);
    this.store = store;
    const { local, chain } = this.sequencer;
    let loaded = 0;
    if (restored) {
      try {
        local.restore(restored);
        loaded = restored.blocks.length - 1;
        this.logger.info({ l2Block: chain.latest.number, stateRoot: chain.latest.stateRoot, batches: chain.batches.length }, "loaded the chain from the store");
      } catch (e) {
        if (!(e instanceof RestoredChainError)) throw e;
        this.logger.warn({ err: e.message }, "the store is inconsistent; rebuilding from L1");
        store.clear();
      }
    }
    if (loaded === 0) this.startAtGenesis();
    else this.sequencer.state.trackChanges();
    this.sequencer.onBlock((b) => this.store?.saveBlock(b, this.sequencer.state, { queueHead: local.queueHead() }, local.history.persisted(b.number)));
    chain.onBatchesChanged((recorded, droppedFrom) => this.store?.saveBatchChange(recorded, droppedFrom));
    return loaded;
  }

  /** The sequencer back at genesis (its chain does not line up with L1), and the store with it. */
  resetToGenesis(): void {
    this.sequencer.resetToGenesis();
    if (this.store) {
      this.store.clear();
      this.startAtGenesis();
    }
  }

  /** Opens the journal in `dataDir`; returns what it holds (acknowledged, maybe not on L1 yet). */
  openJournal(dataDir: string): string[] {
    this.journal = new TxJournal(path.join(dataDir, "accepted-txs.log"));
    return this.journal.read();
  }

  /** Resolves once `raw` is durable. */
  async acknowledge(raw: string): Promise<void> {
    await this.journal?.append(raw);
  }

  /** Once every accepted transaction is in a batch on L1, the journal has nothing to keep. */
  trimJournal(): void {
    if (this.journal && this.sequencer.chain.unbatched().length === 0 && !this.sequencer.hasOpenBlock) this.journal.truncate();
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = null;
    this.journal?.close();
    this.journal = null;
  }

  /** An empty store gets the genesis block and state; every block appended after adds its changes. */
  private startAtGenesis(): void {
    this.sequencer.state.trackChanges(true);
    this.store?.saveBlock(this.sequencer.chain.blocks[0], this.sequencer.state, { queueHead: "" });
  }
}
