/**
 * A node's simulations of its live state (experimental EVM mode: eth_call, eth_estimateGas):
 * each in a read turn of the state (chain/stateTurns.ts), which whatever changes the state waits
 * for through `turns.write`, with the engine options that keep the node's thread free — a pause
 * that yields to the event loop, and the slow precompiles on a worker thread.
 */
import { StateTurns } from "../chain/stateTurns";
import type { EngineOptions } from "../core/evm/engine";
import { yieldingPause } from "../shared/eventLoop";
import { PrecompileWorker } from "./precompileWorker";

export class Simulations {
  readonly turns = new StateTurns();
  /** Started by the first simulation; one that died answers nothing more, so the next gets a new one. */
  private precompiles: PrecompileWorker | null = null;

  /** Runs `task` in its read turn; throws OverloadedError when too many wait. */
  run<T>(task: (options: EngineOptions) => Promise<T>): Promise<T> {
    if (!this.precompiles || this.precompiles.dead) this.precompiles = new PrecompileWorker();
    const precompiles = this.precompiles.run;
    return this.turns.read(() => task({ pause: yieldingPause(), precompiles }));
  }

  async close(): Promise<void> {
    await this.precompiles?.close();
    this.precompiles = null;
  }
}
