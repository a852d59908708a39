/**
 * What the sequencer node and the replica serve the same way: the L2's reads, answered by the
 * node's current ordering engine (the replica swaps its engine when it rebuilds after a fraud
 * proof, so the engine is asked for, not stored here).
 */
import type { Sequencer } from "./sequencer";
import type { TokenMetadata } from "../../chain/tokens";

export abstract class SequencerBacked {
  /** The engine whose chain and state the node serves now. */
  protected abstract engine(): Sequencer;

  get chainId(): bigint {
    return this.engine().chainId;
  }
  get baseFee(): bigint {
    return this.engine().baseFee;
  }
  get state() {
    return this.engine().state;
  }
  get chain() {
    return this.engine().chain;
  }
  tokenMetadata(tokenId: number): TokenMetadata | undefined {
    return this.engine().tokenMetadata(tokenId);
  }
}
