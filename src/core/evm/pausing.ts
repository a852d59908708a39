/**
 * How the engine lets other work in during a run (engine.ts, EngineOptions.pause): a pause at
 * every JUMPDEST — the engine's own JUMPDEST (1 gas, no effect) made to pause first — and at
 * every call frame's start. A pause that fails ends the run as the node's failure.
 */
import type { EVMOpts } from "@ethereumjs/evm";
import { EnginePauseFailedError } from "./driverErrors";

/**
 * Called between engine steps so that a long run can let other work in (the node yields to its
 * event loop; core neither knows nor cares when). Whatever it does, the run's result is the same.
 */
export type Pause = () => Promise<void> | void;

/** A run's pause: at each JUMPDEST and call frame's start; a failure ends the run and is kept to be thrown as it is. */
export class Pausing {
  private failure: EnginePauseFailedError | null = null;

  constructor(private readonly pause: Pause) {}

  /** JUMPDEST as the engine has it (1 gas, no effect) that pauses first. */
  jumpdest(): NonNullable<EVMOpts["customOpcodes"]>[number] {
    return { opcode: 0x5b, opcodeName: "JUMPDEST", baseFee: 1, logicFunction: () => this.now() };
  }

  /** At a frame's start the engine waits for a listener's callback: it never rejects, so the engine is never left waiting; a failure ends the run at its next JUMPDEST or its end. */
  async atFrameStart(): Promise<void> {
    try {
      await this.now();
    } catch {
      // Kept in `failure`.
    }
  }

  rethrowFailure(): void {
    if (this.failure) throw this.failure;
  }

  /** Pauses; synchronous (no promise made) while the pause does not wait, as at most JUMPDESTs. */
  private now(): Promise<void> | void {
    this.rethrowFailure();
    let waiting: Promise<void> | void;
    try {
      waiting = this.pause();
    } catch (e) {
      this.fail(e);
    }
    if (waiting) return waiting.catch((e: unknown) => this.fail(e));
  }

  private fail(cause: unknown): never {
    this.failure = new EnginePauseFailedError(cause);
    throw this.failure;
  }
}
